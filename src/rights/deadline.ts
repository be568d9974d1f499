/**
 * @module The statutory clock for rights requests (GDPR / UK GDPR Art. 12(3)), counted the way the ICO counts it.
 *
 * A pure function of dates: no clock, no database. The rules (ICO, "What should we consider when responding to a
 * request?", right of access guidance):
 * - The clock starts on the latest of: receipt of the request, of the identity evidence asked for, of a fee asked for
 *   ({@link clockStartDate}).
 * - Count from the day of receipt, working day or not, to the corresponding calendar date next month; if next month
 *   has no such date, the last day of that month. Some regulators count from the day after receipt, so the
 *   convention is a setting (`'day-after'`); the ICO's `'day-of-receipt'` is the default.
 * - An extension (complex or numerous requests) runs to the corresponding date three months after the start, and
 *   the person must be told within the first month ({@link extensionNoticeBy}).
 * - Asking for clarification stops the clock (see {@link computeDeadline} for how paused days are counted).
 * - A deadline on a weekend or bank holiday moves to the next working day in the region.
 *
 * @example
 * computeDeadline({ clockStart: '2026-01-31' })
 * // { status: 'running', calendarDue: '2026-02-28', due: '2026-03-02' (28 Feb 2026 is a Saturday), … }
 * computeDeadline({ clockStart: '2026-03-02', pauses: [{ from: '2026-03-05', to: '2026-03-09' }] })
 * // due '2026-04-07': 2 April + 5 paused days
 * computeDeadline({ clockStart: '2026-03-02', pauses: [{ from: '2026-03-05' }] })
 * // { status: 'paused', pausedSince: '2026-03-05', … }
 */
import { AppError } from '../kernel/errors.ts';
import {
  assertSupportedYear,
  type CivilDate,
  civilDate,
  daysBetween,
  daysInMonth,
  fromDayNumber,
  nextWorkingDay,
  parseCivilDate,
  previousWorkingDay,
  toDayNumber,
  UK_REGIONS,
  type UkRegion,
  ukCivilDate,
} from './bank-holidays.ts';

export const COUNTING_CONVENTIONS = ['day-of-receipt', 'day-after'] as const;
/**
 * `'day-of-receipt'` (ICO, default): received 3 March → due 3 April.
 * `'day-after'`: the first counted day is the day after receipt → due 4 April.
 */
export type CountingConvention = (typeof COUNTING_CONVENTIONS)[number];

/**
 * A time the clock stood still awaiting clarification: from the day it was asked for to the day it arrived, both
 * included. No `to` means the clarification is still awaited.
 */
export type ClockPause = { readonly from: CivilDate; readonly to?: CivilDate | null };

export type DeadlineInput = {
  /** The UK date the clock started (see {@link clockStartDate}). */
  readonly clockStart: CivilDate;
  readonly pauses?: readonly ClockPause[];
  /** Whether the two-month extension was taken (and notified). */
  readonly extended?: boolean;
  readonly region?: UkRegion;
  readonly convention?: CountingConvention;
};

type DeadlineCommon = {
  readonly clockStart: CivilDate;
  readonly extended: boolean;
  /** Calendar days the clock has stood still, counted towards the deadline reported. */
  readonly pausedDays: number;
};

export type Deadline =
  | (DeadlineCommon & {
      readonly status: 'running';
      /** The corresponding date plus paused days, before moving off weekends and bank holidays. */
      readonly calendarDue: CivilDate;
      /** The last day to answer: a working day in the region. */
      readonly due: CivilDate;
      /** The last day to tell the person about an extension (the one-month deadline). */
      readonly extensionNoticeBy: CivilDate;
    })
  | (DeadlineCommon & {
      readonly status: 'paused';
      /** The day the still-open clarification request stopped the clock; no due date until it arrives. */
      readonly pausedSince: CivilDate;
    });

/**
 * The date `months` calendar months after `date`: the same day of the month, or the month's last day when it is
 * shorter (31 January + 1 month = 28 or 29 February).
 */
export const addCalendarMonths = (date: CivilDate, months: number): CivilDate => {
  const { year, month, day } = parseCivilDate(date);
  const monthIndex = month - 1 + months;
  const targetYear = year + Math.floor(monthIndex / 12);
  const targetMonth = (((monthIndex % 12) + 12) % 12) + 1;
  return civilDate(targetYear, targetMonth, Math.min(day, daysInMonth(targetYear, targetMonth)));
};

type ParsedPause = { readonly from: number; readonly to: number | null };

const validatePauses = (pauses: readonly ClockPause[]): ParsedPause[] => {
  const parsed = pauses.map((pause, index): ParsedPause => {
    parseCivilDate(pause.from, `pauses[${index}].from`);
    const from = toDayNumber(pause.from);
    if (pause.to === undefined || pause.to === null) return { from, to: null };
    parseCivilDate(pause.to, `pauses[${index}].to`);
    const to = toDayNumber(pause.to);
    if (to < from) {
      throw new AppError('VALIDATION_FAILED', 'A clock pause cannot end before it starts', {
        field: `pauses[${index}]`,
      });
    }
    return { from, to };
  });
  const open = parsed.filter((pause) => pause.to === null);
  if (open.length > 1) {
    throw new AppError('VALIDATION_FAILED', 'Only one clarification can be awaited at a time', { field: 'pauses' });
  }
  const openPause = open[0];
  if (openPause && parsed.some((pause) => pause.to !== null && pause.to >= openPause.from)) {
    throw new AppError('VALIDATION_FAILED', 'A clock pause cannot start or end while another is still open', {
      field: 'pauses',
    });
  }
  return parsed;
};

const validateInput = (input: DeadlineInput) => {
  assertSupportedYear(input.clockStart, 'clockStart');
  const region = input.region ?? 'england-and-wales';
  if (!UK_REGIONS.includes(region)) {
    throw new AppError('VALIDATION_FAILED', `The region must be one of ${UK_REGIONS.join(', ')}`, { field: 'region' });
  }
  const convention = input.convention ?? 'day-of-receipt';
  if (!COUNTING_CONVENTIONS.includes(convention)) {
    throw new AppError('VALIDATION_FAILED', `The convention must be one of ${COUNTING_CONVENTIONS.join(', ')}`, {
      field: 'convention',
    });
  }
  return { region, convention, pauses: validatePauses(input.pauses ?? []) };
};

/**
 * Runs the clock for `months` months: the corresponding date, pushed out by paused days.
 *
 * Paused days. The ICO's refreshed right-of-access guidance (after the Data (Use and Access) Act 2025) says that
 * asking for clarification pauses the clock until it arrives. The Act's wording (DPA 2018 s.54(3C), the same words
 * as the new UK GDPR Art. 12A) is that "the period beginning with the day on which the controller makes the request
 * and ending with the day on which the controller receives the information does not count", towards the deadline
 * and towards the extension-notice month alike. So:
 * - both the day clarification is asked for and the day it arrives are paused: `to - from + 1` calendar days;
 * - the paused days are added to the corresponding date (then the working-day rule applies), rather than moving
 *   the start, so month-end clamping is decided by the real start date;
 * - overlapping pauses count each day once; days before the first counted day are ignored (the clock had not
 *   started);
 * - a pause asked for after the running deadline has passed counts for nothing: the Act only stops a clock that is
 *   still running ("before the end of the applicable time period").
 */
const runClock = (
  firstCountedDay: number,
  months: number,
  pauses: readonly ParsedPause[],
):
  | { status: 'running'; calendarDue: number; pausedDays: number }
  | { status: 'paused'; since: number; pausedDays: number } => {
  let calendarDue = toDayNumber(addCalendarMonths(fromDayNumber(firstCountedDay), months));
  let pausedDays = 0;
  const clipped = pauses
    .filter((pause) => pause.to === null || pause.to >= firstCountedDay)
    .map((pause) => ({ from: Math.max(pause.from, firstCountedDay), to: pause.to, askedOn: pause.from }))
    .sort((a, b) => a.from - b.from);
  let countedUpTo = firstCountedDay - 1;
  for (const pause of clipped) {
    if (pause.from > calendarDue) break;
    if (pause.to === null) return { status: 'paused', since: pause.askedOn, pausedDays };
    const from = Math.max(pause.from, countedUpTo + 1);
    if (pause.to >= from) {
      const days = pause.to - from + 1;
      calendarDue += days;
      pausedDays += days;
      countedUpTo = pause.to;
    }
  }
  return { status: 'running', calendarDue, pausedDays };
};

/**
 * Computes the response deadline of a rights request.
 *
 * @throws AppError `VALIDATION_FAILED` for a date that is not `YYYY-MM-DD` or not real, a pause ending before it
 *   starts, more than one open pause, a pause overlapping an open one, or an unknown region or convention.
 * @example
 * computeDeadline({ clockStart: '2026-11-25' }).due                       // '2026-12-29' (25th–28th are holidays)
 * computeDeadline({ clockStart: '2026-11-25', extended: true }).due       // '2027-02-25'
 * computeDeadline({ clockStart: '2026-05-15', region: 'scotland' }).due   // '2026-06-16'
 */
export const computeDeadline = (input: DeadlineInput): Deadline => {
  const { region, convention, pauses } = validateInput(input);
  const extended = input.extended === true;
  const firstCountedDay = toDayNumber(input.clockStart) + (convention === 'day-after' ? 1 : 0);
  const common = { clockStart: input.clockStart, extended };

  const oneMonth = runClock(firstCountedDay, 1, pauses);
  const final = extended ? runClock(firstCountedDay, 3, pauses) : oneMonth;
  if (final.status === 'paused') {
    return { ...common, status: 'paused', pausedSince: fromDayNumber(final.since), pausedDays: final.pausedDays };
  }
  // An extended request still has a one-month notice deadline; it can only be paused if the final clock is too,
  // but keep the types honest.
  const noticeDay = oneMonth.status === 'running' ? oneMonth.calendarDue : final.calendarDue;
  const calendarDue = fromDayNumber(final.calendarDue);
  return {
    ...common,
    status: 'running',
    calendarDue,
    due: nextWorkingDay(calendarDue, region),
    extensionNoticeBy: nextWorkingDay(fromDayNumber(noticeDay), region),
    pausedDays: final.pausedDays,
  };
};

/**
 * The last day the person may be told of an extension: the one-month deadline (Art. 12(3): "within one month of
 * receipt", with the same pauses and working-day rule). `null` while a clarification is awaited.
 *
 * @example
 * extensionNoticeBy({ clockStart: '2026-03-02' }) // '2026-04-02'
 */
export const extensionNoticeBy = (input: Omit<DeadlineInput, 'extended'>): CivilDate | null => {
  const deadline = computeDeadline({ ...input, extended: false });
  return deadline.status === 'running' ? deadline.extensionNoticeBy : null;
};

/**
 * Calendar days left from `asOf` to `due`: 0 on the due day, negative once overdue.
 *
 * @example
 * daysRemaining('2026-04-02', '2026-03-30') // 3
 */
export const daysRemaining = (due: CivilDate, asOf: CivilDate): number => {
  parseCivilDate(due, 'due');
  parseCivilDate(asOf, 'asOf');
  return daysBetween(asOf, due);
};

/**
 * Whether the answer is late on the UK date `asOf`. The due day itself is not overdue: the deadline is the end of it.
 *
 * @example
 * isOverdue('2026-04-02', '2026-04-02') // false
 * isOverdue('2026-04-02', ukCivilDate(clock.now()))
 */
export const isOverdue = (due: CivilDate, asOf: CivilDate): boolean => daysRemaining(due, asOf) < 0;

export type Reminders = { readonly sevenDaysBefore: CivilDate; readonly twoDaysBefore: CivilDate };

/**
 * When to remind the team: 7 and 2 calendar days before `due`. A reminder that would fall on a weekend or bank
 * holiday is brought forward to the working day before, so nobody first sees it on a later day.
 *
 * @example
 * reminderDates('2026-12-29') // { sevenDaysBefore: '2026-12-22', twoDaysBefore: '2026-12-24' }
 */
export const reminderDates = (due: CivilDate, region: UkRegion = 'england-and-wales'): Reminders => {
  const day = toDayNumber(due);
  return {
    sevenDaysBefore: previousWorkingDay(fromDayNumber(day - 7), region),
    twoDaysBefore: previousWorkingDay(fromDayNumber(day - 2), region),
  };
};

/**
 * The UK date the clock starts: the latest of receipt of the request, of identity evidence that was asked for, and
 * of a fee that was asked for (ICO; DPA 2018 s.54(3) and UK GDPR Art. 12A use the same "latest of" rule).
 *
 * @example
 * clockStartDate({ requestReceivedAt: new Date('2026-03-01T10:00:00Z'), identityReceivedAt: new Date('2026-03-04T23:30:00Z') })
 * // '2026-03-04' (GMT); in summer 23:30 UTC is already the next UK day
 */
export const clockStartDate = (events: {
  readonly requestReceivedAt: Date;
  readonly identityReceivedAt?: Date | null;
  readonly feePaidAt?: Date | null;
}): CivilDate => {
  const instants = [events.requestReceivedAt, events.identityReceivedAt, events.feePaidAt].filter(
    (instant): instant is Date => instant instanceof Date,
  );
  const latest = instants.reduce((a, b) => (b.getTime() > a.getTime() ? b : a), events.requestReceivedAt);
  return ukCivilDate(latest);
};
