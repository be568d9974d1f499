/**
 * @module The pieces the public privacy center and the portal's "My privacy" share: the public page frame, the
 * right chooser (cards generated from the rights guide), the details box with its counter, and plain-words
 * formatting of periods, dates and statuses.
 */
import { type ReactNode, useEffect } from 'react';
import type { ApiError } from '../../api.ts';
import type { BadgeTone } from '../../ui/badge.tsx';
import { Field, Textarea } from '../../ui/field.tsx';
import { ShieldIcon } from '../../ui/icons.tsx';
import { Skeleton } from '../../ui/spinner.tsx';
import type { RequestStatus, RightGuide, RightKind } from './privacy-center-api.ts';

/** The same titles the rights guide gives each kind, for screens that do not load the guide. */
export const KIND_TITLES: Record<RightKind, string> = {
  access: 'Get a copy of my data',
  portability: 'Take my data elsewhere',
  rectification: 'Correct my data',
  erasure: 'Erase my data',
  restriction: 'Pause the use of my data',
  objection: 'Object to how you use my data',
  object_direct_marketing: 'Stop all marketing to me',
  withdraw_consent: 'Withdraw my consent',
};

/** What to write in the details box, so the request can be answered without a question back. */
export const DETAILS_HINTS: Record<RightKind, string> = {
  access: 'Anything that helps us find your data, such as a business you called or dates. You can leave this empty.',
  portability: 'Anything that helps us find your data. You can leave this empty.',
  rectification: 'What is wrong or missing, and what it should say.',
  erasure: 'Anything that helps us find your data, or only some of it you want erased.',
  restriction: 'Which data, and why: for example, you contest its accuracy.',
  objection: 'Which use of your data you object to, and your reasons.',
  object_direct_marketing: 'No reason is needed. You can leave this empty.',
  withdraw_consent: 'What you agreed to that you now withdraw, if you know.',
};

export const DETAILS_MAX = 4000;

export const STATUS_LABELS: Record<RequestStatus, { label: string; tone: BadgeTone }> = {
  awaiting_verification: { label: 'Checking it is you', tone: 'warning' },
  received: { label: 'Received', tone: 'accent' },
  in_progress: { label: 'In progress', tone: 'accent' },
  awaiting_clarification: { label: 'Waiting for you', tone: 'warning' },
  completed: { label: 'Answered', tone: 'success' },
  refused: { label: 'Refused', tone: 'danger' },
  expired: { label: 'Expired', tone: 'neutral' },
};

export const REFUSAL_REASONS: Record<string, string> = {
  manifestly_unfounded: 'The request is manifestly unfounded.',
  manifestly_excessive: 'The request is manifestly excessive.',
  identity_not_confirmed: 'We could not confirm that the request came from you.',
  exemption_applies: 'A legal exemption applies to this request.',
};

const NUMBER_WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven'];

const UNITS = { Y: 'year', M: 'month', W: 'week', D: 'day' } as const;

/** P1M → "one month", P45D → "45 days": the policy's periods in plain words. */
export const describePeriod = (iso: string): string => {
  const parts = [...iso.matchAll(/(\d+)([YMWD])/g)].map(([, amount, unit]) => {
    const n = Number(amount);
    const word = UNITS[unit as keyof typeof UNITS];
    return `${NUMBER_WORDS[n] ?? n} ${word}${n === 1 ? '' : 's'}`;
  });
  return parts.length ? parts.join(' and ') : iso;
};

const dayFormat = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});

/** A calendar date (YYYY-MM-DD) read as that day wherever the reader is, never shifted by their time zone. */
const parseDay = (day: string): Date | null => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  return match ? new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : null;
};

export const formatDay = (day: string): string => {
  const parsed = parseDay(day);
  return parsed ? dayFormat.format(parsed) : day;
};

/** Whole days from today to a due date: 0 on the day, negative once it has passed. */
export const daysUntil = (day: string, today = new Date()): number | null => {
  const parsed = parseDay(day);
  if (!parsed) return null;
  const start = new Date(today.getFullYear(), today.getMonth(), today.getDate());
  return Math.round((parsed.getTime() - start.getTime()) / 86_400_000);
};

export const describeDaysLeft = (days: number): string => {
  if (days > 1) return `${days} days left`;
  if (days === 1) return '1 day left';
  if (days === 0) return 'Due today';
  return 'Past the due date';
};

/** "body.email" → "email": the server names fields after where they sit in the request. */
export const fieldMessages = (error: ApiError | null): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [key, message] of Object.entries(error?.fieldErrors ?? {})) {
    const name = key.replace(/^body\./, '');
    out[name] = message.charAt(0).toUpperCase() + message.slice(1);
  }
  return out;
};

export const usePageTitle = (title: string): void => {
  useEffect(() => {
    document.title = title;
  }, [title]);
};

/** The public frame: the business's name (undefined while loading, null if unknown), no app shell, no sign-in. */
export const PublicLayout = ({ business, children }: { business: string | null | undefined; children: ReactNode }) => (
  <div className="public-layout">
    <a className="skip-link" href="#main">
      Skip to content
    </a>
    <header className="public-header">
      <div className="public-header-inner">
        <div className="public-brand">
          <span className="public-brand-mark">
            <ShieldIcon size={20} />
          </span>
          <span className="public-brand-text">
            <span className="public-brand-name">
              {business === undefined ? <Skeleton width={160} height={16} /> : (business ?? 'Privacy center')}
            </span>
            {business === null ? null : <span className="public-brand-sub">Privacy center</span>}
          </span>
        </div>
        <a className="public-header-link" href="/privacy">
          Privacy notice
        </a>
      </div>
    </header>
    <main id="main" className="public-main" tabIndex={-1}>
      {children}
    </main>
    <footer className="public-footer">
      <div className="public-footer-inner">
        <span>{business ? `${business} · ` : ''}Your data, your rights.</span>
        <span className="public-footer-links">
          <a href="/privacy">Privacy notice</a>
          <a href="/privacy/requests">Make a request</a>
        </span>
      </div>
    </footer>
  </div>
);

type Purpose = RightGuide['appliesTo'][number];

/** Which of the business's uses a right reaches; "everything" or "everything except …" when that is shorter. */
const AppliesTo = ({ right, all }: { right: RightGuide; all: Purpose[] }) => {
  const reached = new Set(right.appliesTo.map((p) => p.purpose));
  const missing = all.filter((p) => !reached.has(p.purpose));
  const chips = (purposes: Purpose[]) =>
    purposes.map((p) => (
      <span key={p.purpose} className="chip">
        {p.name}
      </span>
    ));
  let content: ReactNode;
  if (right.appliesTo.length === 0) {
    content = (
      <span className="right-card-applies-label">None of our current uses rely on this; you can still ask.</span>
    );
  } else if (missing.length === 0 && all.length > 3) {
    content = (
      <>
        <span className="right-card-applies-label">Applies to</span>
        <span className="chip chip-accent">Everything we do with your data</span>
      </>
    );
  } else if (missing.length <= 2 && right.appliesTo.length > 3) {
    content = (
      <>
        <span className="right-card-applies-label">Applies to everything except</span>
        {chips(missing)}
      </>
    );
  } else {
    content = (
      <>
        <span className="right-card-applies-label">Applies to</span>
        {chips(right.appliesTo)}
      </>
    );
  }
  return <span className="right-card-applies">{content}</span>;
};

/** Every use of data any right reaches, in the order the guide lists them. */
const allPurposes = (kinds: RightGuide[]): Purpose[] => {
  const seen = new Map<string, Purpose>();
  for (const right of kinds) for (const p of right.appliesTo) if (!seen.has(p.purpose)) seen.set(p.purpose, p);
  return [...seen.values()];
};

/** One card per right, as a radio group: arrow keys move between them, the whole card is the click target. */
export const RightChooser = ({
  kinds,
  value,
  onChange,
  error,
  name = 'right',
}: {
  kinds: RightGuide[];
  value: RightKind | null;
  onChange: (kind: RightKind) => void;
  error?: string | undefined;
  name?: string;
}) => {
  const all = allPurposes(kinds);
  return (
    <fieldset className="right-grid" aria-describedby={error ? `${name}-error` : undefined}>
      <legend className="visually-hidden">What would you like to do?</legend>
      {kinds.map((right) => (
        <label key={right.kind} className="right-card">
          <input
            type="radio"
            name={name}
            value={right.kind}
            checked={value === right.kind}
            onChange={() => onChange(right.kind)}
            aria-labelledby={`${name}-${right.kind}-title`}
            aria-describedby={`${name}-${right.kind}-text`}
          />
          <span className="right-card-body">
            <span className="right-card-title" id={`${name}-${right.kind}-title`}>
              {right.title}
            </span>
            <span className="right-card-text" id={`${name}-${right.kind}-text`}>
              {right.explanation}
            </span>
            {right.notice ? <span className="right-card-notice">Our notice: “{right.notice}”</span> : null}
            <AppliesTo right={right} all={all} />
          </span>
        </label>
      ))}
      {error ? (
        <p className="field-error" id={`${name}-error`}>
          {error}
        </p>
      ) : null}
    </fieldset>
  );
};

export const RightChooserSkeleton = () => (
  <div className="right-grid" role="status" aria-label="Loading your rights">
    {Array.from({ length: 4 }, (_, index) => (
      // biome-ignore lint/suspicious/noArrayIndexKey: static placeholders never reorder
      <div className="right-card right-card-placeholder" key={index}>
        <Skeleton width="55%" height={16} />
        <Skeleton width="95%" />
        <Skeleton width="80%" />
      </div>
    ))}
  </div>
);

/** The free-text box every request has, with a live count against the server's limit. */
export const DetailsField = ({
  kind,
  value,
  onChange,
  error,
}: {
  kind: RightKind | null;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
}) => {
  const over = value.length > DETAILS_MAX;
  return (
    <Field
      label="Details"
      optional
      error={error ?? (over ? `Please shorten this to ${DETAILS_MAX.toLocaleString()} characters.` : undefined)}
      hint={
        <span className="counter-hint">
          <span>{kind ? DETAILS_HINTS[kind] : 'Anything that helps us answer.'}</span>
          <span className={over ? 'counter counter-over' : 'counter'}>
            {value.length.toLocaleString()} / {DETAILS_MAX.toLocaleString()}
          </span>
        </span>
      }
    >
      {(control) => (
        <Textarea {...control} name="details" rows={5} value={value} onChange={(e) => onChange(e.target.value)} />
      )}
    </Field>
  );
};
