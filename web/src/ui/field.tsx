import { type ComponentProps, type ReactNode, useId } from 'react';
import { AlertIcon } from './icons.tsx';

export type ControlProps = {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
};

type FieldProps = {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  optional?: boolean;
  className?: string;
  /** Render prop so the field can wire id, description and invalid state into any control. */
  children: (control: ControlProps) => ReactNode;
};

export const Field = ({ label, hint, error, optional, className, children }: FieldProps) => {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ');
  return (
    <div className={['field', error ? 'field-invalid' : '', className ?? ''].filter(Boolean).join(' ')}>
      <label className="field-label" htmlFor={id}>
        {label}
        {optional ? <span className="field-optional"> (optional)</span> : null}
      </label>
      {children({
        id,
        'aria-describedby': describedBy || undefined,
        'aria-invalid': error ? true : undefined,
      })}
      {hint ? (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={errorId}>
          <AlertIcon size={14} />
          {error}
        </p>
      ) : null}
    </div>
  );
};

export const Input = ({ className, ...rest }: ComponentProps<'input'>) => (
  <input className={['input', className ?? ''].filter(Boolean).join(' ')} {...rest} />
);

export const Textarea = ({ className, ...rest }: ComponentProps<'textarea'>) => (
  <textarea className={['input', 'textarea', className ?? ''].filter(Boolean).join(' ')} {...rest} />
);

export const Select = ({ className, ...rest }: ComponentProps<'select'>) => (
  <select className={['input', 'select', className ?? ''].filter(Boolean).join(' ')} {...rest} />
);
