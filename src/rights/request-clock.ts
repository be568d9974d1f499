/**
 * @module A request's statutory clock, recomputed from its history every time it changes: the deadline is never
 * typed in. Verification, a paid fee, clarification asked and received, and an extension are the events that move it.
 *
 * @example
 * const clock = requestClock(kernel.policyFile.file, { receivedAt, extended: false }, events)
 * clock.dueOn // '2026-12-29', or null while the clock stands still
 */
import type { PolicyFile } from '../policy/policy-schema.ts';
import { type CivilDate, ukCivilDate } from './bank-holidays.ts';
import { type ClockPause, computeDeadline, type Deadline } from './deadline.ts';

export type ClockEvent = { event: string; at: Date };

export type RequestClock = {
  clockStart: CivilDate | null;
  dueOn: CivilDate | null;
  /** Why there is no due date: not yet verified, a fee awaited, or a clarification awaited. */
  waitingFor: 'verification' | 'fee' | 'clarification' | null;
  extensionNoticeBy: CivilDate | null;
  pausedDays: number;
};

const latest = (events: readonly ClockEvent[], name: string) =>
  events.filter((e) => e.event === name).reduce<Date | null>((a, e) => (!a || e.at > a ? e.at : a), null);

export const requestClock = (
  policy: PolicyFile,
  request: { receivedAt: Date; extended: boolean },
  events: readonly ClockEvent[],
): RequestClock => {
  const verifiedAt = latest(events, 'verified');
  const none = { clockStart: null, dueOn: null, extensionNoticeBy: null, pausedDays: 0 };
  if (!verifiedAt) return { ...none, waitingFor: 'verification' };
  const feeRequestedAt = latest(events, 'fee_requested');
  const feeSettledAt = [latest(events, 'fee_paid'), latest(events, 'fee_waived')].reduce<Date | null>(
    (a, b) => (b && (!a || b > a) ? b : a),
    null,
  );
  if (feeRequestedAt && (!feeSettledAt || feeSettledAt < feeRequestedAt)) return { ...none, waitingFor: 'fee' };
  const clockStart = [request.receivedAt, verifiedAt, latest(events, 'fee_paid')].reduce<Date>(
    (a, b) => (b && b > a ? b : a),
    request.receivedAt,
  );
  const start = ukCivilDate(clockStart);
  const deadline: Deadline = computeDeadline({
    clockStart: start,
    pauses: pausesOf(events, start),
    extended: request.extended,
    region: policy.rights.calendar.region,
    convention: policy.rights.calendar.counting,
  });
  if (deadline.status === 'paused') {
    return { ...none, clockStart: start, waitingFor: 'clarification', pausedDays: deadline.pausedDays };
  }

  return {
    clockStart: start,
    dueOn: deadline.due,
    waitingFor: null,
    extensionNoticeBy: deadline.extensionNoticeBy,
    pausedDays: deadline.pausedDays,
  };
};

/** Clarification asked → received, in order; a question asked before the clock started does not count. */
const pausesOf = (events: readonly ClockEvent[], start: CivilDate): ClockPause[] => {
  const pauses: ClockPause[] = [];
  let open: CivilDate | null = null;
  for (const e of [...events].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    if (e.event === 'clarification_requested' && open === null) open = maxDate(ukCivilDate(e.at), start);
    if (e.event === 'clarification_received' && open !== null) {
      pauses.push({ from: open, to: maxDate(ukCivilDate(e.at), open) });
      open = null;
    }
  }
  if (open !== null) pauses.push({ from: open });

  return pauses;
};

const maxDate = (a: CivilDate, b: CivilDate) => (a > b ? a : b);
