import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from 'react';
import type { Account, ApiError } from '../api.ts';
import { formatDateTime } from '../format.ts';
import { useSession } from '../session.tsx';
import { type Delivery, type KnownCaller, type MessageReceipt, officeApi, type Urgency } from '../staff-office-api.ts';
import { Alert } from '../ui/alert.tsx';
import { Badge } from '../ui/badge.tsx';
import { Button } from '../ui/button.tsx';
import { Card } from '../ui/card.tsx';
import { EmptyState } from '../ui/empty-state.tsx';
import { Field, Input, Textarea } from '../ui/field.tsx';
import { MessageIcon, UsersIcon } from '../ui/icons.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useToast } from '../ui/toast.tsx';
import { asApiError } from '../use-resource.ts';
import { ErrorPanel } from './error-panel.tsx';
import { ClientPicker } from './staff-client-picker.tsx';

type Form = {
  callerName: string;
  company: string;
  phone: string;
  email: string;
  reason: string;
  message: string;
  urgency: Urgency;
  callbackRequested: boolean;
  callAt: string;
};

/** `YYYY-MM-DDTHH:mm` in local time, as a datetime-local input wants it. */
const localNow = (): string => {
  const now = new Date();
  now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
  return now.toISOString().slice(0, 16);
};

const emptyForm = (): Form => ({
  callerName: '',
  company: '',
  phone: '',
  email: '',
  reason: '',
  message: '',
  urgency: 'normal',
  callbackRequested: false,
  callAt: localNow(),
});

const validate = (form: Form, client: Account | null): Record<string, string> => {
  const errors: Record<string, string> = {};
  if (!client) errors.client = 'Choose the client this call is for.';
  if (!form.callerName.trim()) errors.callerName = 'Enter the caller’s name.';
  if (!form.phone.trim() && !form.email.trim()) {
    errors.phone = 'Enter a number or an e-mail address, so the client can reach the caller.';
    errors.email = 'Enter an e-mail address or a number.';
  }
  if (form.email.trim() && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(form.email.trim()))
    errors.email = 'Enter an e-mail address like name@example.com.';
  if (!form.message.trim()) errors.message = 'Write the message.';
  return errors;
};

const FIELD_ORDER = ['client', 'callerName', 'phone', 'email', 'message'];

export const StaffMessagesPage = () => {
  const toast = useToast();
  const { state } = useSession();
  const takenBy = state.status === 'signed-in' ? state.user.displayName : '';
  const [client, setClient] = useState<Account | null>(null);
  const [form, setForm] = useState<Form>(emptyForm);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [receipt, setReceipt] = useState<(MessageReceipt & { callerName: string; accountId: string }) | null>(null);
  const [known, setKnown] = useState<KnownCaller | null>(null);
  const idempotencyKey = useRef(crypto.randomUUID());
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    document.title = 'Messages · Custodian';
  }, []);

  // The known-caller panel follows the number and e-mail as they are typed (debounced, exact match only).
  useEffect(() => {
    const phone = form.phone.trim();
    const email = form.email.trim();
    const usablePhone = phone.replace(/\D/g, '').length >= 6 ? phone : '';
    const usableEmail = /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? email : '';
    if (!client || (!usablePhone && !usableEmail)) {
      setKnown(null);
      return;
    }
    let current = true;
    const timer = window.setTimeout(() => {
      officeApi
        .findCaller(client.id, { phone: usablePhone, email: usableEmail })
        .then((found) => current && setKnown(found))
        .catch(() => current && setKnown(null));
    }, 350);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [client, form.phone, form.email]);

  const update =
    <K extends keyof Form>(key: K) =>
    (value: Form[K]) => {
      setForm((previous) => ({ ...previous, [key]: value }));
      if (errors[key]) setErrors(({ [key]: _dropped, ...rest }) => rest);
    };

  const submit = async (event?: FormEvent): Promise<void> => {
    event?.preventDefault();
    setFormError(null);
    const found = validate(form, client);
    setErrors(found);
    if (Object.keys(found).length > 0 || !client) {
      const first = FIELD_ORDER.find((f) => found[f]);
      document.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
      return;
    }
    setBusy(true);
    try {
      const optional = (v: string) => (v.trim() ? v.trim() : undefined);
      const result = await officeApi.takeMessage(client.id, {
        callerName: form.callerName.trim(),
        company: optional(form.company),
        phone: optional(form.phone),
        email: optional(form.email),
        reason: optional(form.reason),
        message: form.message.trim(),
        urgency: form.urgency,
        callbackRequested: form.callbackRequested,
        callAt: form.callAt ? new Date(form.callAt).toISOString() : undefined,
        idempotencyKey: idempotencyKey.current,
      });
      setReceipt({ ...result, callerName: form.callerName.trim(), accountId: client.id });
      idempotencyKey.current = crypto.randomUUID();
      setForm(emptyForm());
      setKnown(null);
      toast.show(result.urgency === 'urgent' ? 'Urgent message taken; notifying the client' : 'Message taken');
      document.querySelector<HTMLElement>('[name="callerName"]')?.focus();
    } catch (caught) {
      const error = asApiError(caught);
      const fieldErrors: Record<string, string> = {};
      for (const [path, message] of Object.entries(error.fieldErrors))
        fieldErrors[path.replace(/^body\./, '')] = message;
      if (Object.keys(fieldErrors).length > 0) setErrors(fieldErrors);
      else setFormError(error);
    } finally {
      setBusy(false);
    }
  };

  const ctrlEnter = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      formRef.current?.requestSubmit();
    }
  };

  return (
    <>
      <PageHeader
        title="Messages"
        description="Take a phone message for a client. Urgent messages are e-mailed to the client at once."
      />
      <div className="office-grid">
        <Card title="Take a message" id="take-message" description={takenBy ? `Taken by ${takenBy}` : undefined}>
          {formError ? <ErrorPanel error={formError} /> : null}
          <form ref={formRef} className="form-stack" onSubmit={submit} noValidate aria-label="Take a phone message">
            <ClientPicker value={client} onChange={setClient} autoFocus error={errors.client} />
            <div className="form-row">
              <Field label="Caller’s name" error={errors.callerName}>
                {(control) => (
                  <Input
                    {...control}
                    name="callerName"
                    autoComplete="off"
                    value={form.callerName}
                    onChange={(e) => update('callerName')(e.target.value)}
                  />
                )}
              </Field>
              <Field label="Company" optional error={errors.company}>
                {(control) => (
                  <Input
                    {...control}
                    name="company"
                    autoComplete="off"
                    value={form.company}
                    onChange={(e) => update('company')(e.target.value)}
                  />
                )}
              </Field>
            </div>
            <div className="form-row">
              <Field label="Phone number" error={errors.phone} hint="A number or an e-mail address is needed.">
                {(control) => (
                  <Input
                    {...control}
                    name="phone"
                    type="tel"
                    autoComplete="off"
                    value={form.phone}
                    onChange={(e) => update('phone')(e.target.value)}
                  />
                )}
              </Field>
              <Field label="E-mail" optional error={errors.email}>
                {(control) => (
                  <Input
                    {...control}
                    name="email"
                    type="email"
                    autoComplete="off"
                    value={form.email}
                    onChange={(e) => update('email')(e.target.value)}
                  />
                )}
              </Field>
            </div>
            <div className="form-row">
              <Field label="Reason for calling" optional error={errors.reason}>
                {(control) => (
                  <Input
                    {...control}
                    name="reason"
                    autoComplete="off"
                    value={form.reason}
                    onChange={(e) => update('reason')(e.target.value)}
                  />
                )}
              </Field>
              <Field label="Call time" error={errors.callAt}>
                {(control) => (
                  <Input
                    {...control}
                    name="callAt"
                    type="datetime-local"
                    value={form.callAt}
                    onChange={(e) => update('callAt')(e.target.value)}
                  />
                )}
              </Field>
            </div>
            <Field label="Message" error={errors.message} hint="Stored encrypted. Ctrl+Enter takes the message.">
              {(control) => (
                <Textarea
                  {...control}
                  name="message"
                  rows={5}
                  value={form.message}
                  onKeyDown={ctrlEnter}
                  onChange={(e) => update('message')(e.target.value)}
                />
              )}
            </Field>
            <div className="choice-row">
              <fieldset className="segmented" aria-label="Urgency">
                <label>
                  <input
                    type="radio"
                    name="urgency"
                    value="normal"
                    checked={form.urgency === 'normal'}
                    onChange={() => update('urgency')('normal')}
                  />
                  Normal
                </label>
                <label className="segmented-urgent">
                  <input
                    type="radio"
                    name="urgency"
                    value="urgent"
                    checked={form.urgency === 'urgent'}
                    onChange={() => update('urgency')('urgent')}
                  />
                  Urgent
                </label>
              </fieldset>
              <label className="check">
                <input
                  type="checkbox"
                  name="callbackRequested"
                  checked={form.callbackRequested}
                  onChange={(e) => update('callbackRequested')(e.target.checked)}
                />
                Call back requested
              </label>
            </div>
            <div className="form-actions">
              <span className="kbd-hint">
                <kbd>Enter</kbd> in a field or <kbd>Ctrl</kbd>+<kbd>Enter</kbd> in the message
              </span>
              <Button type="submit" variant="primary" icon={<MessageIcon size={16} />} busy={busy}>
                {form.urgency === 'urgent' ? 'Take urgent message' : 'Take message'}
              </Button>
            </div>
          </form>
        </Card>
        <div className="office-side">
          {receipt ? <ReceiptCard receipt={receipt} /> : null}
          <KnownCallerCard known={known} />
        </div>
      </div>
    </>
  );
};

const STATUS_TONE = { queued: 'neutral', sent: 'success', failed: 'danger' } as const;
const STATUS_LABEL = { queued: 'Sending…', sent: 'Delivered', failed: 'Failed' } as const;

const ReceiptCard = ({ receipt }: { receipt: MessageReceipt & { callerName: string; accountId: string } }) => {
  const [deliveries, setDeliveries] = useState<Delivery[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  // Poll briefly: sending starts right after the message is saved and usually takes a second or two.
  useEffect(() => {
    if (receipt.notifications === 0) return;
    let current = true;
    let tries = 0;
    const poll = async (): Promise<void> => {
      try {
        const list = await officeApi.deliveries(receipt.accountId, receipt.messageId);
        if (!current) return;
        setDeliveries(list);
        tries += 1;
        if (list.some((d) => d.status === 'queued') && tries < 30) window.setTimeout(() => void poll(), 1000);
      } catch (caught) {
        if (current) setError(asApiError(caught));
      }
    };
    void poll();
    return () => {
      current = false;
    };
  }, [receipt]);

  return (
    <Card title="Message taken" id="message-receipt">
      <Alert tone="success" title={receipt.replayed ? 'Already recorded' : `Message from ${receipt.callerName} saved`}>
        <p>
          {receipt.linkedExisting
            ? 'Linked to a caller this client already knows (same number or e-mail).'
            : 'A new caller record was created for this client.'}
        </p>
      </Alert>
      {receipt.notifications > 0 ? (
        <section aria-labelledby="delivery-title" aria-live="polite">
          <h3 id="delivery-title" className="card-title" style={{ margin: '16px 0 8px' }}>
            {deliveries?.some((d) => d.channel === 'sms')
              ? 'Urgent e-mail and text message to the client'
              : 'Urgent e-mail to the client'}
          </h3>
          {error ? <ErrorPanel error={error} /> : null}
          <ul className="delivery-list">
            {(deliveries ?? []).map((d) => (
              <li key={d.id} className="delivery-item">
                <span>
                  {d.recipient ?? 'Unknown user'}{' '}
                  <span className="muted">
                    ({d.role === 'owner' ? 'owner' : 'colleague'}){d.channel === 'sms' ? ', text message' : ', e-mail'}
                  </span>
                </span>
                <Badge tone={STATUS_TONE[d.status]}>
                  {STATUS_LABEL[d.status]}
                  {d.status === 'sent' && d.sentAt ? ` ${formatDateTime(d.sentAt)}` : ''}
                </Badge>
              </li>
            ))}
            {deliveries === null ? <li className="muted">Checking delivery…</li> : null}
          </ul>
          {deliveries?.some((d) => d.status === 'failed') ? (
            <Alert tone="warning" title="Not every notification was delivered">
              <p>Phone the client to pass on this urgent message.</p>
            </Alert>
          ) : null}
        </section>
      ) : receipt.urgency === 'urgent' ? (
        <Alert tone="warning" title="No one to notify">
          <p>This client has no user who may see messages. Phone the client to pass it on.</p>
        </Alert>
      ) : null}
    </Card>
  );
};

const KnownCallerCard = ({ known }: { known: KnownCaller | null }) => (
  <Card
    title="Known caller"
    id="known-caller"
    description="Matched by the exact number or e-mail, for this client only."
  >
    <div aria-live="polite">
      {known?.caller ? (
        <>
          <p>
            <strong>{known.caller.name ?? 'Unnamed caller'}</strong>
            <span className="muted"> · {[known.caller.phone, known.caller.email].filter(Boolean).join(' · ')}</span>
          </p>
          {known.messages.length > 0 ? (
            <>
              <h3 className="card-title" style={{ margin: '12px 0 8px' }}>
                Earlier messages ({known.messages.length})
              </h3>
              <ul className="earlier-list">
                {known.messages.map((m) => (
                  <li key={m.id} className="earlier-item">
                    <div className="earlier-meta">
                      <span>{formatDateTime(m.callAt)}</span>
                      {m.urgency === 'urgent' ? <Badge tone="danger">Urgent</Badge> : null}
                      {m.reason ? <span>· {m.reason}</span> : null}
                    </div>
                    <p className="earlier-body">{m.body ?? '(no longer readable)'}</p>
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <p className="muted">No earlier messages for this client.</p>
          )}
        </>
      ) : (
        <EmptyState icon={<UsersIcon size={26} />} title={known ? 'New caller' : 'No caller yet'} headingLevel={3}>
          <p>
            {known
              ? 'This client has no caller with that number or e-mail.'
              : 'Type a number or e-mail to see whether this client knows the caller.'}
          </p>
        </EmptyState>
      )}
    </div>
  </Card>
);
