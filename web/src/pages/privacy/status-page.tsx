/**
 * @module A rights request as its maker sees it (/privacy/requests/status#token): where it stands, when it is due,
 * the parts client businesses answer, the outcome with any download, and how to complain. The token stays in the
 * URL fragment, so it never reaches a server log; it goes to the API only as a query parameter of the status call.
 */
import { type ReactNode, useEffect, useState } from 'react';
import { formatDateTime } from '../../format.ts';
import { Alert } from '../../ui/alert.tsx';
import { Badge } from '../../ui/badge.tsx';
import { LinkButton } from '../../ui/button.tsx';
import { Card } from '../../ui/card.tsx';
import { EmptyState } from '../../ui/empty-state.tsx';
import {
  AlertIcon,
  BuildingIcon,
  CheckCircleIcon,
  DownloadIcon,
  ExternalLinkIcon,
  LockIcon,
  ShieldIcon,
} from '../../ui/icons.tsx';
import { SkeletonRows } from '../../ui/spinner.tsx';
import { useResource } from '../../use-resource.ts';
import { ErrorPanel } from '../error-panel.tsx';
import {
  type Complaint,
  isRefusal,
  type Outcome,
  privacyCenterApi,
  type RequestPart,
  type RequestStatusView,
} from './privacy-center-api.ts';
import {
  daysUntil,
  describeDaysLeft,
  formatDay,
  KIND_TITLES,
  PublicLayout,
  REFUSAL_REASONS,
  STATUS_LABELS,
  usePageTitle,
} from './rights-common.tsx';

const tokenFromHash = (): string => {
  const raw = window.location.hash.replace(/^#/, '');
  try {
    return decodeURIComponent(raw);
  } catch {
    // A mangled link (a stray %) is just another link we cannot find; the API answers not found.
    return raw;
  }
};

const useHashToken = (): string => {
  const [token, setToken] = useState(tokenFromHash);
  useEffect(() => {
    const update = (): void => setToken(tokenFromHash());
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return token;
};

const isOpen = (status: string): boolean => ['received', 'in_progress', 'awaiting_clarification'].includes(status);

const StatusBadge = ({ status }: { status: RequestStatusView['status'] }) => {
  const { label, tone } = STATUS_LABELS[status] ?? { label: status, tone: 'neutral' as const };
  return <Badge tone={tone}>{label}</Badge>;
};

type TimelineStep = {
  key: string;
  title: string;
  when?: string;
  detail?: string;
  state: 'done' | 'current' | 'next' | 'warning';
};

const timelineOf = (view: RequestStatusView): TimelineStep[] => {
  const open = isOpen(view.status);
  const steps: TimelineStep[] = [
    { key: 'received', title: 'Request received', when: formatDateTime(view.receivedAt), state: 'done' },
  ];
  steps.push(
    view.verifiedAt
      ? {
          key: 'verified',
          title: 'Identity confirmed',
          when: formatDateTime(view.verifiedAt),
          detail: 'The time we have to answer started here.',
          state: 'done',
        }
      : { key: 'verified', title: 'Identity check', detail: 'We are checking it is you.', state: 'current' },
  );
  if (view.extended) {
    steps.push({
      key: 'extended',
      title: 'More time needed',
      detail: view.extensionReason
        ? `We extended the time to answer, as the law allows, because: ${view.extensionReason}`
        : 'We extended the time to answer, as the law allows.',
      state: 'warning',
    });
  }
  if (view.waitingFor && open) {
    steps.push({
      key: 'waiting',
      title: view.waitingFor === 'fee' ? 'Waiting for a fee' : 'Waiting for your answer',
      detail:
        view.waitingFor === 'fee'
          ? 'We e-mailed you about a fee. The time to answer starts when it is paid.'
          : 'We e-mailed you a question. The time to answer stands still until you reply to that e-mail.',
      state: 'current',
    });
  }
  if (open) {
    const days = view.dueOn ? daysUntil(view.dueOn) : null;
    steps.push({
      key: 'due',
      title: view.dueOn ? `Answer due by ${formatDay(view.dueOn)}` : 'Answer',
      ...(days !== null ? { detail: describeDaysLeft(days) } : {}),
      state: view.waitingFor ? 'next' : 'current',
    });
  } else {
    const refused = view.status === 'refused';
    steps.push({
      key: 'closed',
      title: refused ? 'Request refused' : 'Request answered',
      ...(view.closedAt ? { when: formatDateTime(view.closedAt) } : {}),
      ...(view.dueOn ? { detail: `It was due by ${formatDay(view.dueOn)}.` } : {}),
      state: refused ? 'warning' : 'done',
    });
  }
  return steps;
};

const Timeline = ({ steps }: { steps: TimelineStep[] }) => (
  <ol className="status-timeline">
    {steps.map((step) => (
      <li key={step.key} className={`status-step status-step-${step.state}`}>
        <span className="status-step-dot" aria-hidden="true">
          {step.state === 'done' ? (
            <CheckCircleIcon size={16} />
          ) : step.state === 'warning' ? (
            <AlertIcon size={16} />
          ) : null}
        </span>
        <div className="status-step-body">
          <p className="status-step-title">
            {step.title}
            {step.state === 'current' ? <span className="visually-hidden"> (current step)</span> : null}
          </p>
          {step.when ? <p className="status-step-when">{step.when}</p> : null}
          {step.detail ? <p className="status-step-detail">{step.detail}</p> : null}
        </div>
      </li>
    ))}
  </ol>
);

const Downloads = ({ token, packageId, who }: { token: string; packageId: string; who?: string }) => (
  <div className="download-row">
    <a className="btn btn-primary" href={privacyCenterApi.packageUrl(token, packageId)} download>
      <DownloadIcon size={16} />
      <span>Download {who ? `${who}’s` : 'your'} data (ZIP)</span>
    </a>
    <a
      className="btn btn-secondary"
      href={privacyCenterApi.reportUrl(token, packageId)}
      target="_blank"
      rel="noreferrer"
    >
      <ExternalLinkIcon size={16} />
      <span>Open the readable report</span>
    </a>
  </div>
);

const ComplaintBox = ({ complaint }: { complaint: Complaint }) => (
  <div className="complaint-box">
    <p className="complaint-title">If you disagree</p>
    <p>
      You can complain to{' '}
      <a href={complaint.web} target="_blank" rel="noreferrer">
        {complaint.authority}
      </a>
      , and you may also seek a remedy through the courts.
    </p>
    <p className="muted">{complaint.how}</p>
  </div>
);

const OutcomeView = ({
  outcome,
  token,
  complaint,
  who,
}: {
  outcome: Outcome;
  token: string;
  complaint: Complaint;
  who?: string;
}) => {
  if (isRefusal(outcome)) {
    return (
      <div className="outcome">
        <p className="outcome-reason">{REFUSAL_REASONS[outcome.reason] ?? outcome.reason}</p>
        <p>{outcome.explanation}</p>
        <ComplaintBox complaint={complaint} />
      </div>
    );
  }
  return (
    <div className="outcome">
      <p>{outcome.summary}</p>
      {outcome.packageId ? <Downloads token={token} packageId={outcome.packageId} {...(who ? { who } : {})} /> : null}
      {outcome.kept.length ? (
        <div className="kept">
          <p className="kept-title">What was kept, and why</p>
          <ul className="kept-list">
            {outcome.kept.map((k) => (
              <li key={`${k.what}-${k.reason}`} className="kept-item">
                <span className="kept-what">{k.what}</span>
                <span className="kept-reason">
                  {k.reason}
                  {k.until ? ` Kept until ${formatDay(k.until)}.` : ''}
                </span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
};

const PartItem = ({
  part,
  passedOn,
  token,
  complaint,
}: {
  part: RequestPart;
  passedOn: string | null;
  token: string;
  complaint: Complaint;
}) => {
  const days = part.dueOn && isOpen(part.status) ? daysUntil(part.dueOn) : null;
  return (
    <li className="part">
      <div className="part-head">
        <span className="part-icon" aria-hidden="true">
          <BuildingIcon size={18} />
        </span>
        <p className="part-name">{part.controller}</p>
        <StatusBadge status={part.status} />
      </div>
      <p className="part-text">
        {part.controller} is the controller of the phone messages and post we handle for them
        {passedOn ? `; we passed your request to them on ${formatDay(passedOn.slice(0, 10))}` : ''}. They answer this
        part, and we help them.
      </p>
      <p className="part-meta">
        {isOpen(part.status) && part.dueOn
          ? `Due by ${formatDay(part.dueOn)}${days !== null ? ` · ${describeDaysLeft(days)}` : ''}${part.extended ? ' · extended' : ''}`
          : part.closedAt
            ? `${part.status === 'refused' ? 'Refused' : 'Answered'} on ${formatDateTime(part.closedAt)}`
            : null}
      </p>
      {part.outcome ? (
        <OutcomeView outcome={part.outcome} token={token} complaint={complaint} who={part.controller} />
      ) : null}
    </li>
  );
};

const StatusView = ({ view, token }: { view: RequestStatusView; token: string }) => {
  const open = isOpen(view.status);
  const days = open && view.dueOn ? daysUntil(view.dueOn) : null;
  const refused = view.status === 'refused';
  return (
    <>
      <div className="privacy-intro">
        <p className="privacy-eyebrow">Your request</p>
        <div className="privacy-title-row">
          <h1 className="privacy-title">{KIND_TITLES[view.kind] ?? view.kind}</h1>
          <StatusBadge status={view.status} />
        </div>
        <p className="privacy-lead">
          Received {formatDateTime(view.receivedAt)}. {view.answeredBy} answers it
          {view.parts.length ? ', with the businesses below for their parts' : ''}.
        </p>
      </div>

      <div className="status-facts">
        <div className="status-fact">
          <p className="status-fact-label">Received on</p>
          <p className="status-fact-value">{formatDay(view.receivedAt.slice(0, 10))}</p>
          <p className="status-fact-hint">{view.verifiedAt ? 'Identity confirmed' : 'Checking it is you'}</p>
        </div>
        <div className="status-fact">
          <p className="status-fact-label">{open ? 'Due by' : refused ? 'Refused on' : 'Answered on'}</p>
          <p className="status-fact-value">
            {open
              ? view.dueOn
                ? formatDay(view.dueOn)
                : 'Set once confirmed'
              : view.closedAt
                ? formatDay(view.closedAt.slice(0, 10))
                : '—'}
          </p>
          {days !== null ? (
            <p className={days < 0 ? 'status-fact-hint status-fact-hint-late' : 'status-fact-hint'}>
              {describeDaysLeft(days)}
              {view.extended ? ' · extended' : ''}
            </p>
          ) : null}
        </div>
        <div className="status-fact">
          <p className="status-fact-label">Answered by</p>
          <p className="status-fact-value">{view.answeredBy}</p>
          {view.parts.length ? (
            <p className="status-fact-hint">
              and {view.parts.length} client business{view.parts.length === 1 ? '' : 'es'}
            </p>
          ) : null}
        </div>
      </div>

      {view.waitingFor && open ? (
        <Alert tone="warning" title="We are waiting for you">
          {view.waitingFor === 'fee'
            ? 'We e-mailed you about a fee. The time to answer starts when it is paid.'
            : 'We e-mailed you a question. The time to answer stands still until you reply to that e-mail.'}
        </Alert>
      ) : null}

      <div className="privacy-grid">
        <div className="privacy-primary">
          {view.outcome ? (
            <Card title={refused ? 'Why we refused' : 'What we did'}>
              <OutcomeView outcome={view.outcome} token={token} complaint={view.complaint} />
            </Card>
          ) : null}

          {view.parts.length ? (
            <Card
              title="Parts answered by client businesses"
              description="We take phone messages and handle post for other businesses. For those, each business decides what happens to your data."
              flush
            >
              <ul className="part-list">
                {view.parts.map((part, index) => (
                  <PartItem
                    // biome-ignore lint/suspicious/noArrayIndexKey: parts have no id here and never reorder
                    key={`${part.controller}-${index}`}
                    part={part}
                    passedOn={view.verifiedAt}
                    token={token}
                    complaint={view.complaint}
                  />
                ))}
              </ul>
            </Card>
          ) : null}

          <Card title="Progress">
            <Timeline steps={timelineOf(view)} />
          </Card>
        </div>
        <aside className="privacy-aside" aria-label="About this page">
          <Card title="Keep this link private">
            <div className="aside-note">
              <LockIcon size={18} />
              <p>
                Anyone with this page’s address can see your request. We e-mailed it to you; bookmark it or use the
                e-mail to come back.
              </p>
            </div>
          </Card>
          {!refused ? (
            <Card title="Not happy?">
              <p className="muted">
                You can complain to{' '}
                <a href={view.complaint.web} target="_blank" rel="noreferrer">
                  {view.complaint.authority}
                </a>{' '}
                at any time. {view.complaint.how}
              </p>
            </Card>
          ) : null}
        </aside>
      </div>
    </>
  );
};

export const PrivacyStatusPage = () => {
  const token = useHashToken();
  const status = useResource(
    () =>
      token
        ? privacyCenterApi.status(token)
        : Promise.reject(new Error('This link is incomplete. Use the link in your latest e-mail.')),
    [token],
  );
  // The business's name for the header even when the link is wrong (the status answer carries it otherwise).
  const guide = useResource(() => privacyCenterApi.rights(), []);
  const business = status.data?.answeredBy ?? guide.data?.business ?? (guide.status === 'error' ? null : undefined);
  usePageTitle(business ? `Your request · ${business}` : 'Your request');

  let content: ReactNode;
  if (status.status === 'loading') {
    content = (
      <Card>
        <SkeletonRows rows={4} label="Loading your request" />
      </Card>
    );
  } else if (status.status === 'error') {
    content =
      !token || status.error.code === 'NOT_FOUND' ? (
        <Card className="status-missing">
          <EmptyState
            icon={<ShieldIcon size={28} />}
            title="We could not find this request"
            headingLevel={2}
            actions={
              <LinkButton to="/privacy/requests" variant="primary">
                Make a new request
              </LinkButton>
            }
          >
            <p>
              The link may be incomplete or out of date. Use the link in your latest e-mail from us: it changes when you
              confirm your e-mail address.
            </p>
          </EmptyState>
        </Card>
      ) : (
        <ErrorPanel error={status.error} onRetry={status.reload} />
      );
  } else {
    content = <StatusView view={status.data} token={token} />;
  }

  return (
    <PublicLayout business={business}>
      {status.status === 'ready' ? (
        content
      ) : (
        <>
          <div className="privacy-intro">
            <h1 className="privacy-title">Your request</h1>
          </div>
          {content}
        </>
      )}
    </PublicLayout>
  );
};
