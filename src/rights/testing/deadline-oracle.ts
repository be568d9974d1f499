/**
 * @module Test-only oracle for the rights-request deadline: an independent second implementation that the property
 * test compares with `../deadline.ts`. It shares no code with the engine: months by `year * 12 + month` integer
 * arithmetic and its own month-length table, days by walking one UTC day at a time, pauses by looking each walked
 * day up, and holidays from the `date-holidays` package instead of the engine's rules. Never import it from
 * production code.
 *
 * @example
 * oracleDeadline({ clockStart: '2026-11-25', pauses: [], extended: false, region: 'england-and-wales', convention: 'day-of-receipt' })
 * // { status: 'running', due: '2026-12-29', extensionNoticeBy: '2026-12-29', pausedDays: 0 }
 */
import Holidays from 'date-holidays';

type Region = 'england-and-wales' | 'scotland' | 'northern-ireland';

export type OracleInput = {
  readonly clockStart: string;
  readonly pauses: readonly { readonly from: string; readonly to?: string | null }[];
  readonly extended: boolean;
  readonly region: Region;
  readonly convention: 'day-of-receipt' | 'day-after';
};

export type OracleResult =
  | { status: 'running'; due: string; extensionNoticeBy: string; pausedDays: number }
  | { status: 'paused'; pausedSince: string; pausedDays: number };

const STATE = { 'england-and-wales': 'ENG', scotland: 'SCT', 'northern-ireland': 'NIR' } as const;
const ALL: readonly Region[] = ['england-and-wales', 'scotland', 'northern-ireland'];

/**
 * Where date-holidays 3.37.0 disagrees with the official GOV.UK list and the royal proclamations, checked one by one
 * (every weekday difference over 1999–2040 is here):
 * - 2002: the Spring bank holiday was moved from 27 May to Tue 4 June and Mon 3 June added (Golden Jubilee);
 *   date-holidays keeps 27 May and has neither June day.
 * - 2011: Fri 29 April (royal wedding) was a bank holiday throughout the UK; date-holidays lacks it.
 * - 2012: the Spring bank holiday moved from 28 May to Mon 4 June (Tue 5 June being the Diamond Jubilee);
 *   date-holidays keeps 28 May.
 * - Scotland, 2000–2006: St Andrew's Day became a bank holiday only with the St Andrew's Day Bank Holiday
 *   (Scotland) Act 2007; date-holidays applies it (and its substitute Mondays) to every year.
 * - Scotland, 2026: Mon 15 June (FIFA World Cup) proclaimed on 4 Feb 2026; newer than date-holidays 3.37.0.
 */
const CORRECTIONS: readonly { regions: readonly Region[]; remove?: string; add?: string }[] = [
  { regions: ALL, remove: '2002-05-27', add: '2002-06-04' },
  { regions: ALL, add: '2002-06-03' },
  { regions: ALL, add: '2011-04-29' },
  { regions: ALL, remove: '2012-05-28', add: '2012-06-04' },
  ...['2000-11-30', '2001-11-30', '2002-12-02', '2003-12-01', '2004-11-30', '2005-11-30', '2006-11-30'].map(
    (remove) => ({ regions: ['scotland'] as const, remove }),
  ),
  { regions: ['scotland'], add: '2026-06-15' },
];

const MS_PER_DAY = 86_400_000;
const MONTH_LENGTHS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const toMs = (date: string): number => Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10));
const fromMs = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

const monthLength = (year: number, month: number): number => {
  const leap = year % 400 === 0 || (year % 100 !== 0 && year % 4 === 0);
  return month === 2 && leap ? 29 : (MONTH_LENGTHS[month - 1] ?? 0);
};

const plusMonths = (date: string, months: number): string => {
  const index = +date.slice(0, 4) * 12 + (+date.slice(5, 7) - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const day = Math.min(+date.slice(8, 10), monthLength(year, month));
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
};

const holidayCache = new Map<string, Set<string>>();
const calendars = new Map<Region, Holidays>();

const holidaysOf = (year: number, region: Region): Set<string> => {
  const key = `${region}${year}`;
  const cached = holidayCache.get(key);
  if (cached) return cached;
  let calendar = calendars.get(region);
  if (!calendar) {
    calendar = new Holidays('GB', STATE[region]);
    calendars.set(region, calendar);
  }
  // 'public' is what date-holidays calls the UK bank holidays, substitute days included ('observance' is Mother's
  // Day and the like). The weekend dates it also lists do not matter: weekends are never working days.
  const dates = new Set(
    calendar
      .getHolidays(year)
      .filter((holiday) => holiday.type === 'public')
      .map((holiday) => holiday.date.slice(0, 10)),
  );
  for (const correction of CORRECTIONS) {
    if (!correction.regions.includes(region)) continue;
    if (correction.remove?.startsWith(String(year))) dates.delete(correction.remove);
    if (correction.add?.startsWith(String(year))) dates.add(correction.add);
  }
  holidayCache.set(key, dates);
  return dates;
};

/** Whether the oracle treats a date as a bank holiday (for the named example tests of the corrections). */
export const oracleIsBankHoliday = (date: string, region: Region): boolean =>
  holidaysOf(+date.slice(0, 4), region).has(date);

const isWorking = (ms: number, region: Region): boolean => {
  const weekday = new Date(ms).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !oracleIsBankHoliday(fromMs(ms), region);
};

const rollForward = (date: string, region: Region): string => {
  let ms = toMs(date);
  while (!isWorking(ms, region)) ms += MS_PER_DAY;
  return fromMs(ms);
};

/** Walks the counted days one by one; every paused day met on the way pushes the end one day further. */
const walk = (input: OracleInput, months: number) => {
  const first = toMs(input.clockStart) + (input.convention === 'day-after' ? MS_PER_DAY : 0);
  let end = toMs(plusMonths(fromMs(first), months));
  let pausedDays = 0;
  for (let day = first; day <= end; day += MS_PER_DAY) {
    const open = input.pauses.find((pause) => !pause.to && toMs(pause.from) <= day);
    if (open) return { status: 'paused' as const, pausedSince: open.from, pausedDays };
    if (input.pauses.some((pause) => pause.to && toMs(pause.from) <= day && day <= toMs(pause.to))) {
      end += MS_PER_DAY;
      pausedDays += 1;
    }
  }
  return { status: 'running' as const, end: fromMs(end), pausedDays };
};

export const oracleDeadline = (input: OracleInput): OracleResult => {
  const final = walk(input, input.extended ? 3 : 1);
  if (final.status === 'paused') return final;
  const oneMonth = walk(input, 1);
  if (oneMonth.status === 'paused') throw new Error('oracle: one-month clock paused but the final one is not');
  return {
    status: 'running',
    due: rollForward(final.end, input.region),
    extensionNoticeBy: rollForward(oneMonth.end, input.region),
    pausedDays: final.pausedDays,
  };
};
