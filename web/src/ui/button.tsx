import type { ButtonHTMLAttributes, ReactNode } from 'react';
import { Link } from '../router.tsx';
import { Spinner } from './spinner.tsx';

export type ButtonVariant = 'primary' | 'secondary' | 'ghost' | 'danger';
type ButtonSize = 'md' | 'sm';

const classes = (variant: ButtonVariant, size: ButtonSize, extra?: string): string =>
  ['btn', `btn-${variant}`, size === 'sm' ? 'btn-sm' : '', extra ?? ''].filter(Boolean).join(' ');

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: ButtonVariant;
  size?: ButtonSize;
  icon?: ReactNode;
  /** Shows a spinner and blocks repeat clicks while a request is in flight. */
  busy?: boolean;
};

export const Button = ({
  variant = 'secondary',
  size = 'md',
  icon,
  busy = false,
  disabled,
  className,
  children,
  type = 'button',
  ...rest
}: ButtonProps) => (
  <button
    type={type}
    className={classes(variant, size, className)}
    disabled={disabled || busy}
    aria-busy={busy || undefined}
    {...rest}
  >
    {busy ? <Spinner size={16} label={null} /> : icon}
    <span>{children}</span>
  </button>
);

type LinkButtonProps = {
  to: string;
  variant?: ButtonVariant;
  size?: ButtonSize;
  icon?: ReactNode;
  children: ReactNode;
  className?: string;
};

export const LinkButton = ({ to, variant = 'secondary', size = 'md', icon, children, className }: LinkButtonProps) => (
  <Link to={to} className={classes(variant, size, className)}>
    {icon}
    <span>{children}</span>
  </Link>
);
