import { Link } from '../router.tsx';

/** The mark is a keyhole inside a shield: the product keeps things, and keeps them private. */
export const LogoMark = ({ size = 28 }: { size?: number }) => (
  <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false" className="logo-mark">
    <rect width="32" height="32" rx="8" fill="var(--accent-600)" />
    <path d="M16 6.5 8.5 9.3v6c0 4.8 3.1 8.6 7.5 10.2 4.4-1.6 7.5-5.4 7.5-10.2v-6z" fill="#fff" opacity="0.96" />
    <circle cx="16" cy="14.2" r="2.4" fill="var(--accent-700)" />
    <path d="M14.9 15.8h2.2l.7 4.4h-3.6z" fill="var(--accent-700)" />
  </svg>
);

export const Logo = ({ to = '/' }: { to?: string }) => (
  <Link to={to} className="logo" aria-label="Custodian home">
    <LogoMark />
    <span className="logo-text">Custodian</span>
  </Link>
);
