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

/**
 * A batch of the XLSX export as one row that PostgreSQL builds: the rows' plain values as JSON lines (an array per
 * row, read in a worker thread), their sealed values concatenated in one bytea (each value's length is in its row),
 * and what the main thread needs: the keyset cursor and the keys (callers' ids, or post items' wrapped keys).
 * A thousand rows as a few values instead of thousands of strings, buffers and dates: the main thread's heap stays
 * small while it reads (rows parsed one by one lived, and were promoted, until their whole result had arrived).
 */
export type PackedBatch = {
  count: number;
  last_at: Date | null;
  last_id: string | null;
  /**
   * One JSON array per row, in the layout of the query that read it, one row a line (JSON text escapes a line
   * break inside a value, so a line is a row); null when there are no rows.
   */
  rows: string | null;
  sealed: Buffer | null;
};

/** Epoch milliseconds (a JSON number), truncated as `pg` truncates a timestamp to a `Date`. */
const ms = (column: string) => sql.raw(`floor(extract(epoch from ${column}) * 1000)`);

/**
 * Message rows, as `[id, caller id, received ms, urgency, call back requested, done ms, company length, reason
 * length, body length]`; sealed: company, reason, body of each row, in order. Plus the batch's distinct callers.
 */
export const packedMessageBatch = async (trx: Trx, accountId: string, after: Cursor, limit: number) => {
  const { rows } = await sql<PackedBatch & { callers: string[] | null }>`
    with b as (
      select m.id, m.call_at, m.urgency, m.callback_requested, m.company, m.reason, m.body, m.actioned_at,
        m.caller_subject_id
      from phone_messages m
      where m.account_id = ${accountId}
        ${after === null ? sql`` : sql`and (m.call_at, m.id) > (${after.at}, ${after.id})`}
      order by m.call_at, m.id
      limit ${limit}
    )
    select
      count(*)::int as count,
      max(b.call_at) as last_at,
      (array_agg(b.id::text order by b.call_at desc, b.id desc))[1] as last_id,
      -- Distinct as uuids, then text: sorting the text would compare by collation, about twice as slow.
      array_agg(distinct b.caller_subject_id)::text[] as callers,
      string_agg(json_build_array(b.id, b.caller_subject_id, ${ms('b.call_at')}, b.urgency, b.callback_requested,
        ${ms('b.actioned_at')}, octet_length(b.company), octet_length(b.reason), octet_length(b.body))::text, E'\n'
        order by b.call_at, b.id) as rows,
      string_agg(coalesce(b.company, ''::bytea) || coalesce(b.reason, ''::bytea) || coalesce(b.body, ''::bytea),
        ''::bytea order by b.call_at, b.id) as sealed
    from b`.execute(trx);

  return rows[0] as PackedBatch & { callers: string[] | null };
};

/**
 * Post rows, as `[id, received ms, type, sender length, tracking number length, status, status since ms, scans,
 * done ms]`; sealed: sender, tracking number of each row, in order. Keys: per item that still has one, its length
 * (int4), its id (16 bytes) and its wrapped data key, one after another; and how many of them a master key other
 * than `kekId` wrapped.
 */
export const packedPostBatch = async (trx: Trx, accountId: string, kekId: string, after: Cursor, limit: number) => {
  const { rows } = await sql<PackedBatch & { keys: Buffer | null; foreign_keys: number }>`
    with b as (
      select p.id, p.received_at, p.item_type, p.sender, p.tracking_number, p.status, p.actioned_at,
        k.wrapped, k.kek_id,
        (select max(e.at) from post_events e where e.account_id = p.account_id and e.post_item_id = p.id)
          as status_at,
        (select count(*) from stored_files f
          where f.account_id = p.account_id and f.owner_kind = 'post_item' and f.owner_id = p.id) as files
      from post_items p
      left join subject_keys k on k.subject_id = p.id
      where p.account_id = ${accountId}
        ${after === null ? sql`` : sql`and (p.received_at, p.id) > (${after.at}, ${after.id})`}
      order by p.received_at, p.id
      limit ${limit}
    )
    select
      count(*)::int as count,
      max(b.received_at) as last_at,
      (array_agg(b.id::text order by b.received_at desc, b.id desc))[1] as last_id,
      count(*) filter (where b.wrapped is not null and b.kek_id <> ${kekId})::int as foreign_keys,
      string_agg(int4send(octet_length(b.wrapped)) || uuid_send(b.id) || b.wrapped, ''::bytea
        order by b.received_at, b.id) filter (where b.wrapped is not null) as keys,
      string_agg(json_build_array(b.id, ${ms('b.received_at')}, b.item_type, octet_length(b.sender),
        octet_length(b.tracking_number), replace(b.status::text, '_', ' '), ${ms('b.status_at')}, b.files,
        ${ms('b.actioned_at')})::text, E'\n' order by b.received_at, b.id) as rows,
      string_agg(coalesce(b.sender, ''::bytea) || coalesce(b.tracking_number, ''::bytea), ''::bytea
        order by b.received_at, b.id) as sealed
    from b`.execute(trx);

  return rows[0] as PackedBatch & { keys: Buffer | null; foreign_keys: number };
};
