import type { ReactNode } from 'react';

export type BadgeTone = 'neutral' | 'accent' | 'success' | 'warning' | 'danger';

export const Badge = ({ tone = 'neutral', children }: { tone?: BadgeTone; children: ReactNode }) => (
  <span className={`badge badge-${tone}`}>{children}</span>
);

const STATUS_TONES: Record<string, BadgeTone> = {
  active: 'success',
  trial: 'accent',
  subscribed: 'success',
  cancelled: 'warning',
  deactivated: 'neutral',
  suspended: 'warning',
  closed: 'neutral',
  erased: 'danger',
};

export const StatusBadge = ({ status }: { status: string }) => (
  <Badge tone={STATUS_TONES[status] ?? 'neutral'}>{status.charAt(0).toUpperCase() + status.slice(1)}</Badge>
);
