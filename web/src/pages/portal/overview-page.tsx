import { type ReactNode, useEffect } from 'react';
import { api } from '../../api.ts';
import { Link } from '../../router.tsx';
import { useUser } from '../../session.tsx';
import { StatusBadge } from '../../ui/badge.tsx';
import { Card } from '../../ui/card.tsx';
import { ChevronRightIcon, InboxIcon, LockIcon, MailIcon, NoteIcon, ShieldIcon, UsersIcon } from '../../ui/icons.tsx';
import { PageHeader } from '../../ui/page-header.tsx';
import { Skeleton } from '../../ui/spinner.tsx';
import { useResource } from '../../use-resource.ts';
import { ErrorPanel } from '../error-panel.tsx';

const StatCard = ({ label, value, icon, hint }: { label: string; value: ReactNode; icon: ReactNode; hint: string }) => (
  <section className="stat" aria-label={label}>
    <div className="stat-icon" aria-hidden="true">
      {icon}
    </div>
    <div>
      <h2 className="stat-label">{label}</h2>
      <p className="stat-value">{value}</p>
      <p className="stat-hint">{hint}</p>
    </div>
  </section>
);

const numberFormat = new Intl.NumberFormat();

export const PortalOverviewPage = () => {
  const user = useUser();
  const summary = useResource(() => api.portalSummary(), []);

  useEffect(() => {
    document.title = 'Overview · Custodian';
  }, []);

  const firstName = user.displayName.split(/\s+/)[0] ?? user.displayName;
  const loading = <Skeleton width={56} height={30} />;

  return (
    <>
      <PageHeader
        title={`Good to see you, ${firstName}`}
        description="What your answering team holds for your business today."
      />
      {summary.status === 'error' ? <ErrorPanel error={summary.error} onRetry={summary.reload} /> : null}
      <div className="stats" aria-busy={summary.status === 'loading'}>
        <StatCard
          label="People on file"
          icon={<UsersIcon size={20} />}
          value={summary.status === 'ready' ? numberFormat.format(summary.data.counts.people) : loading}
          hint="Callers and contacts on record"
        />
        <StatCard
          label="Contact notes"
          icon={<NoteIcon size={20} />}
          value={summary.status === 'ready' ? numberFormat.format(summary.data.counts.notes) : loading}
          hint="Taken by your answering team"
        />
        <StatCard
          label="Account status"
          icon={<ShieldIcon size={20} />}
          value={summary.status === 'ready' ? <StatusBadge status={summary.data.account.status} /> : loading}
          hint={summary.status === 'ready' ? summary.data.account.name : 'Your service'}
        />
      </div>
      <div className="grid-two">
        <Card title="Shortcuts" id="shortcuts" flush>
          <ul className="link-list">
            <ShortcutLink
              to="/portal/inbox"
              icon={<InboxIcon size={18} />}
              title="Inbox"
              text="Messages taken for you"
            />
            <ShortcutLink
              to="/portal/post"
              icon={<MailIcon size={18} />}
              title="Post"
              text="Letters and parcels received"
            />
            <ShortcutLink
              to="/portal/colleagues"
              icon={<UsersIcon size={18} />}
              title="Colleagues"
              text="Who can see this portal"
            />
          </ul>
        </Card>
        <Card title="How we look after your callers’ data" id="privacy-promises">
          <ul className="promise-list">
            <li className="promise">
              <LockIcon size={18} />
              <span>
                <strong>Encrypted.</strong> Names, numbers and notes are encrypted before they are stored.
              </span>
            </li>
            <li className="promise">
              <ShieldIcon size={18} />
              <span>
                <strong>Audited.</strong> Every time staff open or change a record, it is written to the audit log.
              </span>
            </li>
            <li className="promise">
              <UsersIcon size={18} />
              <span>
                <strong>Rights honoured.</strong> Callers can get a copy of their data or have it erased.{' '}
                <Link to="/portal/privacy">Privacy settings</Link>
              </span>
            </li>
          </ul>
        </Card>
      </div>
    </>
  );
};

const ShortcutLink = ({ to, icon, title, text }: { to: string; icon: ReactNode; title: string; text: string }) => (
  <li>
    <Link to={to} className="link-list-item">
      <span className="link-list-icon" aria-hidden="true">
        {icon}
      </span>
      <span className="link-list-text">
        <span className="link-list-title">{title}</span>
        <span className="muted">{text}</span>
      </span>
      <ChevronRightIcon size={18} className="row-chevron" />
    </Link>
  </li>
);
