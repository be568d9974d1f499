/**
 * @module A dialog holding one form for one step: it keeps busy and error state, and stays open showing the API's
 * error when the step fails, so nothing typed is lost.
 */
import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import type { ApiError } from '../../api.ts';
import { Button, type ButtonVariant } from '../../ui/button.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { asApiError } from '../../use-resource.ts';
import { ErrorPanel } from '../error-panel.tsx';

/** A dialog holding one form: it keeps busy and error state, and stays open (showing the API's error) on failure. */
export const StepDialog = ({
  open,
  title,
  description,
  tone = 'default',
  submitLabel,
  submitVariant = 'primary',
  canSubmit = true,
  onClose,
  onSubmit,
  children,
  size,
  busyNote,
}: {
  open: boolean;
  title: string;
  description?: ReactNode;
  tone?: 'default' | 'danger';
  submitLabel: string;
  submitVariant?: ButtonVariant;
  canSubmit?: boolean;
  onClose: () => void;
  /** Resolves when done; throws to keep the dialog open with the error. */
  onSubmit: () => Promise<void>;
  children?: ReactNode;
  size?: 'md' | 'lg';
  /** Shown with a progress bar while the step runs, for steps that can take a while. */
  busyNote?: string;
}) => {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    if (!open) setError(null);
  }, [open]);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (!canSubmit) return;
    setBusy(true);
    setError(null);
    try {
      await onSubmit();
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={open}
      tone={tone}
      size={size}
      title={title}
      description={description}
      onClose={busy ? () => undefined : onClose}
    >
      <form className="form-stack" onSubmit={submit} noValidate>
        {error ? <ErrorPanel error={error} /> : null}
        {children}
        {busy && busyNote ? (
          <div className="progress">
            <progress aria-label={busyNote} />
            <span className="progress-label">{busyNote}</span>
          </div>
        ) : null}
        <div className="dialog-actions">
          <Button onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" variant={submitVariant} busy={busy} disabled={!canSubmit}>
            {submitLabel}
          </Button>
        </div>
      </form>
    </Dialog>
  );
};
