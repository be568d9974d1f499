import { type ReactNode, useEffect, useRef, useState } from 'react';
import type { User } from '../api.ts';
import { initials } from '../format.ts';
import { Link, usePath } from '../router.tsx';
import { roleLabel, useSession } from '../session.tsx';
import { Button } from '../ui/button.tsx';
import { CloseIcon, LogOutIcon, MenuIcon } from '../ui/icons.tsx';
import { Logo, LogoMark } from './logo.tsx';

export type NavItem = {
  to: string;
  label: string;
  icon: ReactNode;
  /** Also highlight this item for paths below this prefix, e.g. an account page under Accounts. */
  activePrefix?: string;
  soon?: boolean;
};

const isActive = (item: NavItem, path: string): boolean =>
  path === item.to || (item.activePrefix !== undefined && path.startsWith(item.activePrefix));

type AppShellProps = {
  user: User;
  nav: NavItem[];
  /** Shown at the top of the sidebar under the logo: which workspace this is. */
  workspace: string;
  /** Left side of the top bar. */
  context: ReactNode;
  children: ReactNode;
};

export const AppShell = ({ user, nav, workspace, context, children }: AppShellProps) => {
  const path = usePath();
  const { signOut } = useSession();
  const [menuOpen, setMenuOpen] = useState(false);
  const [signingOut, setSigningOut] = useState(false);
  const mainRef = useRef<HTMLElement>(null);
  const menuButtonRef = useRef<HTMLButtonElement>(null);
  const closeButtonRef = useRef<HTMLButtonElement>(null);
  const menuWasOpen = useRef(false);
  const firstRender = useRef(true);

  // After client-side navigation, move focus to the new content as a full page load would,
  // so screen-reader and keyboard users are not left on a link that no longer matters.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every path change by design
  useEffect(() => {
    setMenuOpen(false);
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    mainRef.current?.focus({ preventScroll: true });
  }, [path]);

  // The phone drawer takes focus when it opens and gives it back to the menu button when it closes.
  useEffect(() => {
    if (menuOpen) closeButtonRef.current?.focus();
    else if (menuWasOpen.current && document.activeElement?.closest('#app-sidebar, .shell-scrim')) {
      menuButtonRef.current?.focus();
    }
    menuWasOpen.current = menuOpen;
  }, [menuOpen]);

  useEffect(() => {
    if (!menuOpen) return;
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape') setMenuOpen(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [menuOpen]);

  const handleSignOut = async (): Promise<void> => {
    setSigningOut(true);
    await signOut();
  };

  return (
    <div className={menuOpen ? 'shell shell-menu-open' : 'shell'}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      {/* The whole sidebar is the navigation landmark, so brand and footer are not stray content. */}
      <nav aria-label="Main" className="sidebar" id="app-sidebar">
        <div className="sidebar-brand">
          <Logo />
          <span className="sidebar-workspace">{workspace}</span>
          <button
            ref={closeButtonRef}
            type="button"
            className="icon-button sidebar-close"
            onClick={() => {
              setMenuOpen(false);
              menuButtonRef.current?.focus();
            }}
            aria-label="Close menu"
          >
            <CloseIcon />
          </button>
        </div>
        <div className="sidebar-nav">
          <ul>
            {nav.map((item) => {
              const active = isActive(item, path);
              return (
                <li key={item.to}>
                  <Link
                    to={item.to}
                    className={active ? 'nav-link nav-link-active' : 'nav-link'}
                    aria-current={active ? 'page' : undefined}
                  >
                    {item.icon}
                    <span className="nav-label">{item.label}</span>
                    {item.soon ? <span className="nav-soon">Soon</span> : null}
                  </Link>
                </li>
              );
            })}
          </ul>
        </div>
        <div className="sidebar-footer">
          <span className="sidebar-footer-dot" aria-hidden="true" />
          Encrypted and audited
        </div>
      </nav>
      {menuOpen ? <div className="shell-scrim" onClick={() => setMenuOpen(false)} aria-hidden="true" /> : null}
      <div className="shell-main">
        <header className="topbar">
          <button
            ref={menuButtonRef}
            type="button"
            className="icon-button topbar-menu"
            aria-label="Open menu"
            aria-expanded={menuOpen}
            aria-controls="app-sidebar"
            onClick={() => setMenuOpen(true)}
          >
            <MenuIcon />
          </button>
          <span className="topbar-logo" aria-hidden="true">
            <LogoMark size={26} />
          </span>
          <div className="topbar-context">{context}</div>
          <div className="topbar-user">
            <span className="avatar" aria-hidden="true">
              {initials(user.displayName)}
            </span>
            <span className="topbar-user-text">
              <span className="topbar-user-name">{user.displayName}</span>
              <span className="topbar-user-role">{roleLabel(user.role)}</span>
            </span>
            <Button
              size="sm"
              variant="ghost"
              className="topbar-signout"
              icon={<LogOutIcon size={16} />}
              onClick={handleSignOut}
              busy={signingOut}
            >
              Sign out
            </Button>
          </div>
        </header>
        <main id="main" className="main" ref={mainRef} tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  );
};
