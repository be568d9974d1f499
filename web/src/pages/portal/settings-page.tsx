import { useEffect, useState } from 'react';
import { formatDateTime } from '../../format.ts';
import { type AccountLifecycle, type ExportFormat, type NotificationMode, portalApi } from '../../portal-api.ts';
import { saveFile } from '../../save-file.ts';
import { useUser } from '../../session.tsx';
import { Alert } from '../../ui/alert.tsx';
import { StatusBadge } from '../../ui/badge.tsx';
import { Button } from '../../ui/button.tsx';
import { Card } from '../../ui/card.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { Field, Input, Select } from '../../ui/field.tsx';
import { DownloadIcon, TrashIcon } from '../../ui/icons.tsx';
import { PageHeader } from '../../ui/page-header.tsx';
import { SkeletonRows } from '../../ui/spinner.tsx';
import { useToast } from '../../ui/toast.tsx';
import { asApiError, useResource } from '../../use-resource.ts';
import { ErrorPanel } from '../error-panel.tsx';

const DELETE_WORD = 'DELETE ALL DATA';
const DEACTIVATE_WORD = 'DEACTIVATE';

const MODES: { value: NotificationMode; title: string; hint: string }[] = [
  { value: 'per_item', title: 'An e-mail for each item', hint: 'As soon as a message or post arrives.' },
  { value: 'daily_digest', title: 'A daily summary', hint: 'One e-mail each morning with what came in.' },
  { value: 'none', title: 'No e-mails', hint: 'Check the inbox yourself.' },
];

const NotificationsCard = () => {
  const current = useResource(() => portalApi.notifications(), []);
  const [mode, setMode] = useState<NotificationMode | null>(null);
  const [busy, setBusy] = useState(false);
  const toast = useToast();
  const value = mode ?? current.data?.mode ?? 'per_item';

  const save = async (): Promise<void> => {
    setBusy(true);
    try {
      await portalApi.setNotifications(value);
      toast.show('Notification choice saved');
    } catch (caught) {
      toast.show(asApiError(caught).message, 'danger');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title="Notifications" id="notifications" description="How you hear about new phone messages and post.">
      {current.status === 'loading' ? <SkeletonRows rows={3} label="Loading your choice" /> : null}
      {current.status === 'error' ? <ErrorPanel error={current.error} onRetry={current.reload} /> : null}
      {current.status === 'ready' ? (
        <div className="form-stack">
          <fieldset className="choice-list">
            <legend className="visually-hidden">E-mail me</legend>
            {MODES.map((m) => (
              <label key={m.value} className="choice">
                <input
                  type="radio"
                  name="notification-mode"
                  value={m.value}
                  checked={value === m.value}
                  onChange={() => setMode(m.value)}
                />
                <span>
                  <span className="choice-title">{m.title}</span>
                  <span className="choice-hint">{m.hint}</span>
                </span>
              </label>
            ))}
          </fieldset>
          <p className="muted">
            Urgent messages always e-mail you. These are service messages about your account, never marketing.
          </p>
          <div className="form-actions">
            <Button variant="primary" onClick={save} busy={busy}>
              Save choice
            </Button>
          </div>
        </div>
      ) : null}
    </Card>
  );
};

const ExportCard = () => {
  const [format, setFormat] = useState<ExportFormat>('xlsx');
  const [progress, setProgress] = useState<{ fraction: number; items: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const toast = useToast();

  const run = async (): Promise<void> => {
    setError(null);
    setProgress({ fraction: 0, items: 0 });
    try {
      const { blob, filename } = await portalApi.exportAll(format, (fraction, items) =>
        setProgress({ fraction, items }),
      );
      saveFile(blob, filename);
      toast.show(`Export downloaded: ${filename}`);
    } catch (caught) {
      setError(asApiError(caught).message);
    } finally {
      window.setTimeout(() => setProgress(null), 1_500);
    }
  };

  const percent = progress ? Math.round(progress.fraction * 100) : 0;
  return (
    <Card
      title="Export everything"
      id="export"
      description="Every phone message and post item, as a spreadsheet (one sheet each), CSV or JSON."
    >
      <div className="export-row">
        <Field label="Format">
          {(control) => (
            <Select
              {...control}
              value={format}
              onChange={(e) => setFormat(e.target.value as ExportFormat)}
              disabled={progress !== null}
            >
              <option value="xlsx">Excel (.xlsx)</option>
              <option value="csv">CSV</option>
              <option value="json">JSON</option>
            </Select>
          )}
        </Field>
        <Button icon={<DownloadIcon size={16} />} onClick={run} busy={progress !== null}>
          Export
        </Button>
      </div>
      {progress ? (
        <div className="progress">
          <div className="progress-label">
            <span id="export-progress-label">
              {progress.fraction >= 1 ? 'Export ready' : `Exporting ${progress.items.toLocaleString()} items…`}
            </span>
            <span aria-hidden="true">{percent}%</span>
          </div>
          <progress aria-labelledby="export-progress-label" max={100} value={percent} />
        </div>
      ) : null}
      {error ? <Alert tone="danger">{error}</Alert> : null}
    </Card>
  );
};

const ConfirmDialog = ({
  open,
  title,
  word,
  description,
  action,
  onClose,
  onConfirm,
}: {
  open: boolean;
  title: string;
  word: string;
  description: string;
  action: string;
  onClose: () => void;
  onConfirm: (typed: string) => Promise<void>;
}) => {
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const close = (): void => {
    setTyped('');
    setError(null);
    onClose();
  };

  const confirm = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm(typed);
      setTyped('');
    } catch (caught) {
      setError(asApiError(caught).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={open}
      tone="danger"
      title={title}
      onClose={close}
      description={<p>{description}</p>}
      footer={
        <>
          <Button onClick={close}>Keep everything</Button>
          <Button
            variant="danger"
            icon={<TrashIcon size={16} />}
            onClick={confirm}
            busy={busy}
            disabled={typed.trim() !== word}
          >
            {action}
          </Button>
        </>
      }
    >
      <Field
        label="Type the words to confirm"
        hint={
          <>
            Type <span className="confirm-word">{word}</span> exactly.
          </>
        }
        error={error ?? undefined}
      >
        {(control) => (
          <Input
            {...control}
            data-autofocus
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            autoComplete="off"
          />
        )}
      </Field>
    </Dialog>
  );
};

const DATE_ROWS: { key: keyof AccountLifecycle; label: string }[] = [
  { key: 'trialStartedAt', label: 'Free trial started' },
  { key: 'subscribedAt', label: 'Subscribed' },
  { key: 'cancelledAt', label: 'Cancelled' },
  { key: 'deactivatedAt', label: 'Deactivated' },
];

const AccountCard = ({ owner }: { owner: boolean }) => {
  const account = useResource(() => portalApi.account(), []);
  const [data, setData] = useState<AccountLifecycle | null>(null);
  const [busy, setBusy] = useState(false);
  const [deactivateOpen, setDeactivateOpen] = useState(false);
  const toast = useToast();
  const current = data ?? account.data ?? null;

  const change = async (to: 'subscribed' | 'cancelled'): Promise<void> => {
    setBusy(true);
    try {
      setData(await portalApi.setAccountStatus(to));
      toast.show(to === 'subscribed' ? 'Subscription started' : 'Subscription cancelled: service e-mails stop');
    } catch (caught) {
      toast.show(asApiError(caught).message, 'danger');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card
      title="Your account"
      id="account"
      description="Its status, and the date of each step, which retention periods run from."
    >
      {account.status === 'error' ? <ErrorPanel error={account.error} onRetry={account.reload} /> : null}
      {current ? (
        <div className="form-stack">
          <dl className="details">
            <div>
              <dt>Status</dt>
              <dd>
                <StatusBadge status={current.status} />
              </dd>
            </div>
            {DATE_ROWS.filter((row) => current[row.key]).map((row) => (
              <div key={row.key}>
                <dt>{row.label}</dt>
                <dd>{formatDateTime(String(current[row.key]))}</dd>
              </div>
            ))}
          </dl>
          {owner && current.status !== 'deactivated' ? (
            <div className="item-actions">
              {current.status === 'trial' || current.status === 'cancelled' ? (
                <Button variant="primary" onClick={() => void change('subscribed')} busy={busy}>
                  Subscribe
                </Button>
              ) : null}
              {current.status === 'trial' || current.status === 'subscribed' ? (
                <Button onClick={() => void change('cancelled')} busy={busy}>
                  Cancel subscription
                </Button>
              ) : null}
              <Button variant="ghost" onClick={() => setDeactivateOpen(true)}>
                Deactivate account…
              </Button>
            </div>
          ) : null}
          {current.status === 'cancelled' ? (
            <p className="muted">Cancelled accounts receive no service e-mails.</p>
          ) : null}
          {current.status === 'deactivated' ? (
            <p className="muted">A deactivated account is sent nothing but what the law requires.</p>
          ) : null}
        </div>
      ) : (
        <SkeletonRows rows={3} label="Loading your account" />
      )}
      <ConfirmDialog
        open={deactivateOpen}
        title="Deactivate your account?"
        word={DEACTIVATE_WORD}
        description="We stop the service and every e-mail except those the law requires. The dates are kept for the retention periods."
        action="Deactivate"
        onClose={() => setDeactivateOpen(false)}
        onConfirm={async (typed) => {
          setData(await portalApi.setAccountStatus('deactivated', typed));
          setDeactivateOpen(false);
          toast.show('Account deactivated');
        }}
      />
    </Card>
  );
};

const DeleteAllCard = () => {
  const [open, setOpen] = useState(false);
  const [result, setResult] = useState<{ counts: Record<string, number>; receipt: string } | null>(null);

  return (
    <Card title="Delete all data" id="delete-all" className="settings-wide">
      <div className="rights-item rights-item-danger">
        <div>
          <h3 className="rights-title">Delete every phone message, post item and scan</h3>
          <p className="muted">
            Also the callers’ and senders’ details and the search index. Their encryption keys are destroyed, so not
            even a backup can be read. Your account stays open. You get a receipt by e-mail.
          </p>
        </div>
        <Button variant="danger" icon={<TrashIcon size={16} />} onClick={() => setOpen(true)}>
          Delete all data…
        </Button>
      </div>
      {result ? (
        <Alert tone="success" title="All data deleted">
          {result.counts.phoneMessages ?? 0} phone messages, {result.counts.postItems ?? 0} post items and{' '}
          {result.counts.files ?? 0} scans were deleted.
          {result.receipt === 'sent' ? ' A receipt is on its way to your e-mail.' : ''}
        </Alert>
      ) : null}
      <ConfirmDialog
        open={open}
        title="Delete all data?"
        word={DELETE_WORD}
        description="This cannot be undone. Export first if you want a copy."
        action="Delete everything"
        onClose={() => setOpen(false)}
        onConfirm={async (typed) => {
          const done = await portalApi.deleteAll(typed);
          setResult(done);
          setOpen(false);
        }}
      />
    </Card>
  );
};

export const PortalSettingsPage = () => {
  const user = useUser();
  const owner = user.role === 'owner';

  useEffect(() => {
    document.title = 'Settings · Custodian';
  }, []);

  return (
    <>
      <PageHeader title="Settings" description="Notifications, your data, and your account." />
      <div className="settings-grid">
        <NotificationsCard />
        <AccountCard owner={owner} />
        {owner ? <ExportCard /> : null}
        {owner ? <DeleteAllCard /> : null}
      </div>
    </>
  );
};
