import { type FormEvent, useEffect, useState } from 'react';
import { type ApiError, api, type Note } from '../../api.ts';
import { formatDateTime, purposeLabel } from '../../format.ts';
import { navigate } from '../../router.tsx';
import { saveFile } from '../../save-file.ts';
import { Badge } from '../../ui/badge.tsx';
import { Button } from '../../ui/button.tsx';
import { Card } from '../../ui/card.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { EmptyState } from '../../ui/empty-state.tsx';
import { Field, Input } from '../../ui/field.tsx';
import { DownloadIcon, NoteIcon, TrashIcon } from '../../ui/icons.tsx';
import { PageHeader } from '../../ui/page-header.tsx';
import { Skeleton, SkeletonRows } from '../../ui/spinner.tsx';
import { useToast } from '../../ui/toast.tsx';
import { asApiError, useResource } from '../../use-resource.ts';
import { ErrorPanel } from '../error-panel.tsx';
import { useAccount } from './account-page.tsx';
import { accountPath } from './accounts-page.tsx';

const CONFIRM_WORD = 'ERASE';

export const PersonPage = ({ accountId, subjectId }: { accountId: string; subjectId: string }) => {
  const account = useAccount(accountId);
  const person = useResource(() => api.getSubject(accountId, subjectId), [accountId, subjectId]);
  const toast = useToast();
  const [exporting, setExporting] = useState(false);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const [eraseOpen, setEraseOpen] = useState(false);

  const name = person.data?.subject.name || 'Unnamed person';

  useEffect(() => {
    // Not the person's name: titles end up in browser history, which outlives an erasure.
    document.title = 'Person · Custodian';
  }, []);

  const crumbs = [
    { label: 'Accounts', to: '/staff' },
    { label: account.data?.name ?? 'Account', to: accountPath(accountId) },
    { label: person.data ? name : 'Person' },
  ];

  if (person.status === 'error') {
    return (
      <>
        <PageHeader title="Person" crumbs={crumbs} />
        <ErrorPanel error={person.error} onRetry={person.reload} />
      </>
    );
  }

  const exportData = async (): Promise<void> => {
    setExporting(true);
    setActionError(null);
    try {
      const { blob, filename } = await api.exportSubject(accountId, subjectId);
      saveFile(blob, filename);
      toast.show(`Export for ${name} downloaded`);
    } catch (caught) {
      setActionError(asApiError(caught));
    } finally {
      setExporting(false);
    }
  };

  const subject = person.data?.subject;

  return (
    <>
      <PageHeader
        crumbs={crumbs}
        title={subject ? name : <Skeleton width={200} height={28} />}
        meta={subject ? <Badge tone="neutral">{purposeLabel(subject.kind)}</Badge> : null}
        description={subject ? `On file since ${formatDateTime(subject.createdAt)}` : undefined}
      />
      {actionError ? <ErrorPanel error={actionError} /> : null}
      <div className="grid-person">
        <Card title="Notes" id="notes" description="Everything recorded about this person, newest first." flush>
          {person.status === 'loading' ? <SkeletonRows rows={3} label="Loading notes" /> : null}
          {person.status === 'ready' && person.data.notes.length === 0 ? (
            <EmptyState icon={<NoteIcon size={26} />} title="No notes" headingLevel={3}>
              <p>Notes recorded on the account page will show up here.</p>
            </EmptyState>
          ) : null}
          {person.status === 'ready' && person.data.notes.length > 0 ? <NoteList notes={person.data.notes} /> : null}
        </Card>
        <div className="stack">
          <Card title="Details" id="details">
            {subject ? (
              <dl className="details">
                <div>
                  <dt>E-mail</dt>
                  <dd>{subject.email ?? <span className="muted">Not given</span>}</dd>
                </div>
                <div>
                  <dt>Phone</dt>
                  <dd>{subject.phone ?? <span className="muted">Not given</span>}</dd>
                </div>
                <div>
                  <dt>Source</dt>
                  <dd>{purposeLabel(subject.source)}</dd>
                </div>
                <div>
                  <dt>Reference</dt>
                  <dd className="mono">{subject.id}</dd>
                </div>
              </dl>
            ) : (
              <SkeletonRows rows={4} label="Loading details" />
            )}
          </Card>
          <Card title="Data rights" id="rights" description="Answer access and erasure requests for this person.">
            <div className="rights">
              <div className="rights-item">
                <div>
                  <h3 className="rights-title">Export data</h3>
                  <p className="muted">A JSON file with everything held about this person, for an access request.</p>
                </div>
                <Button icon={<DownloadIcon size={16} />} onClick={exportData} busy={exporting} disabled={!subject}>
                  Export data (JSON)
                </Button>
              </div>
              <div className="rights-item rights-item-danger">
                <div>
                  <h3 className="rights-title">Erase person</h3>
                  <p className="muted">
                    Removes their details and notes for good. The audit log keeps only that it happened.
                  </p>
                </div>
                <Button
                  variant="danger"
                  icon={<TrashIcon size={16} />}
                  onClick={() => setEraseOpen(true)}
                  disabled={!subject}
                >
                  Erase person
                </Button>
              </div>
            </div>
          </Card>
        </div>
      </div>
      <EraseDialog
        open={eraseOpen}
        name={name}
        onClose={() => setEraseOpen(false)}
        onErase={async () => {
          await api.eraseSubject(accountId, subjectId);
          toast.show(`${name} was erased`);
          navigate(accountPath(accountId), { replace: true });
        }}
      />
    </>
  );
};

const NoteList = ({ notes }: { notes: Note[] }) => {
  const sorted = [...notes].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return (
    <ol className="note-list">
      {sorted.map((note) => (
        <li key={note.id} className="note">
          <div className="note-meta">
            <Badge tone="accent">{purposeLabel(note.purpose)}</Badge>
            <time dateTime={note.createdAt} className="muted">
              {formatDateTime(note.createdAt)}
            </time>
          </div>
          {note.body === null ? (
            <p className="note-body muted">This note can no longer be read.</p>
          ) : (
            <p className="note-body">{note.body}</p>
          )}
        </li>
      ))}
    </ol>
  );
};

const EraseDialog = ({
  open,
  name,
  onClose,
  onErase,
}: {
  open: boolean;
  name: string;
  onClose: () => void;
  onErase: () => Promise<void>;
}) => {
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    if (!open) {
      setTyped('');
      setError(null);
    }
  }, [open]);

  const confirmed = typed.trim() === CONFIRM_WORD;

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (!confirmed) return;
    setBusy(true);
    setError(null);
    try {
      await onErase();
    } catch (caught) {
      setError(asApiError(caught));
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={open}
      tone="danger"
      title={`Erase ${name}?`}
      onClose={busy ? () => undefined : onClose}
      description={
        <p>
          Their name, contact details and every note about them will be deleted permanently. This cannot be undone.
          Export their data first if they asked for a copy.
        </p>
      }
    >
      <form className="form-stack" onSubmit={submit} id="erase-form">
        {error ? <ErrorPanel error={error} /> : null}
        <Field label={`Type ${CONFIRM_WORD} to confirm`}>
          {(control) => (
            <Input
              {...control}
              data-autofocus
              name="confirm"
              autoComplete="off"
              spellCheck={false}
              value={typed}
              onChange={(event) => setTyped(event.target.value)}
            />
          )}
        </Field>
        <div className="dialog-actions">
          <Button onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" variant="danger" icon={<TrashIcon size={16} />} disabled={!confirmed} busy={busy}>
            Erase permanently
          </Button>
        </div>
      </form>
    </Dialog>
  );
};
