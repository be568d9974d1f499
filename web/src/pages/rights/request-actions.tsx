/**
 * @module The steps that answer a request, offered by its status: start, ask for clarification (the clock pauses),
 * record the reply, extend (only until the extension-notice date), ask for a fee (only where the law allows one),
 * record it paid or waived, refuse, and complete with kind-specific inputs. Each disabled step says why; steps the
 * person will hear about, or that close the request, ask for confirmation first.
 */
import { type ReactNode, useEffect, useState } from 'react';
import type { ApiError } from '../../api.ts';
import {
  FEE_REASONS,
  type FeeReason,
  type IdentityCheck,
  REFUSAL_REASONS,
  type RefusalReason,
  type RequestAction,
  type RightsRequest,
  staffRightsApi,
} from '../../rights-api.ts';
import { Alert } from '../../ui/alert.tsx';
import { Button, type ButtonVariant } from '../../ui/button.tsx';
import { Field, Input, Select, Textarea } from '../../ui/field.tsx';
import { CheckCircleIcon } from '../../ui/icons.tsx';
import { useToast } from '../../ui/toast.tsx';
import { asApiError } from '../../use-resource.ts';
import { ErrorPanel } from '../error-panel.tsx';
import { CompleteDialog } from './complete-dialog.tsx';
import { FEE_LABEL, formatCivil, formatPence, REFUSAL_LABEL, type RightsScope } from './rights-shared.tsx';
import { StepDialog } from './step-dialog.tsx';

type Step = 'verify' | 'clarify' | 'extend' | 'fee' | 'refuse' | 'complete' | null;

const todayCivil = (): string => new Date().toISOString().slice(0, 10);

/** Why the deadline cannot be extended now, or null when it can. */
const extendBlocked = (request: RightsRequest): string | null => {
  if (request.clock.extended) return `Already extended: due ${formatCivil(request.clock.dueOn)}.`;
  if (request.clock.waitingFor) return 'The clock is stopped; extend once it runs again.';
  const noticeBy = request.clock.extensionNoticeBy;
  if (!noticeBy) return 'The clock is not running.';
  if (todayCivil() > noticeBy) {
    return `Too late: the person had to be told by ${formatCivil(noticeBy)}, within the first month.`;
  }
  return null;
};

const completeBlocked = (request: RightsRequest): string | null => {
  if (request.status === 'awaiting_clarification') return 'Record the clarification first.';
  if (request.fee.status === 'requested') return 'Waiting for the fee: record it paid or waive it first.';
  return null;
};

type ActionRow = {
  key: string;
  title: string;
  text: ReactNode;
  button: string;
  variant?: ButtonVariant;
  blocked?: string | null;
  run: () => void;
  busy?: boolean;
};

export const RequestActions = ({
  scope,
  request,
  onChanged,
}: {
  scope: RightsScope;
  request: RightsRequest;
  onChanged: () => void;
}) => {
  const [step, setStep] = useState<Step>(null);
  const [running, setRunning] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const toast = useToast();

  /** Runs a step, tells the user, and reloads the request so the clock and history show the change. */
  const act = async (action: RequestAction, message: string): Promise<void> => {
    await scope.api.act(request.id, action);
    toast.show(message);
    setStep(null);
    onChanged();
  };

  const quick = async (action: RequestAction, message: string): Promise<void> => {
    setRunning(action.type);
    setError(null);
    try {
      await act(action, message);
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setRunning(null);
    }
  };

  const rows: ActionRow[] = [];
  const { status } = request;
  const feeAwaited = request.fee.status === 'requested';

  if (status === 'awaiting_verification') {
    if (scope.audience === 'staff') {
      rows.push({
        key: 'verify',
        title: 'Record the identity check',
        text: 'Once you have checked who they are, by phone or from a document, the clock starts and their records are found.',
        button: 'Record check',
        variant: 'primary',
        run: () => setStep('verify'),
      });
    }
  } else {
    const completeWhy = completeBlocked(request);
    rows.push({
      key: 'complete',
      title: 'Complete the request',
      text: 'Carry it out for everyone it covers and tell the person what was done and what was kept.',
      button: 'Complete…',
      variant: 'primary',
      blocked: completeWhy,
      run: () => setStep('complete'),
    });
    if (status === 'received') {
      rows.push({
        key: 'start',
        title: 'Start work',
        text: 'Shows the team someone is on it. The clock is already running.',
        button: 'Start work',
        run: () => void quick({ type: 'start' }, 'Marked as in progress'),
        busy: running === 'start',
      });
    }
    if (status === 'awaiting_clarification') {
      rows.push({
        key: 'clarified',
        title: 'Clarification received',
        text: 'The person answered your question: the clock starts again where it stopped.',
        button: 'Record reply',
        variant: 'primary',
        run: () => void quick({ type: 'clarification_received' }, 'Clarification recorded; the clock is running again'),
        busy: running === 'clarification_received',
      });
    } else {
      rows.push({
        key: 'clarify',
        title: 'Ask for clarification',
        text: 'When you need more to find their data. The clock pauses until they reply.',
        button: 'Ask…',
        run: () => setStep('clarify'),
      });
    }
    rows.push({
      key: 'extend',
      title: 'Extend the deadline',
      text: request.clock.extensionNoticeBy
        ? `By up to two months, for complex or numerous requests. Possible until ${formatCivil(request.clock.extensionNoticeBy)}.`
        : 'By up to two months, for complex or numerous requests.',
      button: 'Extend…',
      blocked: extendBlocked(request),
      run: () => setStep('extend'),
    });
    if (feeAwaited) {
      rows.push({
        key: 'fee-paid',
        title: `Fee of ${formatPence(request.fee.pence ?? 0)} awaited`,
        text: 'The clock restarts when it is paid or waived.',
        button: 'Mark paid',
        run: () => void quick({ type: 'fee_paid' }, 'Fee recorded as paid'),
        busy: running === 'fee_paid',
      });
      rows.push({
        key: 'fee-waive',
        title: 'Waive the fee',
        text: 'Drop the fee and carry on with the request.',
        button: 'Waive fee',
        run: () => void quick({ type: 'waive_fee' }, 'Fee waived'),
        busy: running === 'waive_fee',
      });
    } else {
      rows.push({
        key: 'fee',
        title: 'Ask for a fee',
        text: 'Only for a further copy, or a request that is manifestly unfounded or excessive. The clock pauses.',
        button: 'Ask for fee…',
        blocked: request.fee.status === 'paid' ? 'A fee has already been paid for this request.' : null,
        run: () => setStep('fee'),
      });
    }
    rows.push({
      key: 'refuse',
      title: 'Refuse',
      text: 'With a reason the person reads, and their right to complain.',
      button: 'Refuse…',
      variant: 'danger',
      run: () => setStep('refuse'),
    });
  }

  return (
    <>
      {error ? <ErrorPanel error={error} /> : null}
      <ul className="action-list">
        {rows.map((row) => {
          const whyId = `action-${row.key}-why`;
          return (
            <li key={row.key} className={row.blocked ? 'action-row action-row-blocked' : 'action-row'}>
              <div className="action-text">
                <h3 className="action-title">{row.title}</h3>
                <p className="muted">{row.text}</p>
                {row.blocked ? (
                  <p className="action-why" id={whyId}>
                    {row.blocked}
                  </p>
                ) : null}
              </div>
              <Button
                variant={row.variant ?? 'secondary'}
                size="sm"
                disabled={Boolean(row.blocked) || (running !== null && !row.busy)}
                busy={row.busy}
                aria-describedby={row.blocked ? whyId : undefined}
                onClick={row.run}
              >
                {row.button}
              </Button>
            </li>
          );
        })}
      </ul>
      <ClarifyDialog open={step === 'clarify'} onClose={() => setStep(null)} act={act} />
      <ExtendDialog open={step === 'extend'} request={request} onClose={() => setStep(null)} act={act} />
      <FeeDialog open={step === 'fee'} request={request} onClose={() => setStep(null)} act={act} />
      <RefuseDialog open={step === 'refuse'} onClose={() => setStep(null)} act={act} />
      {scope.audience === 'staff' ? (
        <VerifyDialog
          open={step === 'verify'}
          onClose={() => setStep(null)}
          onVerify={async (check) => {
            await staffRightsApi.verify(request.id, check);
            toast.show('Identity check recorded; the clock has started');
            setStep(null);
            onChanged();
          }}
        />
      ) : null}
      <CompleteDialog
        open={step === 'complete'}
        scope={scope}
        request={request}
        onClose={() => setStep(null)}
        onCompleted={() => {
          toast.show('Request completed; the person has been told');
          setStep(null);
          onChanged();
        }}
      />
    </>
  );
};

type Act = (action: RequestAction, message: string) => Promise<void>;

const MIN_EXPLANATION = 10;

/** A sentence the person will read; the server asks for at least ten characters. */
const Explanation = ({
  label,
  hint,
  value,
  onChange,
  autoFocus,
}: {
  label: string;
  hint: string;
  value: string;
  onChange: (value: string) => void;
  autoFocus?: boolean;
}) => (
  <Field label={label} hint={hint}>
    {(control) => (
      <Textarea
        {...control}
        data-autofocus={autoFocus ? true : undefined}
        rows={4}
        maxLength={2000}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    )}
  </Field>
);

const useText = (open: boolean): [string, (value: string) => void] => {
  const [text, setText] = useState('');
  useEffect(() => {
    if (!open) setText('');
  }, [open]);
  return [text, setText];
};

const ClarifyDialog = ({ open, onClose, act }: { open: boolean; onClose: () => void; act: Act }) => {
  const [question, setQuestion] = useText(open);
  return (
    <StepDialog
      open={open}
      title="Ask for clarification"
      description={
        <p>
          The question is e-mailed to the person and the clock pauses until they reply. It is not kept in the history,
          so it may name details from their request.
        </p>
      }
      submitLabel="Send question"
      canSubmit={question.trim().length >= MIN_EXPLANATION}
      onClose={onClose}
      onSubmit={() =>
        act({ type: 'request_clarification', question: question.trim() }, 'Question sent; the clock is paused')
      }
    >
      <Explanation
        autoFocus
        label="Your question"
        hint="For example: which of our services did you contact us about, and roughly when?"
        value={question}
        onChange={setQuestion}
      />
    </StepDialog>
  );
};

const ExtendDialog = ({
  open,
  request,
  onClose,
  act,
}: {
  open: boolean;
  request: RightsRequest;
  onClose: () => void;
  act: Act;
}) => {
  const [reason, setReason] = useText(open);
  return (
    <StepDialog
      open={open}
      title="Extend the deadline"
      description={
        <p>
          The law allows two more months when a request is complex, or the person made several. They are e-mailed the
          reason today. You can extend once.
        </p>
      }
      submitLabel="Extend and tell them"
      canSubmit={reason.trim().length >= MIN_EXPLANATION}
      onClose={onClose}
      onSubmit={() => act({ type: 'extend', reason: reason.trim() }, 'Deadline extended; the person has been told')}
    >
      <Alert tone="info">Currently due {formatCivil(request.clock.dueOn)}.</Alert>
      <Explanation
        autoFocus
        label="Why you need longer"
        hint="The person reads this. For example: your request covers records held by three businesses."
        value={reason}
        onChange={setReason}
      />
    </StepDialog>
  );
};

const FeeDialog = ({
  open,
  request,
  onClose,
  act,
}: {
  open: boolean;
  request: RightsRequest;
  onClose: () => void;
  act: Act;
}) => {
  const copyAllowed = request.kind === 'access' || request.kind === 'portability';
  const reasons = FEE_REASONS.filter((r) => r !== 'further_copy' || copyAllowed);
  const [reason, setReason] = useState<FeeReason>(reasons[0] ?? 'manifestly_excessive');
  const [pounds, setPounds] = useState('');
  const [explanation, setExplanation] = useText(open);

  useEffect(() => {
    if (!open) {
      setPounds('');
      setReason(reasons[0] ?? 'manifestly_excessive');
    }
  }, [open, reasons[0]]);

  const pence = Math.round(Number.parseFloat(pounds) * 100);
  const amountOk = Number.isFinite(pence) && pence >= 1 && pence <= 100_000;

  return (
    <StepDialog
      open={open}
      title="Ask for a fee"
      description={
        <p>
          A reasonable fee, based on the cost of answering. The person is e-mailed the amount and why; the clock pauses
          until it is paid or you waive it.
        </p>
      }
      submitLabel="Ask for fee"
      canSubmit={amountOk && explanation.trim().length >= MIN_EXPLANATION}
      onClose={onClose}
      onSubmit={() =>
        act(
          { type: 'request_fee', reason, amountPence: pence, explanation: explanation.trim() },
          'Fee requested; the clock is paused',
        )
      }
    >
      <div className="form-row">
        <Field label="Reason">
          {(control) => (
            <Select {...control} data-autofocus value={reason} onChange={(e) => setReason(e.target.value as FeeReason)}>
              {reasons.map((r) => (
                <option key={r} value={r}>
                  {FEE_LABEL[r]}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field label="Amount (£)" hint="Up to £1,000.">
          {(control) => (
            <Input
              {...control}
              type="number"
              inputMode="decimal"
              min="0.01"
              max="1000"
              step="0.01"
              value={pounds}
              onChange={(e) => setPounds(e.target.value)}
            />
          )}
        </Field>
      </div>
      {copyAllowed ? null : (
        <p className="muted">A fee for a further copy applies only to access and portability requests.</p>
      )}
      <Explanation
        label="Explanation for the person"
        hint="How you worked out the fee, in a sentence or two."
        value={explanation}
        onChange={setExplanation}
      />
    </StepDialog>
  );
};

const RefuseDialog = ({ open, onClose, act }: { open: boolean; onClose: () => void; act: Act }) => {
  const [reason, setReason] = useState<RefusalReason>('manifestly_unfounded');
  const [explanation, setExplanation] = useText(open);
  return (
    <StepDialog
      open={open}
      tone="danger"
      title="Refuse this request?"
      description={
        <p>
          This closes the request. The person is e-mailed your explanation and told they can complain to the supervisory
          authority. It cannot be reopened.
        </p>
      }
      submitLabel="Refuse request"
      submitVariant="danger"
      canSubmit={explanation.trim().length >= MIN_EXPLANATION}
      onClose={onClose}
      onSubmit={() =>
        act({ type: 'refuse', reason, explanation: explanation.trim() }, 'Request refused; the person has been told')
      }
    >
      <Field label="Reason">
        {(control) => (
          <Select {...control} value={reason} onChange={(e) => setReason(e.target.value as RefusalReason)}>
            {REFUSAL_REASONS.map((r) => (
              <option key={r} value={r}>
                {REFUSAL_LABEL[r]}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <Explanation
        autoFocus
        label="Explanation for the person"
        hint="Why you are refusing, in words they can act on."
        value={explanation}
        onChange={setExplanation}
      />
    </StepDialog>
  );
};

const VerifyDialog = ({
  open,
  onClose,
  onVerify,
}: {
  open: boolean;
  onClose: () => void;
  onVerify: (check: IdentityCheck) => Promise<void>;
}) => {
  const [method, setMethod] = useState<IdentityCheck['method']>('phone');
  const [note, setNote] = useText(open);
  return (
    <StepDialog
      open={open}
      title="Record the identity check"
      description={<p>The clock starts today, and their records are found and routed to whoever must answer.</p>}
      submitLabel="Record check"
      canSubmit={note.trim().length >= 3}
      onClose={onClose}
      onSubmit={() => onVerify({ method, note: note.trim() })}
    >
      <fieldset className="fieldset">
        <legend className="field-label">How you checked</legend>
        <div className="segmented">
          {(['phone', 'document'] as const).map((m) => (
            <label key={m}>
              <input type="radio" name="verify-method" checked={method === m} onChange={() => setMethod(m)} />
              {m === 'phone' ? 'By phone' : 'A document'}
            </label>
          ))}
        </div>
      </fieldset>
      <Field label="What you checked" hint="Not the document's number or the answers themselves.">
        {(control) => (
          <Input {...control} data-autofocus maxLength={500} value={note} onChange={(e) => setNote(e.target.value)} />
        )}
      </Field>
    </StepDialog>
  );
};

/** Shown in place of the steps once a request is closed. */
export const ClosedNote = ({ request }: { request: RightsRequest }) => (
  <p className="closed-note">
    <CheckCircleIcon size={18} />
    {request.status === 'completed'
      ? 'Answered. The person was e-mailed and can see the outcome with their status link.'
      : request.status === 'refused'
        ? 'Refused. The person was told why, and how to complain.'
        : 'Closed without an answer: the identity check was never completed.'}
  </p>
);
