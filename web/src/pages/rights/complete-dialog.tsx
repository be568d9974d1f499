/**
 * @module Completing a request: what will happen, in words, for its kind, and the inputs only some kinds need: the
 * corrected details for a rectification, and any compelling grounds for continuing after an objection. Erasure asks
 * for an explicit confirmation, because it cannot be undone.
 */
import { useEffect, useState } from 'react';
import {
  type CompletionInput,
  type CoveredSubject,
  type Redaction,
  type RequestKind,
  type ReviewField,
  type RightsRequest,
  rightsGuide,
} from '../../rights-api.ts';
import { Alert } from '../../ui/alert.tsx';
import { Button } from '../../ui/button.tsx';
import { Field, Input, Textarea } from '../../ui/field.tsx';
import { CloseIcon } from '../../ui/icons.tsx';
import { SkeletonRows } from '../../ui/spinner.tsx';
import { type Resource, useResource } from '../../use-resource.ts';
import { ErrorPanel } from '../error-panel.tsx';
import { KIND_LABEL, type RightsScope, subjectKindLabel } from './rights-shared.tsx';
import { StepDialog } from './step-dialog.tsx';

const WHAT_HAPPENS: Record<RequestKind, string> = {
  access:
    'A copy of everything held about the people this request covers is packaged. The person downloads it with their status link.',
  portability:
    'The data they gave, used under a contract or with consent, is packaged as JSON and CSV for them to download.',
  rectification: 'The details you enter below replace the ones on file, and the person is told it is done.',
  erasure:
    'Their details, notes, messages and files are deleted for good, and their encryption key destroyed. Records under a legal hold or a legal duty to keep are kept, and the person is told what was kept and why.',
  restriction:
    'Their records are kept but marked restricted: nobody can use them until the restriction is lifted, and the person is told before that happens.',
  objection:
    'Processing based on legitimate interests stops for them, unless you record compelling grounds to continue for a purpose below.',
  object_direct_marketing: 'Their addresses go on the suppression list, so no marketing reaches them again.',
  withdraw_consent: 'Everything done only with their consent stops. What was done before stays lawful.',
};

const personLabel = (subject: CoveredSubject, index: number): string =>
  `${subject.name ?? `Person ${index + 1}`} · ${subjectKindLabel(subject.kind)}, matched by ${
    subject.matchedBy === 'email' ? 'e-mail' : subject.matchedBy
  }`;

export const CompleteDialog = ({
  open,
  scope,
  request,
  onClose,
  onCompleted,
}: {
  open: boolean;
  scope: RightsScope;
  request: RightsRequest;
  onClose: () => void;
  onCompleted: () => void;
}) => {
  const present = request.subjects.filter((s) => s.present);
  const [subjectId, setSubjectId] = useState(present[0]?.subjectId ?? '');
  const [correction, setCorrection] = useState({ name: '', email: '', phone: '' });
  const [grounds, setGrounds] = useState<Record<string, string>>({});
  const [confirmed, setConfirmed] = useState(false);
  const [redactions, setRedactions] = useState<Redaction[]>([]);
  const kind = request.kind;
  const copy = kind === 'access' || kind === 'portability';
  // A copy waits for a person to read what others wrote about the requester (Art. 15(4)).
  const review = useResource(
    () => (open && copy ? scope.api.review(request.id) : Promise.resolve([] as ReviewField[])),
    [open, copy, scope, request.id],
  );

  useEffect(() => {
    if (!open) {
      setCorrection({ name: '', email: '', phone: '' });
      setGrounds({});
      setConfirmed(false);
      setRedactions([]);
    }
  }, [open]);

  const heldCount = request.legalHolds.length;

  const input = (): CompletionInput => {
    if (kind === 'rectification') {
      const fields = Object.fromEntries(
        Object.entries(correction)
          .map(([k, v]) => [k, v.trim()])
          .filter(([, v]) => v),
      );
      return { corrections: { subjectId, ...fields } };
    }
    if (kind === 'objection') {
      const compelling = Object.entries(grounds)
        .map(([purpose, text]) => ({ purpose, grounds: text.trim() }))
        .filter((g) => g.grounds.length > 0);
      return compelling.length > 0 ? { compellingGrounds: compelling } : {};
    }
    if (copy) return { reviewedForOtherPeople: true, ...(redactions.length > 0 ? { redactions } : {}) };
    return {};
  };

  const correctionReady =
    Boolean(subjectId) && Object.values(correction).some((v) => v.trim().length > 0) && isEmailOk(correction.email);
  const groundsReady = Object.values(grounds).every((g) => g.trim().length === 0 || g.trim().length >= 10);
  const canSubmit =
    kind === 'rectification'
      ? correctionReady
      : kind === 'objection'
        ? groundsReady
        : kind === 'erasure'
          ? confirmed
          : copy
            ? review.status === 'ready' && (review.data.length === 0 || confirmed)
            : true;

  return (
    <StepDialog
      open={open}
      size="lg"
      tone={kind === 'erasure' ? 'danger' : 'default'}
      title={`Complete this ${KIND_LABEL[kind].toLowerCase()} request`}
      description={<p>{WHAT_HAPPENS[kind]}</p>}
      submitLabel={kind === 'erasure' ? 'Erase and complete' : 'Complete and tell them'}
      submitVariant={kind === 'erasure' ? 'danger' : 'primary'}
      canSubmit={canSubmit}
      busyNote="Carrying out the request for everyone it covers. Large records can take a minute."
      onClose={onClose}
      onSubmit={async () => {
        await scope.api.complete(request.id, input());
        onCompleted();
      }}
    >
      {request.subjects.length === 0 ? (
        <Alert tone="info" title="No records were found for this person">
          Completing tells them nothing is held about them here.
        </Alert>
      ) : (
        <p className="muted">
          Covers {request.subjects.length} {request.subjects.length === 1 ? 'record' : 'records'}
          {heldCount > 0 ? `, with ${heldCount} legal ${heldCount === 1 ? 'hold' : 'holds'} in place` : ''}.
        </p>
      )}
      {kind === 'rectification' ? (
        <Rectification
          subjects={present}
          subjectId={subjectId}
          onSubject={setSubjectId}
          correction={correction}
          onCorrection={(patch) => setCorrection((c) => ({ ...c, ...patch }))}
        />
      ) : null}
      {kind === 'objection' ? (
        <Objection
          open={open}
          grounds={grounds}
          onGrounds={(purpose, text) => setGrounds((g) => ({ ...g, [purpose]: text }))}
        />
      ) : null}
      {copy ? (
        <CopyReview
          review={review}
          redactions={redactions}
          onRedactions={setRedactions}
          confirmed={confirmed}
          onConfirmed={setConfirmed}
        />
      ) : null}
      {kind === 'erasure' ? (
        <label className="check check-confirm">
          <input type="checkbox" data-autofocus checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} />I
          understand their data is deleted for good and cannot be restored.
        </label>
      ) : null}
    </StepDialog>
  );
};

const isEmailOk = (email: string): boolean => !email.trim() || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim());

const Rectification = ({
  subjects,
  subjectId,
  onSubject,
  correction,
  onCorrection,
}: {
  subjects: CoveredSubject[];
  subjectId: string;
  onSubject: (id: string) => void;
  correction: { name: string; email: string; phone: string };
  onCorrection: (patch: Partial<{ name: string; email: string; phone: string }>) => void;
}) => {
  if (subjects.length === 0) {
    return <Alert tone="warning">There is no record on file to correct.</Alert>;
  }

  return (
    <>
      <fieldset className="fieldset">
        <legend className="field-label">Record to correct</legend>
        <div className="choice-list">
          {subjects.map((s, index) => (
            <label className="choice" key={s.subjectId}>
              <input
                type="radio"
                name="rectify-subject"
                checked={subjectId === s.subjectId}
                onChange={() => onSubject(s.subjectId)}
              />
              <span>
                <span className="choice-title">{personLabel(s, index)}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      <p className="muted">Fill in only what changes; blank fields keep what is on file.</p>
      <div className="form-row-3">
        <Field label="Corrected name">
          {(control) => (
            <Input
              {...control}
              autoComplete="off"
              value={correction.name}
              onChange={(e) => onCorrection({ name: e.target.value })}
            />
          )}
        </Field>
        <Field label="Corrected e-mail" error={isEmailOk(correction.email) ? undefined : 'Enter a full e-mail address'}>
          {(control) => (
            <Input
              {...control}
              type="email"
              autoComplete="off"
              value={correction.email}
              onChange={(e) => onCorrection({ email: e.target.value })}
            />
          )}
        </Field>
        <Field label="Corrected phone">
          {(control) => (
            <Input
              {...control}
              type="tel"
              autoComplete="off"
              value={correction.phone}
              onChange={(e) => onCorrection({ phone: e.target.value })}
            />
          )}
        </Field>
      </div>
    </>
  );
};

const Objection = ({
  open,
  grounds,
  onGrounds,
}: {
  open: boolean;
  grounds: Record<string, string>;
  onGrounds: (purpose: string, text: string) => void;
}) => {
  const guide = useResource(() => (open ? rightsGuide() : Promise.resolve(null)), [open]);
  const purposes = guide.data?.kinds.find((k) => k.kind === 'objection')?.appliesTo ?? [];
  if (guide.status === 'loading') return <p className="muted">Loading the purposes this objection reaches…</p>;
  if (purposes.length === 0) {
    return (
      <p className="muted">
        No purpose in the privacy notice relies on legitimate interests, so all processing it reaches stops.
      </p>
    );
  }
  return (
    <fieldset className="fieldset">
      <legend className="field-label">Compelling grounds to continue (optional)</legend>
      <p className="field-hint">
        Leave a purpose blank to stop it for this person. Grounds must override their interests; they are told them.
      </p>
      <div className="form-stack">
        {purposes.map((p) => (
          <Field
            key={p.purpose}
            label={p.name}
            optional
            error={
              (grounds[p.purpose] ?? '').trim().length > 0 && (grounds[p.purpose] ?? '').trim().length < 10
                ? 'Say why, in a sentence the person will read'
                : undefined
            }
          >
            {(control) => (
              <Textarea
                {...control}
                rows={2}
                maxLength={2000}
                value={grounds[p.purpose] ?? ''}
                onChange={(e) => onGrounds(p.purpose, e.target.value)}
              />
            )}
          </Field>
        ))}
      </div>
    </fieldset>
  );
};

const DATASET_LABEL: Record<string, string> = {
  phone_messages: 'Phone message',
  contact_notes: 'Contact note',
  post_items: 'Post item',
};

const datasetLabel = (dataset: string): string =>
  DATASET_LABEL[dataset] ?? dataset.replace(/[_-]+/g, ' ').replace(/^\w/, (c) => c.toUpperCase());

/** Every passage someone else wrote about the person, with the words to black out before the copy goes out. */
const CopyReview = ({
  review,
  redactions,
  onRedactions,
  confirmed,
  onConfirmed,
}: {
  review: Resource<ReviewField[]>;
  redactions: Redaction[];
  onRedactions: (redactions: Redaction[]) => void;
  confirmed: boolean;
  onConfirmed: (confirmed: boolean) => void;
}) => {
  if (review.status === 'loading') return <SkeletonRows rows={2} label="Gathering what others wrote about them" />;
  if (review.status === 'error') return <ErrorPanel error={review.error} onRetry={review.reload} />;
  if (review.data.length === 0) {
    return <p className="muted">Nothing in the copy was written by someone else, so there is nothing to check.</p>;
  }
  return (
    <fieldset className="fieldset">
      <legend className="field-label">Check for other people ({review.data.length})</legend>
      <p className="field-hint">
        These passages were written by someone else. Black out anything about another person: their name, number or what
        they said.
      </p>
      <ol className="review-list">
        {review.data.map((field, index) => (
          <ReviewPassage
            key={`${field.recordId}-${field.field}`}
            index={index}
            field={field}
            redactions={redactions.filter((r) => r.recordId === field.recordId && r.field === field.field)}
            onAdd={(text) => onRedactions([...redactions, { recordId: field.recordId, field: field.field, text }])}
            onRemove={(text) =>
              onRedactions(
                redactions.filter(
                  (r) => !(r.recordId === field.recordId && r.field === field.field && r.text === text),
                ),
              )
            }
          />
        ))}
      </ol>
      <label className="check check-confirm-plain">
        <input type="checkbox" checked={confirmed} onChange={(e) => onConfirmed(e.target.checked)} />I have read every
        passage and marked what to black out.
      </label>
    </fieldset>
  );
};

const ReviewPassage = ({
  index,
  field,
  redactions,
  onAdd,
  onRemove,
}: {
  index: number;
  field: ReviewField;
  redactions: Redaction[];
  onAdd: (text: string) => void;
  onRemove: (text: string) => void;
}) => {
  const [words, setWords] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const add = (): void => {
    const text = words.trim();
    if (!text) return;
    if (!field.text.includes(text)) {
      setError('Copy the words exactly as they appear in the passage');
      return;
    }
    if (!redactions.some((r) => r.text === text)) onAdd(text);
    setWords('');
    setError(undefined);
  };
  return (
    <li className="review-item">
      <p className="review-source">
        {datasetLabel(field.dataset)} {index + 1}
      </p>
      <blockquote className="outcome-quote">{field.text}</blockquote>
      {redactions.length > 0 ? (
        <ul className="redaction-list" aria-label={`Blacked out in passage ${index + 1}`}>
          {redactions.map((r) => (
            <li key={r.text} className="redaction">
              <span className="redaction-text">{r.text}</span>
              <button
                type="button"
                className="icon-button icon-button-sm"
                onClick={() => onRemove(r.text)}
                aria-label={`Keep “${r.text}”`}
              >
                <CloseIcon size={14} />
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <div className="review-add">
        <Field label={`Words to black out in passage ${index + 1}`} error={error}>
          {(control) => (
            <Input
              {...control}
              autoComplete="off"
              maxLength={500}
              value={words}
              onChange={(e) => setWords(e.target.value)}
              onKeyDown={(e) => {
                // Enter adds the words here rather than submitting the whole dialog.
                if (e.key === 'Enter') {
                  e.preventDefault();
                  add();
                }
              }}
            />
          )}
        </Field>
        <Button size="sm" onClick={add} disabled={!words.trim()}>
          Black out
        </Button>
      </div>
    </li>
  );
};
