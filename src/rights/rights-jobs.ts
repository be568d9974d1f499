/**
 * @module The daily sweep that keeps requests from slipping: reminders 7 and 2 days before the due date and on the
 * first overdue day (to the privacy team, or to a client's owners for a routed part), routing retried for any
 * verified request a crash left unrouted, unverified requests purged (rows and their key) after a week, and access
 * packages past their expiry deleted (bytes and key).
 *
 * @example
 * await sweepRightsRequests(kernel) // { reminders: 2, purged: 1, rerouted: 0 }
 */
import { sql } from 'kysely';
import { PROVIDER_ACCOUNT_ID } from '../kernel/db/schema.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { ukCivilDate } from './bank-holidays.ts';
import { daysRemaining, isOverdue, reminderDates } from './deadline.ts';
import { purgeExpiredPackages } from './package-download.ts';
import { sendRequestMail, userAddresses } from './request-mail.ts';
import { deleteUnverifiedBefore, listOpenRequestsEverywhere } from './rights-repository.ts';
import { routeRequest } from './route-request.ts';

type Deps = Pick<Kernel, 'db' | 'vault' | 'clock' | 'keyring' | 'mailer' | 'config' | 'policyFile'>;

/** An unverified request is kept a week, long enough to find the code in a slow inbox, then shredded. */
export const UNVERIFIED_DAYS = 7;

const PRIVACY_TEAM = ['privacy_officer', 'admin'];

export const sweepRightsRequests = async (deps: Deps) => {
  const today = ukCivilDate(deps.clock.now());
  const region = deps.policyFile.file.rights.calendar.region;
  const open = await deps.db.system((trx) => listOpenRequestsEverywhere(trx));
  let reminders = 0;
  for (const request of open) {
    if (!request.due_on) continue;
    const dates = reminderDates(request.due_on, region);
    const due = isOverdue(request.due_on, today)
      ? 'overdue'
      : today >= dates.twoDaysBefore
        ? '2'
        : today >= dates.sevenDaysBefore
          ? '7'
          : null;
    if (!due || request.reminders_sent.includes(due)) continue;
    // Claimed before sending: a reminder may be missed after a crash, never sent twice.
    const claimed = await deps.db.tenant(request.account_id, async (trx) => {
      const result = await trx
        .updateTable('rights_requests')
        .set({ reminders_sent: sql<string[]>`array_append(reminders_sent, ${due})` })
        .where('id', '=', request.id)
        .where(sql<boolean>`not (${due} = any (reminders_sent))`)
        .executeTakeFirst();

      return Number(result.numUpdatedRows) === 1;
    });
    if (!claimed) continue;
    const roles = request.account_id === PROVIDER_ACCOUNT_ID ? PRIVACY_TEAM : ['owner'];
    const team = await deps.db.system((trx) => userAddresses(deps, trx, [request.account_id], roles));
    for (const member of team) {
      await sendRequestMail(deps, {
        to: member.email,
        template: 'reminder',
        kind: request.kind,
        dueOn: request.due_on,
        daysLeft: daysRemaining(request.due_on, today),
        requestId: request.id,
      });
      reminders += 1;
    }
  }

  const unrouted = await deps.db.system((trx) =>
    trx
      .selectFrom('rights_requests')
      .select('id')
      .where('account_id', '=', PROVIDER_ACCOUNT_ID)
      .where('parent_id', 'is', null)
      .where('verified_at', 'is not', null)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('rights_request_events')
              .select('id')
              .whereRef('rights_request_events.request_id', '=', 'rights_requests.id')
              .where('event', '=', 'routed'),
          ),
        ),
      )
      .execute(),
  );
  for (const { id } of unrouted) await routeRequest(deps, { requestId: id });

  const cutoff = new Date(deps.clock.now().getTime() - UNVERIFIED_DAYS * 86_400_000);
  const purged = await deps.db.system(async (trx) => {
    const rows = await deleteUnverifiedBefore(trx, cutoff);
    for (const row of rows) await deps.vault.destroyKey(trx, row.id);

    return rows.length;
  });

  const packages = await purgeExpiredPackages(deps);

  return { reminders, purged, rerouted: unrouted.length, packages };
};
