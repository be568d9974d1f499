/**
 * @module SQL for the export: the account's phone messages and post items in keyset-paged batches, with the wrapped
 * data keys they were sealed under (per post item; per caller, for messages), so a large export does not ask for
 * each key alone.
 */
import { sql } from 'kysely';
import type { Trx } from '../kernel/db/database.ts';

export type Cursor = { at: Date; id: string } | null;

export const messageBatch = (trx: Trx, accountId: string, after: Cursor, limit: number) =>
  trx
    .selectFrom('phone_messages as m')
    // The caller's name, numbers and key are read once per caller (`callers`), not on each of their messages.
    .select([
      'm.id',
      'm.call_at',
      'm.urgency',
      'm.callback_requested',
      'm.company',
      'm.reason',
      'm.body',
      'm.actioned_at',
      'm.caller_subject_id',
    ])
    .where('m.account_id', '=', accountId)
    .$if(after !== null, (q) => q.where(sql<boolean>`(m.call_at, m.id) > (${after?.at}, ${after?.id})`))
    .orderBy('m.call_at')
    .orderBy('m.id')
    .limit(limit)
    .execute();

/** Callers (subjects) with their sealed fields and wrapped data key; a caller with no key left has a null key. */
export const callers = (trx: Trx, ids: readonly string[]) =>
  trx
    .selectFrom('subjects as s')
    .leftJoin('subject_keys as k', 'k.subject_id', 's.id')
    .select(['s.id', 's.name', 's.phone', 's.email', 'k.wrapped as key_wrapped', 'k.kek_id as key_kek_id'])
    // One array parameter, not a list: one statement text (the connection prepares each text it sees) for any count.
    .where(sql<boolean>`s.id = any(${ids}::uuid[])`)
    .execute();

export const postBatch = (trx: Trx, accountId: string, after: Cursor, limit: number) =>
  trx
    .selectFrom('post_items as p')
    .leftJoin('subject_keys as k', 'k.subject_id', 'p.id')
    .select([
      'k.wrapped as key_wrapped',
      'k.kek_id as key_kek_id',
      'p.id',
      'p.received_at',
      'p.item_type',
      'p.sender',
      'p.tracking_number',
      'p.status',
      'p.actioned_at',
      (eb) =>
        eb
          .selectFrom('post_events as e')
          .select((e) => e.fn.max('e.at').as('at'))
          .whereRef('e.account_id', '=', 'p.account_id')
          .whereRef('e.post_item_id', '=', 'p.id')
          .as('status_at'),
      (eb) =>
        eb
          .selectFrom('stored_files as f')
          .select((f) => f.fn.countAll<string>().as('n'))
          .whereRef('f.account_id', '=', 'p.account_id')
          .where('f.owner_kind', '=', 'post_item')
          .whereRef('f.owner_id', '=', 'p.id')
          .as('files'),
    ])
    .where('p.account_id', '=', accountId)
    .$if(after !== null, (q) => q.where(sql<boolean>`(p.received_at, p.id) > (${after?.at}, ${after?.id})`))
    .orderBy('p.received_at')
    .orderBy('p.id')
    .limit(limit)
    .execute();

export const countItems = async (trx: Trx) => {
  const m = await trx
    .selectFrom('phone_messages')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  const p = await trx
    .selectFrom('post_items')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();

  return { messages: Number(m.n), post: Number(p.n) };
};
