/**
 * @module The rights request queue, for staff (the provider's requests) and for a client's owner (the parts routed to
 * their business, CC-11): open requests soonest due first, each with its clock, filters by status and kind.
 */
import { useEffect, useState } from 'react';
import { formatDate } from '../../format.ts';
import { type QueueEntry, type QueueFilter, REQUEST_KINDS, type RightsAudience } from '../../rights-api.ts';
import { Link } from '../../router.tsx';
import { Alert } from '../../ui/alert.tsx';
import { Badge } from '../../ui/badge.tsx';
import { Button } from '../../ui/button.tsx';
import { Card } from '../../ui/card.tsx';
import { EmptyState } from '../../ui/empty-state.tsx';
import { Field, Select } from '../../ui/field.tsx';
import { ChevronRightIcon, PlusIcon, SearchIcon, ShieldIcon } from '../../ui/icons.tsx';
import { PageHeader } from '../../ui/page-header.tsx';
import { SkeletonRows } from '../../ui/spinner.tsx';
import { Table } from '../../ui/table.tsx';
import { useResource } from '../../use-resource.ts';
import { ErrorPanel } from '../error-panel.tsx';
import { LogRequestDialog } from './log-request-dialog.tsx';
import {
  CHANNEL_LABEL,
  ClockBadge,
  formatCivil,
  KIND_LABEL,
  RequestStatusBadge,
  requestPath,
  rightsScope,
  STATUS_LABEL,
} from './rights-shared.tsx';
import { RightsTabs } from './rights-tabs.tsx';

const STATUS_FILTERS: { value: NonNullable<QueueFilter['status']>; label: string }[] = [
  { value: 'open', label: 'Open' },
  { value: 'awaiting_verification', label: STATUS_LABEL.awaiting_verification },
  { value: 'received', label: STATUS_LABEL.received },
  { value: 'in_progress', label: STATUS_LABEL.in_progress },
  { value: 'awaiting_clarification', label: STATUS_LABEL.awaiting_clarification },
  { value: 'completed', label: STATUS_LABEL.completed },
  { value: 'refused', label: STATUS_LABEL.refused },
  { value: 'expired', label: STATUS_LABEL.expired },
  { value: '', label: 'All statuses' },
];

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export const RightsQueuePage = ({ audience }: { audience: RightsAudience }) => {
  const scope = rightsScope(audience);
  const [filter, setFilter] = useState<QueueFilter>({ status: 'open', kind: '' });
  const [logOpen, setLogOpen] = useState(false);
  const queue = useResource(() => scope.api.list(filter), [scope, filter.status, filter.kind]);
  const staff = audience === 'staff';

  useEffect(() => {
    document.title = 'Rights requests · Custodian';
  }, []);

  const rows = queue.data ?? [];
  const overdue = rows.filter((r) => r.overdue).length;
  const dueSoon = rows.filter((r) => !r.overdue && r.daysLeft !== null && r.daysLeft <= 7).length;
  const filtered = filter.status !== 'open' || Boolean(filter.kind);

  return (
    <>
      <PageHeader
        title="Rights requests"
        description={
          staff
            ? 'Requests from people to see, correct, erase or limit the data held about them. Each has a legal deadline: the clock starts once their identity is confirmed.'
            : 'People asking your business to see, correct or erase the data your answering team holds for you.'
        }
        actions={
          staff ? (
            <Button variant="primary" icon={<PlusIcon size={16} />} onClick={() => setLogOpen(true)}>
              Log a request
            </Button>
          ) : null
        }
      />
      {staff ? <RightsTabs current={scope.base} /> : <ControllerNotice />}
      <Card
        title="Queue"
        id="rights-queue"
        className="queue-card"
        description={
          queue.status === 'ready' ? (
            <span className="queue-summary">
              <span>{plural(rows.length, 'request')}</span>
              {overdue > 0 ? <Badge tone="danger">{overdue} overdue</Badge> : null}
              {dueSoon > 0 ? <Badge tone="warning">{dueSoon} due within a week</Badge> : null}
            </span>
          ) : (
            'Soonest due first'
          )
        }
        actions={
          <div className="queue-filters">
            <Field label="Status" className="field-inline">
              {(control) => (
                <Select
                  {...control}
                  value={filter.status ?? ''}
                  onChange={(e) => setFilter((f) => ({ ...f, status: e.target.value as QueueFilter['status'] }))}
                >
                  {STATUS_FILTERS.map((option) => (
                    <option key={option.value || 'all'} value={option.value}>
                      {option.label}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            <Field label="Kind" className="field-inline">
              {(control) => (
                <Select
                  {...control}
                  value={filter.kind ?? ''}
                  onChange={(e) => setFilter((f) => ({ ...f, kind: e.target.value as QueueFilter['kind'] }))}
                >
                  <option value="">All kinds</option>
                  {REQUEST_KINDS.map((kind) => (
                    <option key={kind} value={kind}>
                      {KIND_LABEL[kind]}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
          </div>
        }
        flush
      >
        {queue.status === 'loading' ? <SkeletonRows rows={4} label="Loading requests" /> : null}
        {queue.status === 'error' ? (
          <div className="card-pad">
            <ErrorPanel error={queue.error} onRetry={queue.reload} />
          </div>
        ) : null}
        {queue.status === 'ready' && rows.length === 0 ? (
          filtered ? (
            <EmptyState icon={<SearchIcon size={28} />} title="No requests match these filters">
              <p>Try “All statuses” to include answered and refused requests.</p>
            </EmptyState>
          ) : (
            <EmptyState
              icon={<ShieldIcon size={28} />}
              title="No open requests"
              actions={
                staff ? (
                  <Button icon={<PlusIcon size={16} />} onClick={() => setLogOpen(true)}>
                    Log a request
                  </Button>
                ) : null
              }
            >
              {staff ? (
                <p>
                  Requests made in the privacy centre appear here once the person confirms their e-mail address.
                  Requests received by phone, e-mail or post can be logged by hand.
                </p>
              ) : (
                <p>
                  When someone asks about data your answering team holds for your business, their request appears here
                  with the date it must be answered by.
                </p>
              )}
            </EmptyState>
          )
        ) : null}
        {queue.status === 'ready' && rows.length > 0 ? (
          <Table<QueueEntry>
            caption="Rights requests, soonest due first"
            rows={rows}
            rowKey={(row) => row.id}
            columns={[
              {
                key: 'person',
                header: 'Request',
                cell: (row) => (
                  <div className="queue-person">
                    <Link to={requestPath(scope, row.id)} className="row-title row-link">
                      {row.requesterName || row.requesterEmail || 'Unnamed person'}
                    </Link>
                    <span className="muted queue-meta">
                      {KIND_LABEL[row.kind]}
                      {row.requesterName && row.requesterEmail ? (
                        <span className="col-secondary-inline"> · {row.requesterEmail}</span>
                      ) : null}
                    </span>
                    {/* On a phone the status column is hidden; the status rides under the name instead. */}
                    <span className="phone-only">
                      <RequestStatusBadge status={row.status} />
                    </span>
                  </div>
                ),
              },
              {
                key: 'status',
                header: 'Status',
                secondary: true,
                cell: (row) => <RequestStatusBadge status={row.status} />,
              },
              {
                key: 'received',
                header: 'Received',
                secondary: true,
                cell: (row) => (
                  <span className="stacked">
                    <span className="nowrap">{formatDate(row.receivedAt)}</span>
                    <span className="muted">{CHANNEL_LABEL[row.channel] ?? row.channel}</span>
                  </span>
                ),
              },
              {
                key: 'due',
                header: 'Due',
                secondary: true,
                cell: (row) => (
                  <span className="stacked">
                    <span className="nowrap">{formatCivil(row.dueOn)}</span>
                    {row.extended ? <span className="muted">Extended</span> : null}
                  </span>
                ),
              },
              {
                key: 'clock',
                header: 'Clock',
                cell: (row) => <ClockBadge clock={row} />,
              },
              {
                key: 'open',
                header: <span className="visually-hidden">Open</span>,
                align: 'end',
                secondary: true,
                cell: () => <ChevronRightIcon size={18} className="row-chevron" />,
              },
            ]}
          />
        ) : null}
      </Card>
      {staff ? <LogRequestDialog open={logOpen} onClose={() => setLogOpen(false)} /> : null}
    </>
  );
};

/** The owner's reminder of what routing means: their business decides, and answers by the due date (CC-11). */
const ControllerNotice = () => (
  <Alert tone="info" title="Your business is the controller for these requests">
    Your answering team found data it holds for your business about the person who asked, so the decision is yours.
    Answer each request here by its due date: the person is told who is answering, and is e-mailed when you do.
  </Alert>
);
