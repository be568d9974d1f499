/**
 * @module Time as a dependency, so retention and deadlines can be tested by travelling.
 *
 * @example
 * const clock = fixedClock(new Date('2026-01-01T00:00:00Z'))
 * clock.advance({ days: 30 })
 */

export type Clock = { now(): Date };

export const systemClock: Clock = { now: () => new Date() };

export type TravelClock = Clock & {
  set(at: Date): void;
  advance(by: { days?: number; hours?: number; minutes?: number; seconds?: number }): void;
};

export const fixedClock = (start: Date): TravelClock => {
  let current = start.getTime();

  return {
    now: () => new Date(current),
    set: (at) => {
      current = at.getTime();
    },
    advance: ({ days = 0, hours = 0, minutes = 0, seconds = 0 }) => {
      current += (((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000;
    },
  };
};
