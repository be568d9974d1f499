/**
 * @module The request's stored clock columns, kept in step with its history after every transition, and the
 * statuses from which each transition may start.
 *
 * @example
 * await refreshClock(kernel, trx, requestId) // recomputes clock_start and due_on from the events
 */
import type { Trx } from '../kernel/db/database.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { requestClock } from './request-clock.ts';
import { getRequestRow, listRequestEvents, updateRequest } from './rights-repository.ts';

export const clockOf = async (deps: Pick<Kernel, 'policyFile'>, trx: Trx, requestId: string) => {
  const row = await getRequestRow(trx, requestId);
  if (!row) return null;
  const events = await listRequestEvents(trx, requestId);

  return requestClock(deps.policyFile.file, { receivedAt: row.received_at, extended: row.extended }, events);
};

export const refreshClock = async (deps: Pick<Kernel, 'policyFile' | 'clock'>, trx: Trx, requestId: string) => {
  const clock = await clockOf(deps, trx, requestId);
  if (!clock) return null;
  await updateRequest(trx, requestId, {
    clock_start: clock.clockStart,
    due_on: clock.dueOn,
    updated_at: deps.clock.now(),
  });

  return clock;
};
