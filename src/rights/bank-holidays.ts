/**
 * @module UK bank holidays by rule, and the civil-date arithmetic the statutory clocks count in.
 *
 * Calendar dates are `YYYY-MM-DD` strings and are turned into day numbers with integer arithmetic (days since
 * 1970-01-01, the proleptic Gregorian calendar), so neither the server's time zone nor daylight saving can move a
 * deadline. An instant (when a request arrived) becomes a date only through {@link ukCivilDate}, which reads the
 * wall calendar in Europe/London.
 *
 * The holidays are the ones GOV.UK publishes for each nation (Banking and Financial Dealings Act 1971 plus royal
 * proclamations): fixed rules, the substitute-day rule, and the one-off proclamations listed in `ONE_OFFS`. Nothing
 * is downloaded; a future proclamation has to be added to `ONE_OFFS` by hand.
 *
 * @example
 * isBankHoliday('2026-12-28', 'england-and-wales') // true: Boxing Day (substitute day)
 * isWorkingDay('2026-04-06', 'scotland')           // true: Easter Monday is not a bank holiday in Scotland
 * bankHolidays(2023, 'scotland').map((h) => h.date)
 * nextWorkingDay('2026-12-25')                     // '2026-12-29'
 * ukCivilDate(new Date('2026-06-30T23:30:00Z'))    // '2026-07-01' (BST)
 */
import { AppError } from '../kernel/errors.ts';

/** A calendar date as `YYYY-MM-DD`, with no time and no zone. */
export type CivilDate = string;

export const UK_REGIONS = ['england-and-wales', 'scotland', 'northern-ireland'] as const;
export type UkRegion = (typeof UK_REGIONS)[number];

export type BankHoliday = { readonly date: CivilDate; readonly name: string; readonly substitute: boolean };

/** The years the rules are written for; earlier years had different rules (e.g. the 1999 millennium day). */
export const FIRST_SUPPORTED_YEAR = 2000;
export const LAST_SUPPORTED_YEAR = 2100;

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's days_from_civil). */
const dayNumberOf = (year: number, month: number, day: number): number => {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
};

const partsOfDayNumber = (dayNumber: number): { year: number; month: number; day: number } => {
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
};

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

/** Builds a `YYYY-MM-DD` string from numbers that are already known to form a real date. */
export const civilDate = (year: number, month: number, day: number): CivilDate =>
  `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;

/** Splits and checks a `YYYY-MM-DD` date; throws `VALIDATION_FAILED` for anything that is not a real calendar date. */
export const parseCivilDate = (date: CivilDate, field = 'date'): { year: number; month: number; day: number } => {
  const match = typeof date === 'string' ? DATE_PATTERN.exec(date) : null;
  if (!match) {
    throw new AppError('VALIDATION_FAILED', `The ${field} must be a calendar date written YYYY-MM-DD`, { field });
  }
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new AppError('VALIDATION_FAILED', `The ${field} is not a real calendar date`, { field });
  }
  return { year, month, day };
};

const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** The number of days in a month (1–12). */
export const daysInMonth = (year: number, month: number): number =>
  month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/** Throws `VALIDATION_FAILED` unless the date's year is one whose bank holidays are known. */
export const assertSupportedYear = (date: CivilDate, field = 'date'): void => {
  const { year } = parseCivilDate(date, field);
  if (year < FIRST_SUPPORTED_YEAR || year > LAST_SUPPORTED_YEAR) {
    throw new AppError(
      'VALIDATION_FAILED',
      `The ${field} must fall between ${FIRST_SUPPORTED_YEAR} and ${LAST_SUPPORTED_YEAR}, the years whose bank holidays are known`,
      { field },
    );
  }
};

/** Days since 1970-01-01. */
export const toDayNumber = (date: CivilDate): number => {
  const { year, month, day } = parseCivilDate(date);
  return dayNumberOf(year, month, day);
};

export const fromDayNumber = (dayNumber: number): CivilDate => {
  const { year, month, day } = partsOfDayNumber(dayNumber);
  return civilDate(year, month, day);
};

/** The date `days` calendar days after (or, when negative, before) `date`. */
export const addDays = (date: CivilDate, days: number): CivilDate => fromDayNumber(toDayNumber(date) + days);

/** Calendar days from `from` to `to`: positive when `to` is later. */
export const daysBetween = (from: CivilDate, to: CivilDate): number => toDayNumber(to) - toDayNumber(from);

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
const weekdayOfDayNumber = (dayNumber: number): number => (((dayNumber + 4) % 7) + 7) % 7;

const isWeekendDayNumber = (dayNumber: number): boolean => {
  const weekday = weekdayOfDayNumber(dayNumber);
  return weekday === 0 || weekday === 6;
};

/** Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
export const easterSunday = (year: number): CivilDate => {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return civilDate(year, month, day);
};

/** Day number of the n-th (1-based) Monday of a month, or of the last Monday when `n` is 'last'. */
const mondayOf = (year: number, month: number, n: number | 'last'): number => {
  if (n === 'last') {
    const last = dayNumberOf(year, month, daysInMonth(year, month));
    return last - ((weekdayOfDayNumber(last) + 6) % 7);
  }
  const first = dayNumberOf(year, month, 1);
  return first + ((8 - weekdayOfDayNumber(first)) % 7) + (n - 1) * 7;
};

type Rule = { readonly dayNumber: number; readonly name: string };

/**
 * One-off changes by royal proclamation. `replaces` names the regular holiday the proclamation moved; `add` is an
 * extra day. Sources: GOV.UK bank holidays and the proclamations in The Gazette.
 */
const ONE_OFFS: readonly {
  readonly year: number;
  readonly regions: readonly UkRegion[];
  readonly moves?: { readonly name: string; readonly to: CivilDate };
  readonly add?: { readonly name: string; readonly date: CivilDate };
}[] = [
  { year: 2002, regions: UK_REGIONS, moves: { name: 'Spring bank holiday', to: '2002-06-04' } },
  { year: 2002, regions: UK_REGIONS, add: { name: 'Golden Jubilee bank holiday', date: '2002-06-03' } },
  { year: 2011, regions: UK_REGIONS, add: { name: 'Royal wedding', date: '2011-04-29' } },
  { year: 2012, regions: UK_REGIONS, moves: { name: 'Spring bank holiday', to: '2012-06-04' } },
  { year: 2012, regions: UK_REGIONS, add: { name: 'Diamond Jubilee bank holiday', date: '2012-06-05' } },
  { year: 2020, regions: UK_REGIONS, moves: { name: 'Early May bank holiday', to: '2020-05-08' } },
  { year: 2022, regions: UK_REGIONS, moves: { name: 'Spring bank holiday', to: '2022-06-02' } },
  { year: 2022, regions: UK_REGIONS, add: { name: 'Platinum Jubilee bank holiday', date: '2022-06-03' } },
  { year: 2022, regions: UK_REGIONS, add: { name: 'State funeral of Queen Elizabeth II', date: '2022-09-19' } },
  { year: 2023, regions: UK_REGIONS, add: { name: 'Coronation of King Charles III', date: '2023-05-08' } },
  // Proclaimed 4 Feb 2026 under s.1(3) of the 1971 Act, Scotland only; date-holidays 3.37.0 does not know it.
  { year: 2026, regions: ['scotland'], add: { name: 'FIFA World Cup bank holiday', date: '2026-06-15' } },
];

/** The holidays of a year before weekend days are substituted. */
const nominalHolidays = (year: number, region: UkRegion): Rule[] => {
  const easter = toDayNumber(easterSunday(year));
  const on = (month: number, day: number) => dayNumberOf(year, month, day);
  const rules: (Rule | false)[] = [
    { dayNumber: on(1, 1), name: "New Year's Day" },
    region === 'scotland' && { dayNumber: on(1, 2), name: '2nd January' },
    region === 'northern-ireland' && { dayNumber: on(3, 17), name: "St Patrick's Day" },
    { dayNumber: easter - 2, name: 'Good Friday' },
    region !== 'scotland' && { dayNumber: easter + 1, name: 'Easter Monday' },
    { dayNumber: mondayOf(year, 5, 1), name: 'Early May bank holiday' },
    { dayNumber: mondayOf(year, 5, 'last'), name: 'Spring bank holiday' },
    region === 'northern-ireland' && { dayNumber: on(7, 12), name: 'Battle of the Boyne' },
    { dayNumber: mondayOf(year, 8, region === 'scotland' ? 1 : 'last'), name: 'Summer bank holiday' },
    // A bank holiday only since the St Andrew's Day Bank Holiday (Scotland) Act 2007.
    region === 'scotland' && year >= 2007 && { dayNumber: on(11, 30), name: "St Andrew's Day" },
    { dayNumber: on(12, 25), name: 'Christmas Day' },
    { dayNumber: on(12, 26), name: 'Boxing Day' },
  ];
  const regular = rules.filter((rule): rule is Rule => rule !== false);
  const oneOffs = ONE_OFFS.filter((change) => change.year === year && change.regions.includes(region));
  const moved = regular.map((rule) => {
    const move = oneOffs.find((change) => change.moves?.name === rule.name)?.moves;
    return move ? { ...rule, dayNumber: toDayNumber(move.to) } : rule;
  });
  const added = oneOffs.flatMap((change) =>
    change.add ? [{ dayNumber: toDayNumber(change.add.date), name: change.add.name }] : [],
  );
  return [...moved, ...added].sort((a, b) => a.dayNumber - b.dayNumber);
};

const cache = new Map<string, readonly BankHoliday[]>();

/**
 * The bank holidays of one year in one nation, in date order, substitute days included. A holiday falling on a
 * Saturday or Sunday is observed on the next weekday that is not already a bank holiday (so Christmas on a Saturday
 * gives Monday 27th and Boxing Day Tuesday 28th).
 */
export const bankHolidays = (year: number, region: UkRegion = 'england-and-wales'): readonly BankHoliday[] => {
  assertRegion(region);
  if (!Number.isInteger(year) || year < FIRST_SUPPORTED_YEAR || year > LAST_SUPPORTED_YEAR) {
    throw new AppError(
      'VALIDATION_FAILED',
      `Bank holidays are known for ${FIRST_SUPPORTED_YEAR}–${LAST_SUPPORTED_YEAR}`,
      {
        field: 'year',
      },
    );
  }
  const key = `${region}:${year}`;
  const cached = cache.get(key);
  if (cached) return cached;

  const nominal = nominalHolidays(year, region);
  const taken = new Set(nominal.filter((rule) => !isWeekendDayNumber(rule.dayNumber)).map((rule) => rule.dayNumber));
  const observed = nominal.map((rule) => {
    if (!isWeekendDayNumber(rule.dayNumber)) return { ...rule, substitute: false };
    let day = rule.dayNumber + 1;
    while (isWeekendDayNumber(day) || taken.has(day)) day += 1;
    taken.add(day);
    return { dayNumber: day, name: `${rule.name} (substitute day)`, substitute: true };
  });
  const result = observed
    .sort((a, b) => a.dayNumber - b.dayNumber)
    .map(({ dayNumber, name, substitute }) => ({ date: fromDayNumber(dayNumber), name, substitute }));
  cache.set(key, result);
  return result;
};

const assertRegion = (region: UkRegion): void => {
  if (!UK_REGIONS.includes(region)) {
    throw new AppError('VALIDATION_FAILED', `The region must be one of ${UK_REGIONS.join(', ')}`, { field: 'region' });
  }
};

/** Whether a date is a bank holiday (substitute days included; the weekend day a holiday fell on is not). */
export const isBankHoliday = (date: CivilDate, region: UkRegion = 'england-and-wales'): boolean => {
  const { year } = parseCivilDate(date);
  return bankHolidays(year, region).some((holiday) => holiday.date === date);
};

/** Monday to Friday and not a bank holiday in the region. */
export const isWorkingDay = (date: CivilDate, region: UkRegion = 'england-and-wales'): boolean =>
  !isWeekendDayNumber(toDayNumber(date)) && !isBankHoliday(date, region);

/** `date` itself when it is a working day, else the next working day after it. */
export const nextWorkingDay = (date: CivilDate, region: UkRegion = 'england-and-wales'): CivilDate => {
  let day = date;
  while (!isWorkingDay(day, region)) day = addDays(day, 1);
  return day;
};

/** `date` itself when it is a working day, else the last working day before it. */
export const previousWorkingDay = (date: CivilDate, region: UkRegion = 'england-and-wales'): CivilDate => {
  let day = date;
  while (!isWorkingDay(day, region)) day = addDays(day, -1);
  return day;
};

const londonCalendar = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The date on the UK wall calendar at an instant (GMT in winter, BST in summer), whatever the server's zone. */
export const ukCivilDate = (instant: Date): CivilDate => {
  if (Number.isNaN(instant.getTime())) {
    throw new AppError('VALIDATION_FAILED', 'The time is not a valid instant', { field: 'instant' });
  }
  const parts = Object.fromEntries(londonCalendar.formatToParts(instant).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
};
