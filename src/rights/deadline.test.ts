import Holidays from 'date-holidays';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../kernel/errors.ts';
import {
  bankHolidays,
  easterSunday,
  isBankHoliday,
  isWorkingDay,
  UK_REGIONS,
  type UkRegion,
  ukCivilDate,
} from './bank-holidays.ts';
import {
  type ClockPause,
  type CountingConvention,
  clockStartDate,
  computeDeadline,
  type DeadlineInput,
  daysRemaining,
  extensionNoticeBy,
  isOverdue,
  reminderDates,
} from './deadline.ts';
import { oracleDeadline, oracleIsBankHoliday } from './testing/deadline-oracle.ts';

const dueOf = (input: DeadlineInput): string => {
  const deadline = computeDeadline(input);
  if (deadline.status !== 'running') throw new Error(`expected a running clock, got ${deadline.status}`);
  return deadline.due;
};

const expectValidationError = (run: () => unknown, message: RegExp) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('VALIDATION_FAILED');
    expect((error as AppError).message).toMatch(message);
    return;
  }
  throw new Error('expected a VALIDATION_FAILED error');
};

describe('computeDeadline: worked examples', () => {
  it('CV-9: the ICO example: received 3 September, answer by 3 October (day of receipt counts)', () => {
    expect(dueOf({ clockStart: '2025-09-03' })).toBe('2025-10-03');
  });

  it('CV-9: received 30 or 31 March, answer by 30 April (the next month has no 31st)', () => {
    expect(dueOf({ clockStart: '2026-03-30' })).toBe('2026-04-30');
    expect(dueOf({ clockStart: '2026-03-31' })).toBe('2026-04-30');
  });

  it('CC-10: 31 January runs to the last day of February, 28th or 29th, then off the weekend', () => {
    expect(computeDeadline({ clockStart: '2024-01-31' })).toMatchObject({
      calendarDue: '2024-02-29',
      due: '2024-02-29',
    });
    expect(computeDeadline({ clockStart: '2028-01-31' })).toMatchObject({
      calendarDue: '2028-02-29',
      due: '2028-02-29',
    });
    // 28 February 2026 is a Saturday.
    expect(computeDeadline({ clockStart: '2026-01-31' })).toMatchObject({
      calendarDue: '2026-02-28',
      due: '2026-03-02',
    });
    expect(dueOf({ clockStart: '2026-01-29' })).toBe('2026-03-02');
    expect(dueOf({ clockStart: '2026-01-28' })).toBe('2026-03-02');
  });

  it('CC-10: 30 and 31 August both run to 30 September', () => {
    expect(dueOf({ clockStart: '2027-08-30' })).toBe('2027-09-30');
    expect(dueOf({ clockStart: '2027-08-31' })).toBe('2027-09-30');
  });

  it('CC-10: a deadline on Christmas Day 2026 moves past Boxing Day’s substitute (Mon 28th) to Tue 29 December', () => {
    expect(computeDeadline({ clockStart: '2026-11-25' })).toMatchObject({
      calendarDue: '2026-12-25',
      due: '2026-12-29',
      extensionNoticeBy: '2026-12-29',
    });
    expect(isBankHoliday('2026-12-28')).toBe(true);
  });

  it('CC-10: Easter: Good Friday 3 April 2026 moves to Tuesday in England, Monday in Scotland (no Easter Monday)', () => {
    expect(dueOf({ clockStart: '2026-03-03' })).toBe('2026-04-07');
    expect(dueOf({ clockStart: '2026-03-03', region: 'northern-ireland' })).toBe('2026-04-07');
    expect(dueOf({ clockStart: '2026-03-03', region: 'scotland' })).toBe('2026-04-06');
  });

  it('CC-10: Scotland and England differ: 15 June 2026 (World Cup) and the August holiday', () => {
    expect(dueOf({ clockStart: '2026-05-15', region: 'scotland' })).toBe('2026-06-16');
    expect(dueOf({ clockStart: '2026-05-15' })).toBe('2026-06-15');
    expect(dueOf({ clockStart: '2026-07-03', region: 'scotland' })).toBe('2026-08-04');
    expect(dueOf({ clockStart: '2026-07-03' })).toBe('2026-08-03');
    expect(dueOf({ clockStart: '2026-07-31', region: 'scotland' })).toBe('2026-08-31');
    expect(dueOf({ clockStart: '2026-07-31' })).toBe('2026-09-01');
  });

  it('CC-10: Northern Ireland: the Boyne holiday on a Sunday is observed on Monday 13 July 2026', () => {
    expect(dueOf({ clockStart: '2026-06-13', region: 'northern-ireland' })).toBe('2026-07-14');
    expect(dueOf({ clockStart: '2026-06-13' })).toBe('2026-07-13');
  });

  it('CC-10: the one-off bank holidays of 2022 and 2023', () => {
    // Spring bank holiday moved to Thu 2 June 2022, Platinum Jubilee Fri 3 June.
    expect(dueOf({ clockStart: '2022-05-02' })).toBe('2022-06-06');
    expect(dueOf({ clockStart: '2022-04-30' })).toBe('2022-05-30');
    // The state funeral, Mon 19 September 2022.
    expect(dueOf({ clockStart: '2022-08-19', region: 'scotland' })).toBe('2022-09-20');
    // The coronation, Mon 8 May 2023.
    expect(dueOf({ clockStart: '2023-04-08', region: 'northern-ireland' })).toBe('2023-05-09');
  });

  it('CC-10: the earlier one-offs: 2020 VE day, 2012 and 2002 jubilees, 2011 royal wedding', () => {
    expect(dueOf({ clockStart: '2020-04-08' })).toBe('2020-05-11');
    expect(isWorkingDay('2020-05-04')).toBe(true);
    expect(dueOf({ clockStart: '2012-05-04' })).toBe('2012-06-06');
    expect(isWorkingDay('2012-05-28')).toBe(true);
    expect(dueOf({ clockStart: '2002-05-03' })).toBe('2002-06-05');
    expect(isWorkingDay('2002-05-27')).toBe(true);
    expect(dueOf({ clockStart: '2011-03-29' })).toBe('2011-05-03');
  });

  it('CV-9: an extension runs three months from the original start; notice is due within the first month', () => {
    expect(computeDeadline({ clockStart: '2026-03-02', extended: true })).toMatchObject({
      due: '2026-06-02',
      extensionNoticeBy: '2026-04-02',
    });
    // 30 November + 3 months has no 30th: 28 February 2026, a Saturday.
    expect(dueOf({ clockStart: '2025-11-30', extended: true })).toBe('2026-03-02');
    expect(extensionNoticeBy({ clockStart: '2026-03-02' })).toBe('2026-04-02');
  });

  it('CC-10: the day-after convention counts from the day after receipt', () => {
    expect(dueOf({ clockStart: '2025-09-02', convention: 'day-after' })).toBe('2025-10-03');
    expect(dueOf({ clockStart: '2025-09-02' })).toBe('2025-10-02');
    expect(dueOf({ clockStart: '2026-01-30', convention: 'day-after' })).toBe('2026-03-02');
  });
});

describe('computeDeadline: clarification pauses the clock', () => {
  it('CC-10: a closed pause adds its days, the day asked and the day answered included', () => {
    expect(
      computeDeadline({ clockStart: '2026-03-02', pauses: [{ from: '2026-03-05', to: '2026-03-09' }] }),
    ).toMatchObject({
      status: 'running',
      calendarDue: '2026-04-07',
      due: '2026-04-07',
      extensionNoticeBy: '2026-04-07',
      pausedDays: 5,
    });
    expect(
      computeDeadline({ clockStart: '2026-03-02', pauses: [{ from: '2026-03-05', to: '2026-03-05' }] }),
    ).toMatchObject({ pausedDays: 1, calendarDue: '2026-04-03', due: '2026-04-07' });
  });

  it('CC-10: an open pause stops the clock: no due date until the clarification arrives', () => {
    expect(computeDeadline({ clockStart: '2026-03-02', pauses: [{ from: '2026-03-05' }] })).toEqual({
      status: 'paused',
      clockStart: '2026-03-02',
      extended: false,
      pausedSince: '2026-03-05',
      pausedDays: 0,
    });
    expect(
      computeDeadline({
        clockStart: '2026-03-02',
        pauses: [
          { from: '2026-03-03', to: '2026-03-04' },
          { from: '2026-03-20', to: null },
        ],
      }),
    ).toMatchObject({ status: 'paused', pausedSince: '2026-03-20', pausedDays: 2 });
  });

  it('CC-10: overlapping pauses count each day once; days before the clock started do not count', () => {
    const overlapping: ClockPause[] = [
      { from: '2026-03-05', to: '2026-03-09' },
      { from: '2026-03-08', to: '2026-03-10' },
    ];
    expect(computeDeadline({ clockStart: '2026-03-02', pauses: overlapping })).toMatchObject({ pausedDays: 6 });
    // Clarification asked on 25 February, identity evidence (clock start) on 2 March, clarification on 4 March.
    expect(
      computeDeadline({ clockStart: '2026-03-02', pauses: [{ from: '2026-02-25', to: '2026-03-04' }] }),
    ).toMatchObject({ pausedDays: 3, due: '2026-04-07' });
  });

  it('CC-10: a pause asked for after the deadline has passed does not revive the clock', () => {
    const late = computeDeadline({ clockStart: '2026-03-02', pauses: [{ from: '2026-04-10', to: '2026-04-20' }] });
    expect(late).toMatchObject({ status: 'running', due: '2026-04-02', pausedDays: 0 });
    const lateOpen = computeDeadline({ clockStart: '2026-03-02', pauses: [{ from: '2026-04-10' }] });
    expect(lateOpen).toMatchObject({ status: 'running', due: '2026-04-02' });
    // …but a pause starting on the last day still counts, and a second one inside the extended period too.
    const chained = computeDeadline({
      clockStart: '2026-03-02',
      pauses: [
        { from: '2026-04-02', to: '2026-04-02' },
        { from: '2026-04-03', to: '2026-04-04' },
      ],
    });
    expect(chained).toMatchObject({ calendarDue: '2026-04-05', due: '2026-04-07', pausedDays: 3 });
  });

  it('CC-10: a pause during an extension moves the final deadline; one after the first month leaves the notice date', () => {
    const deadline = computeDeadline({
      clockStart: '2026-03-02',
      extended: true,
      pauses: [{ from: '2026-05-11', to: '2026-05-15' }],
    });
    expect(deadline).toMatchObject({ due: '2026-06-08', extensionNoticeBy: '2026-04-02', pausedDays: 5 });
  });
});

describe('computeDeadline: nonsense input', () => {
  it('refuses a pause that ends before it starts', () => {
    expectValidationError(
      () => computeDeadline({ clockStart: '2026-03-02', pauses: [{ from: '2026-03-09', to: '2026-03-05' }] }),
      /cannot end before it starts/,
    );
  });

  it('refuses dates that are not real or not YYYY-MM-DD, and years without known holidays', () => {
    expectValidationError(() => computeDeadline({ clockStart: '2026-02-29' }), /not a real calendar date/);
    expectValidationError(() => computeDeadline({ clockStart: '2026-13-01' }), /not a real calendar date/);
    expectValidationError(() => computeDeadline({ clockStart: '2/3/2026' }), /YYYY-MM-DD/);
    expectValidationError(() => computeDeadline({ clockStart: '1999-12-31' }), /between 2000 and 2100/);
    expectValidationError(
      () => computeDeadline({ clockStart: '2026-03-02', pauses: [{ from: '2026-03-05', to: '2026-3-6' }] }),
      /pauses\[0\]\.to/,
    );
  });

  it('refuses two open pauses, a pause overlapping an open one, and unknown regions or conventions', () => {
    expectValidationError(
      () => computeDeadline({ clockStart: '2026-03-02', pauses: [{ from: '2026-03-05' }, { from: '2026-03-09' }] }),
      /one clarification/,
    );
    expectValidationError(
      () =>
        computeDeadline({
          clockStart: '2026-03-02',
          pauses: [{ from: '2026-03-05' }, { from: '2026-03-09', to: '2026-03-10' }],
        }),
      /while another is still open/,
    );
    expectValidationError(
      () => computeDeadline({ clockStart: '2026-03-02', region: 'wales' as UkRegion }),
      /region must be one of/,
    );
    expectValidationError(
      () => computeDeadline({ clockStart: '2026-03-02', convention: 'next-day' as CountingConvention }),
      /convention must be one of/,
    );
  });
});

describe('clock helpers', () => {
  it('CC-10: the clock starts on the UK date of the latest of request, identity evidence and fee', () => {
    expect(clockStartDate({ requestReceivedAt: new Date('2026-03-01T10:00:00Z') })).toBe('2026-03-01');
    expect(
      clockStartDate({
        requestReceivedAt: new Date('2026-03-01T10:00:00Z'),
        identityReceivedAt: new Date('2026-03-04T23:30:00Z'),
        feePaidAt: new Date('2026-03-03T09:00:00Z'),
      }),
    ).toBe('2026-03-04');
    // 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
    expect(clockStartDate({ requestReceivedAt: new Date('2026-06-30T23:30:00Z'), feePaidAt: null })).toBe('2026-07-01');
    expect(ukCivilDate(new Date('2026-10-25T00:30:00Z'))).toBe('2026-10-25');
    expectValidationError(() => ukCivilDate(new Date('nonsense')), /valid instant/);
  });

  it('counts days remaining and overdue on the UK date', () => {
    expect(daysRemaining('2026-04-02', '2026-03-30')).toBe(3);
    expect(daysRemaining('2026-04-02', '2026-04-02')).toBe(0);
    expect(daysRemaining('2026-04-02', '2026-04-05')).toBe(-3);
    expect(isOverdue('2026-04-02', '2026-04-02')).toBe(false);
    expect(isOverdue('2026-04-02', '2026-04-03')).toBe(true);
  });

  it('reminds 7 and 2 days before, brought forward off weekends and holidays', () => {
    expect(reminderDates('2026-12-29')).toEqual({ sevenDaysBefore: '2026-12-22', twoDaysBefore: '2026-12-24' });
    expect(reminderDates('2026-04-30')).toEqual({ sevenDaysBefore: '2026-04-23', twoDaysBefore: '2026-04-28' });
  });
});

describe('bank holidays', () => {
  it('computes Easter Sunday (Meeus/Jones/Butcher)', () => {
    const known = ['2000-04-23', '2008-03-23', '2011-04-24', '2019-04-21', '2024-03-31', '2025-04-20', '2038-04-25'];
    for (const date of known) expect(easterSunday(Number(date.slice(0, 4)))).toBe(date);
  });

  it('lists 2026 as GOV.UK publishes it for each nation', () => {
    const dates = (region: UkRegion) => bankHolidays(2026, region).map((holiday) => holiday.date);
    expect(dates('england-and-wales')).toEqual([
      '2026-01-01',
      '2026-04-03',
      '2026-04-06',
      '2026-05-04',
      '2026-05-25',
      '2026-08-31',
      '2026-12-25',
      '2026-12-28',
    ]);
    expect(dates('scotland')).toEqual([
      '2026-01-01',
      '2026-01-02',
      '2026-04-03',
      '2026-05-04',
      '2026-05-25',
      '2026-06-15',
      '2026-08-03',
      '2026-11-30',
      '2026-12-25',
      '2026-12-28',
    ]);
    expect(dates('northern-ireland')).toEqual([
      '2026-01-01',
      '2026-03-17',
      '2026-04-03',
      '2026-04-06',
      '2026-05-04',
      '2026-05-25',
      '2026-07-13',
      '2026-08-31',
      '2026-12-25',
      '2026-12-28',
    ]);
  });

  it('substitutes weekend holidays onto the next free weekday', () => {
    // Christmas on Saturday 2027: Christmas Mon 27th, Boxing Day Tue 28th.
    expect(
      bankHolidays(2027)
        .filter((h) => h.substitute)
        .map((h) => h.date),
    ).toEqual(['2027-12-27', '2027-12-28']);
    // Scotland 2022: 1 and 2 January on Saturday and Sunday: Mon 3rd and Tue 4th.
    expect(isBankHoliday('2022-01-03', 'scotland') && isBankHoliday('2022-01-04', 'scotland')).toBe(true);
    expect(isBankHoliday('2022-01-04')).toBe(false);
    // St Andrew's Day on Saturday 30 November 2024: Monday 2 December.
    expect(isBankHoliday('2024-12-02', 'scotland')).toBe(true);
  });
});

describe('the oracle’s corrections of date-holidays 3.37.0 (each checked against GOV.UK / the proclamations)', () => {
  const raw = (state: 'ENG' | 'SCT' | 'NIR', date: string) => {
    const found = new Holidays('GB', state).isHoliday(new Date(`${date}T12:00:00`));
    return Array.isArray(found) && found.some((holiday) => holiday.type === 'public');
  };

  it('2002: Spring bank holiday moved from 27 May to 4 June, Golden Jubilee 3 June', () => {
    expect([raw('ENG', '2002-05-27'), raw('ENG', '2002-06-03'), raw('ENG', '2002-06-04')]).toEqual([
      true,
      false,
      false,
    ]);
    for (const region of UK_REGIONS) {
      for (const [date, holiday] of [
        ['2002-05-27', false],
        ['2002-06-03', true],
        ['2002-06-04', true],
      ] as const) {
        expect(isBankHoliday(date, region)).toBe(holiday);
        expect(oracleIsBankHoliday(date, region)).toBe(holiday);
      }
    }
  });

  it('2011: the royal wedding, 29 April, was a bank holiday in every nation', () => {
    expect(raw('ENG', '2011-04-29')).toBe(false);
    for (const region of UK_REGIONS) {
      expect(isBankHoliday('2011-04-29', region)).toBe(true);
      expect(oracleIsBankHoliday('2011-04-29', region)).toBe(true);
    }
  });

  it('2012: Spring bank holiday moved from 28 May to 4 June (Diamond Jubilee 5 June)', () => {
    expect([raw('ENG', '2012-05-28'), raw('ENG', '2012-06-04'), raw('ENG', '2012-06-05')]).toEqual([true, false, true]);
    for (const region of UK_REGIONS) {
      expect(isBankHoliday('2012-05-28', region) || oracleIsBankHoliday('2012-05-28', region)).toBe(false);
      expect(isBankHoliday('2012-06-04', region) && oracleIsBankHoliday('2012-06-04', region)).toBe(true);
    }
  });

  it('Scotland: St Andrew’s Day is a bank holiday only from 2007 (the 2007 Act)', () => {
    expect(raw('SCT', '2006-11-30')).toBe(true);
    expect(isBankHoliday('2006-11-30', 'scotland') || oracleIsBankHoliday('2006-11-30', 'scotland')).toBe(false);
    expect(isBankHoliday('2007-11-30', 'scotland') && oracleIsBankHoliday('2007-11-30', 'scotland')).toBe(true);
  });

  it('Scotland: 15 June 2026 (World Cup), proclaimed after date-holidays 3.37.0', () => {
    expect(raw('SCT', '2026-06-15')).toBe(false);
    expect(isBankHoliday('2026-06-15', 'scotland') && oracleIsBankHoliday('2026-06-15', 'scotland')).toBe(true);
    expect(isBankHoliday('2026-06-15') || oracleIsBankHoliday('2026-06-15', 'england-and-wales')).toBe(false);
  });
});

describe('the engine against the independent oracle', () => {
  const DAY = 86_400_000;
  const FIRST = Date.UTC(2000, 0, 1);
  const LAST = Date.UTC(2035, 11, 31);
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

  it('CC-10: every day 2000–2036 in every nation: the engine’s working days are the oracle’s', () => {
    const mismatches: string[] = [];
    for (const region of UK_REGIONS) {
      for (let ms = FIRST; ms <= Date.UTC(2036, 11, 31); ms += DAY) {
        const date = iso(ms);
        const weekday = new Date(ms).getUTCDay();
        const oracleWorking = weekday !== 0 && weekday !== 6 && !oracleIsBankHoliday(date, region);
        if (isWorkingDay(date, region) !== oracleWorking) mismatches.push(`${region} ${date}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('CV-9, CC-10: 10,000 generated requests (2000–2035, pauses, extension, every nation and convention): 0 mismatches', () => {
    const closedPause = fc.record({
      offset: fc.integer({ min: -15, max: 100 }),
      length: fc.integer({ min: 0, max: 40 }),
    });
    const request = fc.record({
      start: fc.integer({ min: 0, max: (LAST - FIRST) / DAY }),
      closed: fc.array(closedPause, { maxLength: 3 }),
      open: fc.option(fc.integer({ min: 1, max: 100 }), { freq: 4 }),
      extended: fc.boolean(),
      region: fc.constantFrom(...UK_REGIONS),
      convention: fc.constantFrom<CountingConvention>('day-of-receipt', 'day-after'),
    });
    const mismatches: unknown[] = [];
    let runs = 0;
    const seed = Date.now() ^ Math.floor(Math.random() * 2 ** 31);
    fc.assert(
      fc.property(request, (r) => {
        runs += 1;
        const startMs = FIRST + r.start * DAY;
        const pauses: ClockPause[] = r.closed.map((p) => ({
          from: iso(startMs + p.offset * DAY),
          to: iso(startMs + (p.offset + p.length) * DAY),
        }));
        if (r.open !== null) {
          const lastEnd = Math.max(-16, ...r.closed.map((p) => p.offset + p.length));
          pauses.push({ from: iso(startMs + (lastEnd + r.open) * DAY) });
        }
        const input = {
          clockStart: iso(startMs),
          pauses,
          extended: r.extended,
          region: r.region,
          convention: r.convention,
        };
        const engine = computeDeadline(input);
        const actual =
          engine.status === 'running'
            ? {
                status: engine.status,
                due: engine.due,
                extensionNoticeBy: engine.extensionNoticeBy,
                pausedDays: engine.pausedDays,
              }
            : { status: engine.status, pausedSince: engine.pausedSince, pausedDays: engine.pausedDays };
        const expected = oracleDeadline(input);
        if (JSON.stringify(actual) !== JSON.stringify(expected)) mismatches.push({ input, actual, expected });
        return true;
      }),
      { numRuns: 10_000, seed },
    );
    console.log(`deadline oracle: ${runs} runs, ${mismatches.length} mismatches (seed ${seed})`);
    expect(runs).toBe(10_000);
    expect(mismatches.slice(0, 5), `seed ${seed}, ${mismatches.length} mismatches`).toEqual([]);
  });
});
