/**
 * @module Users of a client business, read in the system scope (users sit outside row-level security), before any
 * tenant transaction: PGlite has one connection, so the two must never nest. Who is notified is decided by
 * `src/notifications/notifications.ts`.
 */
import type { Database } from '../kernel/db/database.ts';

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
