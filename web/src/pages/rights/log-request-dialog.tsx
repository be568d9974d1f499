/**
 * @module Staff log a request that arrived by phone, e-mail or post, with the identity check they made. With a check
 * the clock starts at once; without one the request waits in "Identity check" until it is recorded.
 */
import { type FormEvent, useEffect, useState } from 'react';
import type { ApiError } from '../../api.ts';
import { type IdentityCheck, type LogRequestInput, REQUEST_KINDS, staffRightsApi } from '../../rights-api.ts';
import { navigate } from '../../router.tsx';
import { Button } from '../../ui/button.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { Field, Input, Select, Textarea } from '../../ui/field.tsx';
import { useToast } from '../../ui/toast.tsx';
import { asApiError } from '../../use-resource.ts';
import { ErrorPanel } from '../error-panel.tsx';
import { KIND_DESCRIPTION, KIND_LABEL, requestPath, rightsScope } from './rights-shared.tsx';

type Check = IdentityCheck['method'] | 'none';

const EMPTY = {
  kind: 'access' as LogRequestInput['kind'],
  channel: 'phone' as LogRequestInput['channel'],
  name: '',
  email: '',
  phone: '',
  details: '',
  check: 'phone' as Check,
  note: '',
};

export const LogRequestDialog = ({ open, onClose }: { open: boolean; onClose: () => void }) => {
  const [form, setForm] = useState(EMPTY);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [submitted, setSubmitted] = useState(false);
  const toast = useToast();

  useEffect(() => {
    if (!open) {
      setForm(EMPTY);
      setError(null);
      setServerErrors({});
      setSubmitted(false);
    }
  }, [open]);

  const set = (patch: Partial<typeof EMPTY>): void => {
    setForm((f) => ({ ...f, ...patch }));
    // A server message is about what was sent; once the field changes it no longer applies.
    setServerErrors((errors) =>
      Object.fromEntries(Object.entries(errors).filter(([key]) => !Object.keys(patch).some((k) => key.includes(k)))),
    );
  };

  const validate = (): Record<string, string> => {
    const errors: Record<string, string> = {};
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(form.email.trim())) errors.email = 'Enter the e-mail address to reply to';
    if (form.check !== 'none' && form.note.trim().length < 3) {
      errors['verification.note'] = 'Say how you checked, e.g. “Answered the account security questions”';
    }
    return errors;
  };

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(validate()).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      const input: LogRequestInput = {
        kind: form.kind,
        channel: form.channel,
        email: form.email.trim(),
        ...(form.name.trim() ? { name: form.name.trim() } : {}),
        ...(form.phone.trim() ? { phone: form.phone.trim() } : {}),
        ...(form.details.trim() ? { details: form.details.trim() } : {}),
        verification: form.check === 'none' ? null : { method: form.check, note: form.note.trim() },
      };
      const { requestId } = await staffRightsApi.log(input);
      toast.show(
        form.check === 'none' ? 'Request logged. Record the identity check to start the clock.' : 'Request logged',
      );
      onClose();
      navigate(requestPath(rightsScope('staff'), requestId));
    } catch (caught) {
      const apiError = asApiError(caught);
      setServerErrors(apiError.fieldErrors);
      setError(apiError);
    } finally {
      setBusy(false);
    }
  };

  // Checked as the user types once they have tried to submit, so a fixed field clears its message at once.
  const fieldErrors = { ...serverErrors, ...(submitted ? validate() : {}) };

  return (
    <Dialog
      open={open}
      size="lg"
      title="Log a rights request"
      onClose={busy ? () => undefined : onClose}
      description={
        <p>For a request made by phone, e-mail or letter. The person gets an e-mail with a link to follow it.</p>
      }
    >
      <form className="form-stack" onSubmit={submit} noValidate>
        {error ? <ErrorPanel error={error} /> : null}
        <div className="form-row">
          <Field label="What they asked for" hint={KIND_DESCRIPTION[form.kind]}>
            {(control) => (
              <Select
                {...control}
                data-autofocus
                value={form.kind}
                onChange={(e) => set({ kind: e.target.value as LogRequestInput['kind'] })}
              >
                {REQUEST_KINDS.map((kind) => (
                  <option key={kind} value={kind}>
                    {KIND_LABEL[kind]}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <fieldset className="fieldset">
            <legend className="field-label">Received by</legend>
            <div className="segmented">
              {(['phone', 'email', 'post'] as const).map((channel) => (
                <label key={channel}>
                  <input
                    type="radio"
                    name="channel"
                    value={channel}
                    checked={form.channel === channel}
                    onChange={() => set({ channel })}
                  />
                  {channel === 'phone' ? 'Phone' : channel === 'email' ? 'E-mail' : 'Post'}
                </label>
              ))}
            </div>
          </fieldset>
        </div>
        <div className="form-row">
          <Field label="Name" optional>
            {(control) => (
              <Input
                {...control}
                autoComplete="off"
                value={form.name}
                onChange={(e) => set({ name: e.target.value })}
              />
            )}
          </Field>
          <Field label="E-mail address" error={fieldErrors.email} hint="Where the answer and status link go.">
            {(control) => (
              <Input
                {...control}
                type="email"
                autoComplete="off"
                required
                value={form.email}
                onChange={(e) => set({ email: e.target.value })}
              />
            )}
          </Field>
        </div>
        <Field label="Phone" optional error={fieldErrors.phone} hint="Also used to find their records once checked.">
          {(control) => (
            <Input
              {...control}
              type="tel"
              autoComplete="off"
              value={form.phone}
              onChange={(e) => set({ phone: e.target.value })}
            />
          )}
        </Field>
        <Field label="What they said" optional error={fieldErrors.details}>
          {(control) => (
            <Textarea
              {...control}
              rows={3}
              maxLength={4000}
              value={form.details}
              onChange={(e) => set({ details: e.target.value })}
            />
          )}
        </Field>
        <fieldset className="fieldset">
          <legend className="field-label">Identity check</legend>
          <div className="choice-list">
            <CheckChoice
              value="phone"
              current={form.check}
              onChange={(check) => set({ check })}
              title="Checked by phone"
              hint="They answered the security questions on a call."
            />
            <CheckChoice
              value="document"
              current={form.check}
              onChange={(check) => set({ check })}
              title="Checked a document"
              hint="A copy of an ID document or a recent bill, sent by post or e-mail."
            />
            <CheckChoice
              value="none"
              current={form.check}
              onChange={(check) => set({ check })}
              title="Not checked yet"
              hint="The clock waits until you record the check."
            />
          </div>
        </fieldset>
        {form.check === 'none' ? null : (
          <Field
            label="How you checked"
            error={fieldErrors['verification.note']}
            hint="What was checked, not the document's number or the answers themselves."
          >
            {(control) => (
              <Input
                {...control}
                autoComplete="off"
                maxLength={500}
                value={form.note}
                onChange={(e) => set({ note: e.target.value })}
              />
            )}
          </Field>
        )}
        <div className="dialog-actions">
          <Button onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" busy={busy}>
            Log request
          </Button>
        </div>
      </form>
    </Dialog>
  );
};

const CheckChoice = ({
  value,
  current,
  onChange,
  title,
  hint,
}: {
  value: Check;
  current: Check;
  onChange: (value: Check) => void;
  title: string;
  hint: string;
}) => (
  <label className="choice">
    <input
      type="radio"
      name="identity-check"
      value={value}
      checked={current === value}
      onChange={() => onChange(value)}
    />
    <span>
      <span className="choice-title">{title}</span>
      <span className="choice-hint">{hint}</span>
    </span>
  </label>
);
