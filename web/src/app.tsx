import { type ReactNode, useEffect } from 'react';
import type { User } from './api.ts';
import { ComingSoonPage } from './pages/coming-soon-page.tsx';
import { NotFoundPage } from './pages/not-found-page.tsx';
import { PortalOverviewPage } from './pages/portal/overview-page.tsx';
import { SignInPage } from './pages/sign-in-page.tsx';
import { AccountPage } from './pages/staff/account-page.tsx';
import { AccountsPage } from './pages/staff/accounts-page.tsx';
import { PersonPage } from './pages/staff/person-page.tsx';
import { matchPath, navigate, usePath } from './router.tsx';
import { SessionProvider, useSession } from './session.tsx';
import { AppShell, type NavItem } from './shell/app-shell.tsx';
import {
  BuildingIcon,
  HomeIcon,
  InboxIcon,
  MailIcon,
  MessageIcon,
  ScrollIcon,
  SettingsIcon,
  ShieldIcon,
  UsersIcon,
} from './ui/icons.tsx';
import { PageLoader } from './ui/spinner.tsx';
import { ToastProvider } from './ui/toast.tsx';

const STAFF_HOME = '/staff';
const PORTAL_HOME = '/portal';

const homeFor = (user: User): string => (user.kind === 'staff' ? STAFF_HOME : PORTAL_HOME);

const belongsTo = (path: string, home: string): boolean => path === home || path.startsWith(`${home}/`);

/** Where a signed-out visitor was heading, so sign-in can take them there instead of the start page. */
let pendingPath: string | null = null;

const Redirect = ({ to }: { to: string }) => {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return <PageLoader />;
};

type ComingSoon = { title: string; description: string; promise: string; icon: ReactNode };

const STAFF_SOON: Record<string, ComingSoon> = {
  '/staff/messages': {
    title: 'Messages',
    description: 'Phone messages taken for client businesses.',
    promise: 'Take a message once and deliver it by e-mail or text, with a record of who saw it and when.',
    icon: <MessageIcon size={28} />,
  },
  '/staff/post': {
    title: 'Post',
    description: 'Letters and parcels received for clients.',
    promise: 'Log incoming post, scan it on request and track forwarding or collection.',
    icon: <MailIcon size={28} />,
  },
  '/staff/rights-requests': {
    title: 'Rights requests',
    description: 'Access, correction and erasure requests from the people you hold data about.',
    promise: 'Track every request against its legal deadline, from identity check to answer.',
    icon: <ShieldIcon size={28} />,
  },
  '/staff/audit': {
    title: 'Audit',
    description: 'Who looked at or changed personal data, and why.',
    promise: 'Search the tamper-evident audit log by person, staff member or date.',
    icon: <ScrollIcon size={28} />,
  },
};

const PORTAL_SOON: Record<string, ComingSoon> = {
  '/portal/inbox': {
    title: 'Inbox',
    description: 'Messages your answering team took for you.',
    promise: 'Read every message taken for you, mark it done and reply to the caller.',
    icon: <InboxIcon size={28} />,
  },
  '/portal/post': {
    title: 'Post',
    description: 'Letters and parcels received at your virtual office.',
    promise: 'See post as it arrives, ask for a scan and choose forwarding or collection.',
    icon: <MailIcon size={28} />,
  },
  '/portal/colleagues': {
    title: 'Colleagues',
    description: 'People at your business who can use this portal.',
    promise: 'Invite colleagues and decide what each of them can see.',
    icon: <UsersIcon size={28} />,
  },
  '/portal/settings': {
    title: 'Settings',
    description: 'How your answering service works for you.',
    promise: 'Set greetings, opening hours and where messages are delivered.',
    icon: <SettingsIcon size={28} />,
  },
  '/portal/privacy': {
    title: 'Privacy',
    description: 'What is kept about your callers, for how long, and why.',
    promise: 'Review retention periods and the purposes data is used for, and download your records.',
    icon: <ShieldIcon size={28} />,
  },
};

const STAFF_NAV: NavItem[] = [
  { to: STAFF_HOME, label: 'Accounts', icon: <BuildingIcon />, activePrefix: '/staff/accounts' },
  { to: '/staff/messages', label: 'Messages', icon: <MessageIcon />, soon: true },
  { to: '/staff/post', label: 'Post', icon: <MailIcon />, soon: true },
  { to: '/staff/rights-requests', label: 'Rights requests', icon: <ShieldIcon />, soon: true },
  { to: '/staff/audit', label: 'Audit', icon: <ScrollIcon />, soon: true },
];

const PORTAL_NAV: NavItem[] = [
  { to: PORTAL_HOME, label: 'Overview', icon: <HomeIcon /> },
  { to: '/portal/inbox', label: 'Inbox', icon: <InboxIcon />, soon: true },
  { to: '/portal/post', label: 'Post', icon: <MailIcon />, soon: true },
  { to: '/portal/colleagues', label: 'Colleagues', icon: <UsersIcon />, soon: true },
  { to: '/portal/settings', label: 'Settings', icon: <SettingsIcon />, soon: true },
  { to: '/portal/privacy', label: 'Privacy', icon: <ShieldIcon />, soon: true },
];

const staffPage = (path: string): ReactNode => {
  if (path === STAFF_HOME || path === '/staff/accounts') return <AccountsPage />;
  const person = matchPath('/staff/accounts/:accountId/people/:subjectId', path);
  if (person?.accountId && person.subjectId) {
    return <PersonPage accountId={person.accountId} subjectId={person.subjectId} />;
  }
  const account = matchPath('/staff/accounts/:accountId', path);
  if (account?.accountId) return <AccountPage accountId={account.accountId} />;
  const soon = STAFF_SOON[path];
  if (soon) return <ComingSoonPage {...soon} />;
  return <NotFoundPage home={STAFF_HOME} />;
};

const portalPage = (path: string): ReactNode => {
  if (path === PORTAL_HOME) return <PortalOverviewPage />;
  const soon = PORTAL_SOON[path];
  if (soon) return <ComingSoonPage {...soon} />;
  return <NotFoundPage home={PORTAL_HOME} />;
};

const Routes = () => {
  const path = usePath();
  const { state } = useSession();

  if (state.status === 'loading') {
    return (
      <main id="main" className="boot">
        <PageLoader label="Loading Custodian" />
      </main>
    );
  }

  if (state.status === 'signed-out') {
    if (path !== '/sign-in') {
      if (path !== '/' && state.reason !== 'signed-out') pendingPath = path;
      return <Redirect to="/sign-in" />;
    }
    return <SignInPage reason={state.reason} />;
  }

  const user = state.user;
  const home = homeFor(user);
  if (!belongsTo(path, home)) {
    const next = pendingPath && belongsTo(pendingPath, home) ? pendingPath : home;
    pendingPath = null;
    return <Redirect to={next} />;
  }

  const staff = user.kind === 'staff';
  return (
    <AppShell
      user={user}
      nav={staff ? STAFF_NAV : PORTAL_NAV}
      workspace={staff ? 'Staff workspace' : 'Client portal'}
      context={
        staff ? (
          <span className="topbar-title">Front desk</span>
        ) : (
          <span className="topbar-account">
            <BuildingIcon size={18} />
            <span className="topbar-title">{user.accountName ?? 'Your business'}</span>
          </span>
        )
      }
    >
      {/* Keyed on the path so each screen starts with fresh form and search state. */}
      <div key={path} className="page">
        {staff ? staffPage(path) : portalPage(path)}
      </div>
    </AppShell>
  );
};

export const App = () => (
  <ToastProvider>
    <SessionProvider>
      <Routes />
    </SessionProvider>
  </ToastProvider>
);
