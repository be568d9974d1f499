/**
 * @module What the staff and portal rights screens share: who is answering (staff or a client's owner, and so which
 * API and which paths), the words for kinds, statuses, events and reasons, and the clock badge.
 */

import type { User } from '../../api.ts';
import {
  type FeeReason,
  type FeeStatus,
  type RefusalReason,
  type RequestKind,
  type RequestStatus,
  type RightsApi,
  type RightsAudience,
  rightsApi,
} from '../../rights-api.ts';
import { roleLabel } from '../../session.tsx';
import { Badge, type BadgeTone } from '../../ui/badge.tsx';

export type RightsScope = {
  audience: RightsAudience;
  api: RightsApi;
  /** The queue's path; a request is `${base}/${id}`. */
  base: string;
};

export const STAFF_RIGHTS_BASE = '/staff/rights-requests';
export const PORTAL_RIGHTS_BASE = '/portal/rights-requests';
export const STAFF_RIGHTS_DASHBOARD = `${STAFF_RIGHTS_BASE}/dashboard`;

const scopes: Record<RightsAudience, RightsScope> = {
  staff: { audience: 'staff', api: rightsApi('staff'), base: STAFF_RIGHTS_BASE },
  owner: { audience: 'owner', api: rightsApi('owner'), base: PORTAL_RIGHTS_BASE },
};

export const rightsScope = (audience: RightsAudience): RightsScope => scopes[audience];

export const requestPath = (scope: RightsScope, id: string): string => `${scope.base}/${encodeURIComponent(id)}`;

export const KIND_LABEL: Record<RequestKind, string> = {
  access: 'Access',
  portability: 'Portability',
  rectification: 'Correction',
  erasure: 'Erasure',
  restriction: 'Restriction',
  objection: 'Objection',
  object_direct_marketing: 'Stop marketing',
  withdraw_consent: 'Withdraw consent',
};

/** What the person asked for, in a sentence, for the detail page and the log dialog. */
export const KIND_DESCRIPTION: Record<RequestKind, string> = {
  access: 'A copy of the personal data held about them, and how it is used.',
  portability: 'Their data in a machine-readable file they can take elsewhere.',
  rectification: 'Correct details that are wrong or incomplete.',
  erasure: 'Delete their personal data.',
  restriction: 'Keep their data but stop using it for now.',
  objection: 'Stop processing based on legitimate interests.',
  object_direct_marketing: 'Stop all direct marketing to them.',
  withdraw_consent: 'Withdraw consent they gave earlier.',
};

export const STATUS_LABEL: Record<RequestStatus, string> = {
  awaiting_verification: 'Identity check',
  received: 'Received',
  in_progress: 'In progress',
  awaiting_clarification: 'Awaiting clarification',
  completed: 'Completed',
  refused: 'Refused',
  expired: 'Expired',
};

const STATUS_TONE: Record<RequestStatus, BadgeTone> = {
  awaiting_verification: 'warning',
  received: 'accent',
  in_progress: 'accent',
  awaiting_clarification: 'warning',
  completed: 'success',
  refused: 'neutral',
  expired: 'neutral',
};

export const RequestStatusBadge = ({ status }: { status: RequestStatus }) => (
  <Badge tone={STATUS_TONE[status]}>{STATUS_LABEL[status]}</Badge>
);

export const OPEN_STATUSES: readonly RequestStatus[] = ['received', 'in_progress', 'awaiting_clarification'];
export const isOpen = (status: RequestStatus): boolean => OPEN_STATUSES.includes(status);

export const CHANNEL_LABEL: Record<string, string> = {
  web: 'Privacy centre',
  portal: 'Client portal',
  phone: 'Phone',
  email: 'E-mail',
  post: 'Post',
};

export const REFUSAL_LABEL: Record<RefusalReason, string> = {
  manifestly_unfounded: 'Manifestly unfounded',
  manifestly_excessive: 'Manifestly excessive',
  identity_not_confirmed: 'Identity not confirmed',
  exemption_applies: 'An exemption applies',
};

export const FEE_LABEL: Record<FeeReason, string> = {
  further_copy: 'A further copy (the first is free)',
  manifestly_unfounded: 'Manifestly unfounded',
  manifestly_excessive: 'Manifestly excessive',
};

export const FEE_STATUS_LABEL: Record<FeeStatus, string> = {
  none: 'No fee',
  requested: 'Fee awaited',
  paid: 'Fee paid',
  waived: 'Fee waived',
};

const EVENT_LABEL: Record<string, string> = {
  received: 'Request received',
  verified: 'Identity confirmed',
  routed: 'Matched and routed',
  started: 'Work started',
  clarification_requested: 'Clarification asked for (clock paused)',
  clarification_received: 'Clarification received (clock restarted)',
  extended: 'Deadline extended',
  fee_requested: 'Fee asked for (clock paused)',
  fee_paid: 'Fee paid',
  fee_waived: 'Fee waived',
  refused: 'Refused',
  completed: 'Answered',
  expired: 'Expired',
  restriction_lifted: 'Restriction lifted',
  recipients_to_tell: 'Recipients to tell listed (Art. 19)',
  recipient_told: 'A recipient was told',
};

const humanize = (value: string): string => value.replace(/[_-]+/g, ' ').replace(/^\w/, (c) => c.toUpperCase());

export const eventLabel = (event: string): string => EVENT_LABEL[event] ?? humanize(event);

export const reasonLabel = (reason: string): string =>
  REFUSAL_LABEL[reason as RefusalReason] ?? FEE_LABEL[reason as FeeReason] ?? reason;

export const actorLabel = (role: string | null): string => {
  if (!role) return 'Someone';
  if (role === 'system') return 'Custodian';
  // The server records the person's own steps (asking, proving their address, downloading) as `data_subject`.
  if (role === 'person' || role === 'data_subject') return 'The person';
  return roleLabel(role as User['role']);
};

export const subjectKindLabel = (kind: string | null): string => (kind ? humanize(kind) : 'Person');

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export type ClockState = {
  status: RequestStatus;
  dueOn: string | null;
  daysLeft: number | null;
  overdue: boolean;
  closedAt: string | null;
  feeStatus: FeeStatus;
};

/** The badge text and tone for a request's clock: days left, amber within a week, red once overdue. */
export const clockSummary = (clock: ClockState): { tone: BadgeTone; text: string } => {
  if (clock.status === 'awaiting_verification') return { tone: 'neutral', text: 'Not started' };
  if (!isOpen(clock.status)) {
    if (!clock.closedAt) return { tone: 'neutral', text: 'Closed' };
    if (!clock.dueOn || clock.closedAt.slice(0, 10) <= clock.dueOn) return { tone: 'success', text: 'On time' };
    return { tone: 'danger', text: 'Answered late' };
  }
  if (clock.status === 'awaiting_clarification' || clock.feeStatus === 'requested' || clock.dueOn === null) {
    return { tone: 'neutral', text: 'Paused' };
  }
  const days = clock.daysLeft ?? 0;
  if (clock.overdue) return { tone: 'danger', text: `Overdue ${plural(-days, 'day')}` };
  if (days === 0) return { tone: 'danger', text: 'Due today' };
  if (days <= 7) return { tone: 'warning', text: `${plural(days, 'day')} left` };
  return { tone: 'neutral', text: `${plural(days, 'day')} left` };
};

export const ClockBadge = ({ clock }: { clock: ClockState }) => {
  const { tone, text } = clockSummary(clock);
  return (
    <span className="clock-badge">
      <Badge tone={tone}>{text}</Badge>
    </span>
  );
};

const civil = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });

/** A civil date (`YYYY-MM-DD`) as a date, read in UTC so it never shifts a day in the browser's time zone. */
export const formatCivil = (value: string | null): string => {
  if (!value) return '—';
  const parsed = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(parsed.getTime()) ? value : civil.format(parsed);
};

/** Whole days from one civil date to another. */
export const civilDaysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

const money = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP' });
export const formatPence = (pence: number): string => money.format(pence / 100);

export const formatBytes = (bytes: number): string => {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
};
