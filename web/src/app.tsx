import { type ReactNode, useEffect } from 'react';
import type { User } from './api.ts';
import { ComingSoonPage } from './pages/coming-soon-page.tsx';
import { NotFoundPage } from './pages/not-found-page.tsx';
import { AcceptInvitationPage } from './pages/portal/accept-invitation-page.tsx';
import { PortalColleaguesPage } from './pages/portal/colleagues-page.tsx';
import { PortalInboxPage } from './pages/portal/inbox-page.tsx';
import { PortalItemPage } from './pages/portal/item-page.tsx';
import { PortalOverviewPage } from './pages/portal/overview-page.tsx';
import { PortalSettingsPage } from './pages/portal/settings-page.tsx';
import { MyPrivacyPage } from './pages/privacy/my-privacy-page.tsx';
import { PrivacyRequestPage } from './pages/privacy/request-page.tsx';
import { PrivacyStatusPage } from './pages/privacy/status-page.tsx';
import { RightsDashboardPage } from './pages/rights/rights-dashboard-page.tsx';
import { RightsQueuePage } from './pages/rights/rights-queue-page.tsx';
import { RightsRequestPage } from './pages/rights/rights-request-page.tsx';
import { SignInPage } from './pages/sign-in-page.tsx';
import { AccountPage } from './pages/staff/account-page.tsx';
import { AccountsPage } from './pages/staff/accounts-page.tsx';
import { PersonPage } from './pages/staff/person-page.tsx';
import { PrivacyNoticePage } from './pages/staff/privacy-notice-page.tsx';
import { StaffCampaignsPage } from './pages/staff-campaigns-page.tsx';
import { StaffMessagesPage } from './pages/staff-messages-page.tsx';
import { StaffPostPage } from './pages/staff-post-page.tsx';
import { StaffVerifyPage } from './pages/staff-verify-page.tsx';
import { matchPath, navigate, usePath } from './router.tsx';
import { SessionProvider, useSession } from './session.tsx';
import { AppShell, type NavItem } from './shell/app-shell.tsx';
import {
  BookIcon,
  BuildingIcon,
  HomeIcon,
  InboxIcon,
  LockIcon,
  MailIcon,
  MessageIcon,
  ScaleIcon,
  ScrollIcon,
  SettingsIcon,
  ShieldIcon,
  SparkIcon,
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
  '/staff/audit': {
    title: 'Audit',
    description: 'Who looked at or changed personal data, and why.',
    promise: 'Search the tamper-evident audit log by person, staff member or date.',
    icon: <ScrollIcon size={28} />,
  },
};

const PORTAL_SOON: Record<string, ComingSoon> = {};

const STAFF_NAV: NavItem[] = [
  { to: STAFF_HOME, label: 'Accounts', icon: <BuildingIcon />, activePrefix: '/staff/accounts' },
  { to: '/staff/messages', label: 'Messages', icon: <MessageIcon /> },
  { to: '/staff/post', label: 'Post', icon: <MailIcon /> },
  { to: '/staff/verify', label: 'Verify caller', icon: <LockIcon /> },
  { to: '/staff/campaigns', label: 'Campaigns', icon: <SparkIcon /> },
  { to: '/staff/audit', label: 'Audit', icon: <ScrollIcon />, soon: true },
];

/** Only the roles the notice API lets in see this entry; the server refuses everyone else anyway. */
const PRIVACY_NOTICE_NAV: NavItem = { to: '/staff/privacy-notice', label: 'Privacy notice', icon: <BookIcon /> };
const PRIVACY_NOTICE_ROLES: readonly string[] = ['admin', 'privacy_officer'];
/** The same roles answer rights requests (issue 5). */
const RIGHTS_NAV: NavItem = {
  to: '/staff/rights-requests',
  label: 'Rights requests',
  icon: <ShieldIcon />,
  activePrefix: '/staff/rights-requests/',
};

const staffNav = (user: User): NavItem[] => {
  if (!PRIVACY_NOTICE_ROLES.includes(user.role)) return STAFF_NAV;
  const soon = STAFF_NAV.findIndex((item) => item.soon);
  const at = soon === -1 ? STAFF_NAV.length : soon;
  return [...STAFF_NAV.slice(0, at), RIGHTS_NAV, PRIVACY_NOTICE_NAV, ...STAFF_NAV.slice(at)];
};

const PORTAL_NAV: NavItem[] = [
  { to: PORTAL_HOME, label: 'Overview', icon: <HomeIcon /> },
  { to: '/portal/inbox', label: 'Inbox', icon: <InboxIcon />, activePrefix: '/portal/inbox/message/' },
  { to: '/portal/post', label: 'Post', icon: <MailIcon />, activePrefix: '/portal/inbox/post/' },
  { to: '/portal/colleagues', label: 'Colleagues', icon: <UsersIcon /> },
  { to: '/portal/settings', label: 'Settings', icon: <SettingsIcon /> },
  { to: '/portal/privacy', label: 'My privacy', icon: <ShieldIcon /> },
];

/** Owners answer the rights requests routed to their business (CC-11); colleagues do not see them. */
const PORTAL_RIGHTS_NAV: NavItem = {
  to: '/portal/rights-requests',
  label: 'Rights requests',
  icon: <ScaleIcon />,
  activePrefix: '/portal/rights-requests/',
};

const portalNav = (user: User): NavItem[] => {
  if (user.role !== 'owner') return PORTAL_NAV;
  const at = PORTAL_NAV.findIndex((item) => item.to === '/portal/settings');
  return [...PORTAL_NAV.slice(0, at), PORTAL_RIGHTS_NAV, ...PORTAL_NAV.slice(at)];
};

const staffPage = (path: string): ReactNode => {
  if (path === STAFF_HOME || path === '/staff/accounts') return <AccountsPage />;
  if (path === '/staff/campaigns') return <StaffCampaignsPage />;
  if (path === '/staff/messages') return <StaffMessagesPage />;
  if (path === '/staff/post') return <StaffPostPage />;
  if (path === '/staff/verify') return <StaffVerifyPage />;
  if (path === '/staff/privacy-notice') return <PrivacyNoticePage />;
  if (path === '/staff/rights-requests') return <RightsQueuePage audience="staff" />;
  if (path === '/staff/rights-requests/dashboard') return <RightsDashboardPage />;
  const rightsRequest = matchPath('/staff/rights-requests/:requestId', path);
  if (rightsRequest?.requestId) return <RightsRequestPage audience="staff" requestId={rightsRequest.requestId} />;
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
  if (path === '/portal/inbox') return <PortalInboxPage />;
  if (path === '/portal/post') return <PortalInboxPage initialType="post" />;
  if (path === '/portal/colleagues') return <PortalColleaguesPage />;
  if (path === '/portal/settings') return <PortalSettingsPage />;
  if (path === '/portal/privacy') return <MyPrivacyPage />;
  if (path === '/portal/rights-requests') return <RightsQueuePage audience="owner" />;
  const rightsPart = matchPath('/portal/rights-requests/:requestId', path);
  if (rightsPart?.requestId) return <RightsRequestPage audience="owner" requestId={rightsPart.requestId} />;
  const item = matchPath('/portal/inbox/:kind/:id', path);
  if (item?.id && (item.kind === 'message' || item.kind === 'post'))
    return <PortalItemPage kind={item.kind} id={item.id} />;
  const soon = PORTAL_SOON[path];
  if (soon) return <ComingSoonPage {...soon} />;
  return <NotFoundPage home={PORTAL_HOME} />;
};

const Routes = () => {
  const path = usePath();
  const { state } = useSession();

  // The privacy center is for anyone, signed in or not: it never waits for, or uses, a session.
  if (path === '/privacy/requests') return <PrivacyRequestPage />;
  if (path === '/privacy/requests/status') return <PrivacyStatusPage />;

  if (state.status === 'loading') {
    return (
      <main id="main" className="boot">
        <PageLoader label="Loading Custodian" />
      </main>
    );
  }

  // The invitation link works signed in or out: it creates a new sign-in, it does not use the current one.
  if (path === '/accept-invitation') return <AcceptInvitationPage />;

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
      nav={staff ? staffNav(user) : portalNav(user)}
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
