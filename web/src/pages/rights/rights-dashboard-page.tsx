/**
 * @module The staff dashboard for rights requests: what is open, overdue and due this week, the share answered on
 * time, and requests per month by kind and by status over the last twelve months.
 */
import { type ReactNode, useEffect } from 'react';
import { type Dashboard, REQUEST_KINDS, type RequestStatus, staffRightsApi } from '../../rights-api.ts';
import { Card } from '../../ui/card.tsx';
import { type ChartCategory, Gauge, StackedBarChart } from '../../ui/chart.tsx';
import { AlertIcon, CheckCircleIcon, ClockIcon, InboxIcon } from '../../ui/icons.tsx';
import { PageHeader } from '../../ui/page-header.tsx';
import { Skeleton, SkeletonRows } from '../../ui/spinner.tsx';
import { useResource } from '../../use-resource.ts';
import { ErrorPanel } from '../error-panel.tsx';
import { KIND_LABEL, STAFF_RIGHTS_DASHBOARD, STATUS_LABEL } from './rights-shared.tsx';
import { RightsTabs } from './rights-tabs.tsx';

const MONTHS = 12;

const monthShort = new Intl.DateTimeFormat(undefined, { month: 'short', timeZone: 'UTC' });
const monthLong = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' });

/** Every month from `since` for `count` months, so quiet months show as gaps rather than vanishing. */
const monthsFrom = (since: string, count: number): ChartCategory[] => {
  const [year = 2000, month = 1] = since.split('-').map(Number);
  return Array.from({ length: count }, (_, i) => {
    const date = new Date(Date.UTC(year, month - 1 + i, 1));
    const key = date.toISOString().slice(0, 7);
    return { key, label: monthShort.format(date), long: monthLong.format(date) };
  });
};

/** Statuses the dashboard counts (the server leaves out unverified and expired), in lifecycle order. */
const STATUS_SERIES: { key: RequestStatus; color: string }[] = [
  { key: 'received', color: 'var(--chart-2)' },
  { key: 'in_progress', color: 'var(--chart-1)' },
  { key: 'awaiting_clarification', color: 'var(--chart-3)' },
  { key: 'completed', color: 'var(--chart-7)' },
  { key: 'refused', color: 'var(--chart-8)' },
];

const sum = (data: Dashboard, month: string, pick: (row: Dashboard['byMonth'][number]) => boolean): number =>
  data.byMonth.filter((r) => r.month === month && pick(r)).reduce((n, r) => n + r.count, 0);

const Kpi = ({
  label,
  value,
  hint,
  icon,
  tone = 'neutral',
}: {
  label: string;
  value: ReactNode;
  hint: string;
  icon: ReactNode;
  tone?: 'neutral' | 'warning' | 'danger' | 'success';
}) => (
  <section className={`stat kpi kpi-${tone}`} aria-label={label}>
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

export const RightsDashboardPage = () => {
  const dashboard = useResource(() => staffRightsApi.dashboard(MONTHS), []);

  useEffect(() => {
    document.title = 'Rights requests dashboard · Custodian';
  }, []);

  const data = dashboard.data;
  const loading = <Skeleton width={56} height={30} />;
  const months = data ? monthsFrom(data.since, MONTHS) : [];
  const rate = data?.onTimeRate ?? null;
  const onTime = data && rate !== null ? Math.round(rate * data.closed) : 0;

  return (
    <>
      <PageHeader
        title="Rights requests"
        description="How the team is keeping up with the legal deadlines, over the last twelve months."
      />
      <RightsTabs current={STAFF_RIGHTS_DASHBOARD} />
      {dashboard.status === 'error' ? <ErrorPanel error={dashboard.error} onRetry={dashboard.reload} /> : null}
      <div className="stats kpis" aria-busy={dashboard.status === 'loading'}>
        <Kpi
          label="Open"
          icon={<InboxIcon size={20} />}
          value={data ? data.open : loading}
          hint="Being worked on or paused"
        />
        <Kpi
          label="Overdue"
          icon={<AlertIcon size={20} />}
          tone={data && data.overdue > 0 ? 'danger' : 'neutral'}
          value={data ? data.overdue : loading}
          hint={data && data.overdue > 0 ? 'Past the legal deadline: answer today' : 'None past the deadline'}
        />
        <Kpi
          label="Due this week"
          icon={<ClockIcon size={20} />}
          tone={data && data.dueThisWeek > 0 ? 'warning' : 'neutral'}
          value={data ? data.dueThisWeek : loading}
          hint="Due within seven days"
        />
        <Kpi
          label="On time"
          icon={<CheckCircleIcon size={20} />}
          tone="success"
          value={data ? (rate === null ? '—' : `${Math.round(rate * 100)}%`) : loading}
          hint={data ? `${data.closed} answered in twelve months` : 'Answered by the due date'}
        />
      </div>
      <div className="grid-dashboard">
        <Card title="Requests per month, by kind" id="by-kind" description="By the month each request was received.">
          {data ? (
            <StackedBarChart
              title="Requests per month, by kind"
              categories={months}
              series={REQUEST_KINDS.map((kind) => ({ key: kind, label: KIND_LABEL[kind] }))}
              value={(month, kind) => sum(data, month, (r) => r.kind === kind)}
            />
          ) : (
            <SkeletonRows rows={5} label="Loading the chart" />
          )}
        </Card>
        <Card title="Answered on time" id="on-time" description="Closed requests answered by their due date.">
          {data ? (
            <div className="gauge-wrap">
              <Gauge
                label="Answered on time"
                value={rate}
                tone={rate !== null && rate < 0.9 ? (rate < 0.75 ? 'danger' : 'warning') : 'accent'}
                caption={
                  rate === null ? 'No request closed yet in this period.' : `${onTime} of ${data.closed} on time`
                }
              />
            </div>
          ) : (
            <SkeletonRows rows={3} label="Loading the on-time rate" />
          )}
        </Card>
        <Card
          title="Requests per month, by status"
          id="by-status"
          description="Where the requests received each month stand today."
          className="grid-dashboard-wide"
        >
          {data ? (
            <StackedBarChart
              title="Requests per month, by status"
              categories={months}
              series={STATUS_SERIES.map((s) => ({ key: s.key, label: STATUS_LABEL[s.key], color: s.color }))}
              value={(month, status) => sum(data, month, (r) => r.status === status)}
            />
          ) : (
            <SkeletonRows rows={5} label="Loading the chart" />
          )}
        </Card>
      </div>
    </>
  );
};
