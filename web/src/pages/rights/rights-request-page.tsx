/**
 * @module One rights request, for staff or for a client's owner answering a part routed to them: the person, what
 * they asked, the statutory clock drawn as elapsed against allowed time, the steps open at this status, the parts
 * routed to client businesses, the people covered and their legal holds, the outcome, and the history.
 */
import { type ReactNode, useEffect, useState } from 'react';
import { formatDateTime } from '../../format.ts';
import type {
  LegalHold,
  RecipientToTell,
  RequestOutcome,
  RightsApi,
  RightsAudience,
  RightsRequest,
} from '../../rights-api.ts';
import { Alert } from '../../ui/alert.tsx';
import { Badge } from '../../ui/badge.tsx';
import { Button } from '../../ui/button.tsx';
import { Card } from '../../ui/card.tsx';
import { EmptyState } from '../../ui/empty-state.tsx';
import { Field, Textarea } from '../../ui/field.tsx';
import { ClockIcon, UsersIcon } from '../../ui/icons.tsx';
import { PageHeader } from '../../ui/page-header.tsx';
import { Skeleton, SkeletonRows } from '../../ui/spinner.tsx';
import { useToast } from '../../ui/toast.tsx';
import { useResource } from '../../use-resource.ts';
import { ErrorPanel } from '../error-panel.tsx';
import {
  canLiftRestriction,
  HOLD_BASIS_LABEL,
  LiftHoldDialog,
  LiftRestrictionDialog,
  PlaceHoldDialog,
} from './legal-holds.tsx';
import { ClosedNote, RequestActions } from './request-actions.tsx';
import {
  actorLabel,
  CHANNEL_LABEL,
  ClockBadge,
  civilDaysBetween,
  eventLabel,
  FEE_STATUS_LABEL,
  formatBytes,
  formatCivil,
  formatPence,
  isOpen,
  KIND_DESCRIPTION,
  KIND_LABEL,
  REFUSAL_LABEL,
  RequestStatusBadge,
  type RightsScope,
  reasonLabel,
  rightsScope,
  subjectKindLabel,
} from './rights-shared.tsx';
import { StepDialog } from './step-dialog.tsx';

const clockOf = (request: RightsRequest) => ({
  status: request.status,
  dueOn: request.clock.dueOn,
  daysLeft: request.clock.daysLeft,
  overdue: request.clock.overdue,
  closedAt: request.closedAt,
  feeStatus: request.fee.status,
});

export const RightsRequestPage = ({ audience, requestId }: { audience: RightsAudience; requestId: string }) => {
  const scope = rightsScope(audience);
  const request = useResource(() => scope.api.get(requestId), [scope, requestId]);

  useEffect(() => {
    // Not the person's name: titles end up in browser history.
    document.title = 'Rights request · Custodian';
  }, []);

  const data = request.data;
  const crumbs = [
    { label: 'Rights requests', to: scope.base },
    { label: data ? `${KIND_LABEL[data.kind]} request` : 'Request' },
  ];

  if (request.status === 'error') {
    return (
      <>
        <PageHeader title="Rights request" crumbs={crumbs} />
        <ErrorPanel error={request.error} onRetry={request.reload} />
      </>
    );
  }

  return (
    <>
      <PageHeader
        crumbs={crumbs}
        title={data ? `${KIND_LABEL[data.kind]} request` : <Skeleton width={220} height={28} />}
        meta={
          data ? (
            <span className="request-badges">
              <RequestStatusBadge status={data.status} />
              <ClockBadge clock={clockOf(data)} />
            </span>
          ) : null
        }
        description={
          data
            ? `Received ${formatDateTime(data.receivedAt)} by ${(CHANNEL_LABEL[data.channel] ?? data.channel).toLowerCase()}`
            : undefined
        }
      />
      {data && audience === 'owner' && isOpen(data.status) ? (
        <Alert tone="info" title="Your business is the controller for this request">
          The person asked your answering team, who found data it holds for your business. Decide and answer here
          {data.clock.overdue
            ? `: it was due on ${formatCivil(data.clock.dueOn)}, so answer as soon as you can`
            : data.clock.dueOn
              ? ` by ${formatCivil(data.clock.dueOn)}`
              : ''}
          ; the person is e-mailed when you do.
        </Alert>
      ) : null}
      {data ? <RequestBody scope={scope} request={data} reload={request.reload} /> : <LoadingBody />}
    </>
  );
};

const LoadingBody = () => (
  <div className="grid-request">
    <div className="stack">
      <Card title="Clock">
        <SkeletonRows rows={3} label="Loading the request" />
      </Card>
      <Card title="Answer">
        <SkeletonRows rows={4} label="Loading the steps" />
      </Card>
    </div>
    <Card title="Person">
      <SkeletonRows rows={3} label="Loading the person" />
    </Card>
  </div>
);

/** What each part of the page that can change the request needs: where to send it, the request, and a reload. */
type RequestPartProps = { scope: RightsScope; request: RightsRequest; reload: () => void };

const RequestBody = ({ scope, request, reload }: RequestPartProps) => {
  const open = isOpen(request.status) || request.status === 'awaiting_verification';
  return (
    <div className="grid-request">
      <div className="stack">
        {!open && request.outcome ? <OutcomeCard request={request} outcome={request.outcome} /> : null}
        <Card
          title="Clock"
          id="clock"
          className="request-clock"
          description="The legal deadline, worked out from the request's history."
        >
          <ClockPanel request={request} />
        </Card>
        <Card
          title="Answer"
          id="answer"
          description={
            open
              ? 'The steps open at this stage. The person is e-mailed at each one they need to know about.'
              : undefined
          }
        >
          {open ? (
            <RequestActions scope={scope} request={request} onChanged={reload} />
          ) : (
            <ClosedAnswer scope={scope} request={request} reload={reload} />
          )}
        </Card>
        {request.recipientsToTell.length > 0 ? (
          <RecipientsCard scope={scope} request={request} reload={reload} />
        ) : null}
        {request.parts.length > 0 ? <PartsCard request={request} /> : null}
        <HistoryCard request={request} />
      </div>
      <div className="stack">
        <PersonCard request={request} />
        <CoveredCard scope={scope} request={request} reload={reload} />
        {request.packages.length > 0 ? <PackagesCard request={request} api={scope.api} /> : null}
      </div>
    </div>
  );
};

const Detail = ({ term, children }: { term: string; children: ReactNode }) => (
  <div>
    <dt>{term}</dt>
    <dd>{children}</dd>
  </div>
);

const notGiven = <span className="muted">Not given</span>;

const PersonCard = ({ request }: { request: RightsRequest }) => (
  <Card title="Person" id="person" className="request-person">
    <dl className="details">
      <Detail term="Name">{request.requester.name || notGiven}</Detail>
      <Detail term="E-mail">{request.requester.email || notGiven}</Detail>
      <Detail term="Phone">{request.requester.phone || notGiven}</Detail>
      <Detail term="Identity">
        {request.verifiedAt ? (
          <span className="stacked">
            <span>Confirmed {formatDateTime(request.verifiedAt)}</span>
            <span className="muted">{verificationLabel(request.verificationMethod)}</span>
          </span>
        ) : (
          <Badge tone="warning">Not yet confirmed</Badge>
        )}
      </Detail>
      <Detail term="Asked for">
        <span className="stacked">
          <span>{KIND_LABEL[request.kind]}</span>
          <span className="muted">{KIND_DESCRIPTION[request.kind]}</span>
        </span>
      </Detail>
    </dl>
    {request.details ? (
      <figure className="request-quote">
        <figcaption className="field-label">In their words</figcaption>
        <blockquote>{request.details}</blockquote>
      </figure>
    ) : null}
  </Card>
);

const verificationLabel = (method: string | null): string => {
  if (method === 'email_code') return 'By a code sent to their e-mail';
  if (method === 'session') return 'Signed in to the client portal';
  if (method === 'phone') return 'By phone, by staff';
  if (method === 'document') return 'From a document, by staff';
  return 'Checked';
};

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The clock as a bar: days used against days allowed, with the extension-notice date marked on it. */
const ClockPanel = ({ request }: { request: RightsRequest }) => {
  const { clock } = request;
  const open = isOpen(request.status);
  let visual: ReactNode = null;
  // The extension-notice date is marked on the bar only when it falls before the due date.
  const noticeMarked =
    !clock.extended &&
    clock.clockStart !== null &&
    clock.dueOn !== null &&
    clock.extensionNoticeBy !== null &&
    clock.extensionNoticeBy > clock.clockStart &&
    clock.extensionNoticeBy < clock.dueOn;
  const stopped = clock.waitingFor === 'fee' || clock.waitingFor === 'clarification';

  if (!open && request.status !== 'awaiting_verification' && !clock.dueOn) {
    visual = (
      <p className="clock-waiting">
        <ClockIcon size={18} /> Closed{request.closedAt ? ` ${formatDateTime(request.closedAt)}` : ''}, while the clock
        was stopped.
      </p>
    );
  } else if (clock.waitingFor === 'verification') {
    visual = (
      <p className="clock-waiting">
        <ClockIcon size={18} /> The clock starts once the person's identity is confirmed.
      </p>
    );
  } else if (clock.waitingFor === 'fee') {
    visual = (
      <p className="clock-waiting">
        <ClockIcon size={18} /> Paused: waiting for the fee of {formatPence(request.fee.pence ?? 0)}.
      </p>
    );
  } else if (clock.waitingFor === 'clarification') {
    visual = (
      <p className="clock-waiting">
        <ClockIcon size={18} /> Paused: waiting for the person to clarify their request
        {clock.pausedDays > 0 ? ` (${plural(clock.pausedDays, 'day')} so far)` : ''}.
      </p>
    );
  } else if (clock.clockStart && clock.dueOn) {
    const allowed = Math.max(1, civilDaysBetween(clock.clockStart, clock.dueOn));
    const end = open
      ? allowed - (clock.daysLeft ?? 0)
      : civilDaysBetween(clock.clockStart, (request.closedAt ?? '').slice(0, 10) || clock.dueOn);
    const used = Math.max(0, end);
    const share = Math.min(1, used / allowed);
    const notice = clock.extensionNoticeBy
      ? civilDaysBetween(clock.clockStart, clock.extensionNoticeBy) / allowed
      : null;
    const tone = clock.overdue || used > allowed ? 'danger' : open && (clock.daysLeft ?? 99) <= 7 ? 'warning' : 'ok';
    const status = open
      ? clock.overdue
        ? `Overdue by ${plural(-(clock.daysLeft ?? 0), 'day')}`
        : `${plural(clock.daysLeft ?? 0, 'day')} left`
      : used === 0
        ? 'Answered the day the clock started'
        : used <= allowed
          ? `Answered on day ${used}`
          : `Answered ${plural(used - allowed, 'day')} late`;
    const spoken = `${plural(Math.min(used, allowed), 'day')} of ${allowed} used. ${status}. Due ${formatCivil(clock.dueOn)}.`;
    visual = (
      <div className="clock-bar-wrap">
        <div className="clock-bar-head">
          <strong>{status}</strong>
          <span className="muted">
            {used > allowed ? `Day ${used}, ${allowed} allowed` : `Day ${used} of ${allowed}`}
          </span>
        </div>
        <div className={`clock-bar clock-bar-${tone}`} role="img" aria-label={spoken}>
          <span className="clock-bar-fill" style={{ width: `${share * 100}%` }} />
          {noticeMarked && notice !== null ? (
            <span className="clock-bar-marker" style={{ left: `${notice * 100}%` }} title="Extension notice by" />
          ) : null}
        </div>
        <div className="clock-bar-scale" aria-hidden="true">
          <span>{formatCivil(clock.clockStart)}</span>
          <span>{formatCivil(clock.dueOn)}</span>
        </div>
      </div>
    );
  }

  return (
    <>
      {visual}
      <dl className="details clock-details">
        <Detail term="Clock started">{formatCivil(clock.clockStart)}</Detail>
        <Detail term="Due">
          {clock.dueOn ? (
            <span>
              {formatCivil(clock.dueOn)}
              {clock.extended ? <span className="muted"> · extended</span> : null}
            </span>
          ) : (
            <span className="muted">{clock.waitingFor ? 'Not while the clock is stopped' : '—'}</span>
          )}
        </Detail>
        <Detail term="Extend by">
          {clock.extended ? (
            <span className="muted">Already extended</span>
          ) : clock.extensionNoticeBy ? (
            <span>
              {noticeMarked ? <span className="clock-legend-marker" aria-hidden="true" /> : null}
              {formatCivil(clock.extensionNoticeBy)}
              <span className="muted">
                {new Date().toISOString().slice(0, 10) > clock.extensionNoticeBy
                  ? ' · passed'
                  : ' · the last day to tell them'}
              </span>
            </span>
          ) : (
            '—'
          )}
        </Detail>
        <Detail term="Paused">
          {open && stopped
            ? `Now${clock.pausedDays > 0 ? `, ${plural(clock.pausedDays, 'day')} so far` : ''}`
            : clock.pausedDays > 0
              ? plural(clock.pausedDays, 'day')
              : 'Never'}
        </Detail>
        <Detail term="Fee">
          {request.fee.status === 'none'
            ? FEE_STATUS_LABEL.none
            : `${FEE_STATUS_LABEL[request.fee.status]}${request.fee.pence ? ` · ${formatPence(request.fee.pence)}` : ''}`}
        </Detail>
      </dl>
    </>
  );
};

const OutcomeCard = ({ request, outcome }: { request: RightsRequest; outcome: RequestOutcome }) => {
  const pkg = outcome.packageId ? request.packages.find((p) => p.id === outcome.packageId) : undefined;
  return (
    <Card
      title="Outcome"
      id="outcome"
      description={
        request.closedAt ? `Closed ${formatDateTime(request.closedAt)}. This is what the person was told.` : undefined
      }
      className={outcome.refused ? 'request-outcome outcome-card outcome-refused' : 'request-outcome outcome-card'}
    >
      {outcome.refused ? (
        <div className="outcome">
          <p>
            <strong>Refused: {REFUSAL_LABEL[outcome.reason as keyof typeof REFUSAL_LABEL] ?? outcome.reason}.</strong>
          </p>
          {outcome.explanation ? <blockquote className="outcome-quote">{outcome.explanation}</blockquote> : null}
        </div>
      ) : (
        <div className="outcome">
          {outcome.summary ? <p>{outcome.summary}</p> : null}
          {outcome.kept && outcome.kept.length > 0 ? (
            <>
              <h3 className="outcome-heading">Kept, and why</h3>
              <ul className="kept-list">
                {outcome.kept.map((k) => (
                  <li key={`${k.what}-${k.reason}`} className="kept-item">
                    <strong>{k.what}</strong>
                    <span className="muted">
                      {k.reason}
                      {k.until ? ` Until ${formatCivil(k.until)}.` : ''}
                    </span>
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <p className="muted">Nothing was kept back.</p>
          )}
          {outcome.packageId ? (
            <p>
              <Badge tone="accent">Package</Badge>{' '}
              {pkg
                ? `${formatBytes(pkg.sizeBytes)}, ${pkg.status}${pkg.expiresAt ? `, available until ${formatDateTime(pkg.expiresAt)}` : ''}. The person downloads it with their status link.`
                : 'Prepared for the person to download with their status link.'}
            </p>
          ) : null}
        </div>
      )}
    </Card>
  );
};

const PartsCard = ({ request }: { request: RightsRequest }) => (
  <Card
    title="Routed to client businesses"
    id="parts"
    description="Data these businesses control: each answers its own part, on the same clock (CC-11)."
    flush
  >
    <ul className="covered-list">
      {request.parts.map((p) => (
        <li key={p.id} className="covered-item">
          <div className="covered-head">
            <span className="covered-name">{p.controller}</span>
            <span className="covered-badges">
              <RequestStatusBadge status={p.status} />
              <ClockBadge
                clock={{
                  status: p.status,
                  dueOn: p.dueOn,
                  daysLeft: p.daysLeft,
                  overdue: p.overdue,
                  closedAt: p.closedAt,
                  feeStatus: 'none',
                }}
              />
            </span>
          </div>
          <p className="muted">
            {p.closedAt ? `Closed ${formatDateTime(p.closedAt)}` : `Due ${formatCivil(p.dueOn)}`}
            {p.extended ? ' · extended' : ''}
          </p>
        </li>
      ))}
    </ul>
  </Card>
);

const ClosedAnswer = ({ scope, request, reload }: RequestPartProps) => {
  const [lifting, setLifting] = useState(false);
  const liftable = canLiftRestriction(request);
  return (
    <>
      <ClosedNote request={request} />
      {liftable ? (
        <ul className="action-list action-list-spaced">
          <li className="action-row">
            <div className="action-text">
              <h3 className="action-title">Lift the restriction</h3>
              <p className="muted">
                When the reason for it has ended. The person is told before their data is used again.
              </p>
            </div>
            <Button variant="danger" size="sm" onClick={() => setLifting(true)}>
              Lift…
            </Button>
          </li>
        </ul>
      ) : null}
      {liftable ? (
        <LiftRestrictionDialog
          open={lifting}
          scope={scope}
          request={request}
          onClose={() => setLifting(false)}
          onDone={() => {
            setLifting(false);
            reload();
          }}
        />
      ) : null}
    </>
  );
};

const CoveredCard = ({ scope, request, reload }: RequestPartProps) => {
  const [holdFor, setHoldFor] = useState<{ subjectId: string; label: string } | null>(null);
  const [lifting, setLifting] = useState<LegalHold | null>(null);
  return (
    <Card
      title="People covered"
      id="covered"
      description={
        request.subjects.length > 0
          ? 'Records found by the proven e-mail address or phone number. A legal hold keeps a record from erasure.'
          : undefined
      }
      flush
    >
      {request.subjects.length === 0 ? (
        <EmptyState icon={<UsersIcon size={24} />} title="No records found" headingLevel={3}>
          <p>
            {request.status === 'awaiting_verification'
              ? 'Records are looked for once the identity check is recorded.'
              : request.parts.length > 0
                ? 'Nothing in your own records. What was found is held for the client businesses it was routed to, who answer for it.'
                : 'Nothing on file matches this person here. Completing tells them so.'}
          </p>
        </EmptyState>
      ) : (
        <ul className="covered-list">
          {request.subjects.map((s, index) => {
            const holds = request.legalHolds.filter((h) => h.subject_id === s.subjectId);
            const label = s.name ?? `Person ${index + 1}`;
            return (
              <li key={s.subjectId} className="covered-item">
                <div className="covered-head">
                  <span className="covered-name">
                    {label}
                    <span className="muted"> · {subjectKindLabel(s.kind)}</span>
                  </span>
                  <span className="covered-badges">
                    <Badge tone="neutral">By {s.matchedBy === 'email' ? 'e-mail' : s.matchedBy}</Badge>
                    {s.present ? null : <Badge tone="danger">Erased</Badge>}
                  </span>
                </div>
                {s.email || s.phone ? (
                  <p className="muted covered-contact">{[s.email, s.phone].filter(Boolean).join(' · ')}</p>
                ) : null}
                {holds.map((h) => (
                  <div key={h.id} className="hold">
                    <div>
                      <Badge tone="warning">Legal hold</Badge>{' '}
                      <span className="hold-basis">
                        {HOLD_BASIS_LABEL[h.basis as keyof typeof HOLD_BASIS_LABEL] ?? h.basis}
                      </span>
                      <p className="hold-reason">{h.reason}</p>
                      <p className="muted">Review by {formatCivil(h.review_on)}</p>
                    </div>
                    <Button size="sm" variant="ghost" onClick={() => setLifting(h)}>
                      Lift<span className="visually-hidden"> the hold on {label}</span>
                    </Button>
                  </div>
                ))}
                {s.outcome?.done ? <p className="muted">{s.outcome.done}</p> : null}
                <div className="covered-actions">
                  {s.present ? (
                    <Button size="sm" onClick={() => setHoldFor({ subjectId: s.subjectId, label })}>
                      Place a legal hold<span className="visually-hidden"> on {label}</span>
                    </Button>
                  ) : null}
                </div>
              </li>
            );
          })}
        </ul>
      )}
      <PlaceHoldDialog
        open={holdFor !== null}
        scope={scope}
        subjectId={holdFor?.subjectId ?? ''}
        personLabel={holdFor?.label ?? 'Person'}
        onClose={() => setHoldFor(null)}
        onDone={() => {
          setHoldFor(null);
          reload();
        }}
      />
      <LiftHoldDialog
        hold={lifting}
        scope={scope}
        onClose={() => setLifting(null)}
        onDone={() => {
          setLifting(null);
          reload();
        }}
      />
    </Card>
  );
};

const RecipientsCard = ({ scope, request, reload }: RequestPartProps) => {
  const [telling, setTelling] = useState<RecipientToTell | null>(null);
  const [how, setHow] = useState('');
  const toast = useToast();
  const left = request.recipientsToTell.filter((r) => !r.toldAt).length;
  return (
    <Card
      title="Recipients to tell"
      id="recipients"
      description="Those the person's data was disclosed to must be told of this (GDPR Art. 19), unless that proves impossible. Record each one once done; the person's answer names them."
      actions={left > 0 ? <Badge tone="warning">{left} to tell</Badge> : <Badge tone="success">All told</Badge>}
    >
      <ul className="covered-list covered-list-plain">
        {request.recipientsToTell.map((r) => (
          <li key={r.id} className="covered-item">
            <div className="covered-head">
              <strong>{r.name}</strong>
              {r.toldAt ? <Badge tone="success">Told</Badge> : <Badge tone="warning">Not yet</Badge>}
            </div>
            {r.toldAt ? (
              <p className="muted">
                {formatDateTime(r.toldAt)} · {actorLabel(r.toldByRole)} · {r.how}
              </p>
            ) : (
              <Button
                size="sm"
                onClick={() => {
                  setHow('');
                  setTelling(r);
                }}
              >
                Record as told
              </Button>
            )}
          </li>
        ))}
      </ul>
      <StepDialog
        open={telling !== null}
        title={telling ? `Record as told: ${telling.name}` : 'Record as told'}
        description={<p>Say how and when they were told, or why it proved impossible. This goes in the history.</p>}
        submitLabel="Record"
        canSubmit={how.trim().length >= 5}
        onClose={() => setTelling(null)}
        onSubmit={async () => {
          if (!telling) return;
          await scope.api.recipientTold(request.id, telling.id, how.trim());
          toast.show(`${telling.name} recorded as told`);
          setTelling(null);
          reload();
        }}
      >
        <Field label="How they were told" hint="For example: e-mailed their privacy team on 6 December.">
          {(control) => (
            <Textarea
              {...control}
              data-autofocus
              value={how}
              onChange={(e) => setHow(e.target.value)}
              rows={3}
              maxLength={500}
              required
            />
          )}
        </Field>
      </StepDialog>
    </Card>
  );
};

const PackagesCard = ({ request, api }: { request: RightsRequest; api: RightsApi }) => (
  <Card title="Packages" id="packages" description="Copies prepared for the person.">
    <ul className="covered-list covered-list-plain">
      {request.packages.map((p) => (
        <li key={p.id} className="covered-item">
          <div className="covered-head">
            <span>{formatBytes(p.sizeBytes)}</span>
            <Badge tone={p.status === 'released' ? 'success' : 'neutral'}>{p.status}</Badge>
          </div>
          <p className="muted">
            Prepared {formatDateTime(p.createdAt)} · {plural(p.downloads, 'download')}
            {p.expiresAt ? ` · until ${formatDateTime(p.expiresAt)}` : ''}
          </p>
          {p.status !== 'released' ? null : (
            <div className="button-row">
              <a
                href={api.packageReportUrl(request.id, p.id)}
                target="_blank"
                rel="noopener"
                className="btn btn-secondary btn-sm"
              >
                View the report sent
              </a>
              <a href={api.packageZipUrl(request.id, p.id)} download className="btn btn-secondary btn-sm">
                Download the ZIP
              </a>
            </div>
          )}
        </li>
      ))}
    </ul>
  </Card>
);

/** The lifecycle's order, for events the clock recorded in the same instant. */
const EVENT_ORDER = [
  'received',
  'verified',
  'routed',
  'started',
  'clarification_requested',
  'clarification_received',
  'extended',
  'fee_requested',
  'fee_paid',
  'fee_waived',
  'refused',
  'completed',
  'restriction_lifted',
  'expired',
];

const HistoryCard = ({ request }: { request: RightsRequest }) => {
  // Steps recorded in the same instant (received, verified, routed) keep their logical order.
  const rank = (event: string): number => EVENT_ORDER.indexOf(event) + 1 || EVENT_ORDER.length + 1;
  const events = [...request.events]
    .sort((a, b) => a.at.localeCompare(b.at) || rank(a.event) - rank(b.event))
    .reverse();
  return (
    <Card
      title="History"
      id="history"
      description="Every step, newest first. Questions and explanations go to the person, not here."
    >
      <ol className="event-list">
        {events.map((e, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: two events can share a name and an instant
          <li key={`${e.event}-${e.at}-${index}`} className={`event event-${e.event}`}>
            <span className="event-dot" aria-hidden="true" />
            <div>
              <p className="event-title">{eventLabel(e.event)}</p>
              <p className="muted event-meta">
                <time dateTime={e.at}>{formatDateTime(e.at)}</time> · {actorLabel(e.byRole)}
                {e.reason ? ` · ${reasonLabel(e.reason)}` : ''}
              </p>
            </div>
          </li>
        ))}
      </ol>
    </Card>
  );
};
