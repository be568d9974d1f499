/**
 * @module Users of a client business, read in the system scope (users sit outside row-level security), before any
 * tenant transaction: PGlite has one connection, so the two must never nest. Who is notified is decided by
 * `src/notifications/notifications.ts`.
 */
import type { Database } from '../kernel/db/database.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { type Recipient, recipientsByUrgency } from '../notifications/notifications.ts';

/**
 * Whom to e-mail at once about a new phone message, by its urgency (see `recipientsFor`), read afresh for every batch
 * of messages so that withdrawn access or a cancelled account takes effect on the next one. Two reads (the account's
 * status, its users) with no transaction around them: no snapshot is needed between them, and it saves two round trips.
 */
export const listMessageRecipients = (
  deps: Pick<Kernel, 'db' | 'vault'>,
  accountId: string,
): Promise<Record<'normal' | 'urgent', Recipient[]>> =>
  deps.db.systemRead((trx) => recipientsByUrgency(deps, trx, accountId, 'message'));

/** Users of one account by id (names for the delivery list), read in the system scope. */
export const usersById = (db: Database, accountId: string, ids: readonly string[]) =>
  ids.length === 0
    ? Promise.resolve([])
    : db.system((trx) =>
        trx
          .selectFrom('users')
          .select(['id', 'subject_id', 'role'])
          .where('account_id', '=', accountId)
          .where('id', 'in', ids)
          .execute(),
      );
