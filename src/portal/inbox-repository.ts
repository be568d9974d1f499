/**
 * @module SQL for the client's inbox: phone messages and post items as one timeline, with the signed-in user's
 * read markers. Values arrive and leave sealed; filtering happens on plain columns and on search-term hashes.
 */
import { sql } from 'kysely';
import type { Trx } from '../kernel/db/database.ts';
import type { ItemKind } from '../kernel/db/schema.ts';

export type TimelineFilter = {
  accountId: string;
  userId: string;
  kinds: readonly ItemKind[];
  state?: 'unread' | 'read' | 'actioned' | undefined;
  urgency?: 'normal' | 'urgent' | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  actionedBy?: string | undefined;
  /** Search-term hashes an item must all hold. */
  terms?: readonly Buffer[] | undefined;
  before?: { at: Date; id: string } | undefined;
  limit: number;
};

export type TimelineRow = {
  kind: ItemKind;
  id: string;
  at: Date;
  urgency: 'normal' | 'urgent';
  actioned_at: Date | null;
  actioned_by: string | null;
  read_at: Date | null;
  caller_subject_id: string | null;
  company: Buffer | null;
  reason: Buffer | null;
  body: Buffer | null;
  callback_requested: boolean | null;
  sender: Buffer | null;
  item_type: string | null;
  status: string | null;
  files: number;
};

/** Below this many items holding the rarest word, start from those items rather than walk the timeline. */
const RARE = 5_000;

type TermPlan = { skip: true } | { skip: false; rarest: Buffer | null };

/**
 * How to search one kind: the count of items holding each word (from the term index) tells whether a word is
 * missing (nothing can match), rare (start from its items) or common (walk the timeline newest first and stop at
 * the page size, checking each item's words). Without this the planner walks 50 000 items for a word that is not
 * there at all.
 */
const planTerms = async (trx: Trx, f: TimelineFilter, kind: ItemKind): Promise<TermPlan> => {
  if (!f.terms || f.terms.length === 0) return { skip: false, rarest: null };
  // Counted only up to RARE + 1: past that a word is common, however common, so a frequent word costs a few
  // thousand index entries here rather than every item that holds it.
  const counts = await sql<{ term: Buffer; n: number }>`select w.term, (select count(*)::int from (
      select 1 from item_search_terms t where t.account_id = ${f.accountId} and t.item_kind = ${kind} and t.term = w.term
      limit ${RARE + 1}) x) as n
    from unnest(${[...f.terms]}::bytea[]) as w(term)`.execute(trx);
  if (counts.rows.some((c) => c.n === 0)) return { skip: true };
  const rarest = [...counts.rows].sort((a, b) => a.n - b.n)[0];

  return { skip: false, rarest: rarest && rarest.n <= RARE ? rarest.term : null };
};

const matching = (f: TimelineFilter, kind: ItemKind, plan: TermPlan) => {
  if (!f.terms || f.terms.length === 0 || plan.skip) return sql`true`;
  const id = kind === 'message' ? sql.ref('m.id') : sql.ref('p.id');
  const each = f.terms.map(
    (
      term,
    ) => sql`exists (select 1 from item_search_terms t where t.account_id = ${f.accountId} and t.item_kind = ${kind}
      and t.item_id = ${id} and t.term = ${term})`,
  );
  const start = plan.rarest
    ? [
        sql`${id} in (select item_id from item_search_terms where account_id = ${f.accountId} and item_kind = ${kind} and term = ${plan.rarest})`,
      ]
    : [];

  return sql.join([...start, ...each], sql` and `);
};

const stateClause = (f: TimelineFilter, actioned: ReturnType<typeof sql.ref>) => {
  if (f.state === 'unread') return sql`r.read_at is null and ${actioned} is null`;
  if (f.state === 'read') return sql`r.read_at is not null and ${actioned} is null`;
  if (f.state === 'actioned') return sql`${actioned} is not null`;

  return sql`true`;
};

const common = (
  f: TimelineFilter,
  at: ReturnType<typeof sql.ref>,
  actionedBy: ReturnType<typeof sql.ref>,
  id: ReturnType<typeof sql.ref>,
) => sql`
  ${f.from ? sql`and ${at} >= ${f.from}` : sql``}
  ${f.to ? sql`and ${at} < ${f.to}` : sql``}
  ${f.actionedBy ? sql`and ${actionedBy} = ${f.actionedBy}` : sql``}
  ${f.before ? sql`and (${at}, ${id}) < (${f.before.at}, ${f.before.id})` : sql``}`;

export const listTimeline = async (trx: Trx, f: TimelineFilter): Promise<TimelineRow[]> => {
  const parts = [];
  const messagePlan = f.kinds.includes('message') ? await planTerms(trx, f, 'message') : { skip: true as const };
  // Post has no urgency: filtering on "urgent" leaves it out.
  const postPlan =
    f.kinds.includes('post') && f.urgency !== 'urgent' ? await planTerms(trx, f, 'post') : { skip: true as const };
  if (!messagePlan.skip) {
    parts.push(sql`select * from (
      select 'message' as kind, m.id, m.call_at as at, m.urgency, m.actioned_at as t_actioned_at, m.actioned_by,
        r.read_at, m.caller_subject_id, m.company, m.reason, m.body, m.callback_requested,
        null::bytea as sender, null::text as item_type, null::text as status, 0 as files
      from phone_messages m
      left join item_reads r on r.account_id = m.account_id and r.item_kind = 'message' and r.item_id = m.id and r.user_id = ${f.userId}
      where m.account_id = ${f.accountId}
        ${f.urgency ? sql`and m.urgency = ${f.urgency}` : sql``}
        and ${matching(f, 'message', messagePlan)}
        ${common(f, sql.ref('m.call_at'), sql.ref('m.actioned_by'), sql.ref('m.id'))}
        and ${stateClause(f, sql.ref('m.actioned_at'))}
      order by m.call_at desc, m.id desc limit ${f.limit}) mm`);
  }
  if (!postPlan.skip) {
    parts.push(sql`select * from (
      select 'post' as kind, p.id, p.received_at as at, 'normal' as urgency, p.actioned_at as t_actioned_at, p.actioned_by,
        r.read_at, null::uuid as caller_subject_id, null::bytea as company, null::bytea as reason, null::bytea as body,
        null::boolean as callback_requested, p.sender, p.item_type, p.status,
        (select count(*)::int from stored_files s where s.account_id = p.account_id and s.owner_kind = 'post_item' and s.owner_id = p.id) as files
      from post_items p
      left join item_reads r on r.account_id = p.account_id and r.item_kind = 'post' and r.item_id = p.id and r.user_id = ${f.userId}
      where p.account_id = ${f.accountId}
        and ${matching(f, 'post', postPlan)}
        ${common(f, sql.ref('p.received_at'), sql.ref('p.actioned_by'), sql.ref('p.id'))}
        and ${stateClause(f, sql.ref('p.actioned_at'))}
      order by p.received_at desc, p.id desc limit ${f.limit}) pp`);
  }
  if (parts.length === 0) return [];
  const union = sql.join(parts, sql` union all `);
  const result = await sql<
    TimelineRow & { t_actioned_at: Date | null }
  >`select * from (${union}) t order by at desc, id desc limit ${f.limit}`.execute(trx);

  return result.rows.map(({ t_actioned_at, ...row }) => ({ ...row, actioned_at: t_actioned_at }));
};

export const subjectNames = (trx: Trx, ids: readonly string[]) =>
  ids.length === 0
    ? Promise.resolve([])
    : trx
        .selectFrom('subjects')
        .select(['id', 'name', 'phone', 'email'])
        .where('id', 'in', [...ids])
        .execute();

export const findMessage = (trx: Trx, id: string) =>
  trx.selectFrom('phone_messages').selectAll().where('id', '=', id).executeTakeFirst();

export const findPostItem = (trx: Trx, id: string) =>
  trx.selectFrom('post_items').selectAll().where('id', '=', id).executeTakeFirst();

export const listPostEvents = (trx: Trx, postItemId: string) =>
  trx
    .selectFrom('post_events')
    .select(['status', 'at'])
    .where('post_item_id', '=', postItemId)
    .orderBy('at')
    .orderBy('id')
    .execute();

export const listItemFiles = (trx: Trx, postItemId: string) =>
  trx
    .selectFrom('stored_files')
    .select(['id', 'media_type', 'size_bytes'])
    .where('owner_kind', '=', 'post_item')
    .where('owner_id', '=', postItemId)
    .orderBy('created_at')
    .execute();

export const findFile = (trx: Trx, fileId: string) =>
  trx.selectFrom('stored_files').selectAll().where('id', '=', fileId).executeTakeFirst();

export const findReadAt = async (trx: Trx, kind: ItemKind, itemId: string, userId: string) =>
  (
    await trx
      .selectFrom('item_reads')
      .select('read_at')
      .where('item_kind', '=', kind)
      .where('item_id', '=', itemId)
      .where('user_id', '=', userId)
      .executeTakeFirst()
  )?.read_at ?? null;

export const markRead = (
  trx: Trx,
  row: { accountId: string; kind: ItemKind; itemId: string; userId: string; at: Date },
) =>
  trx
    .insertInto('item_reads')
    .values({
      account_id: row.accountId,
      item_kind: row.kind,
      item_id: row.itemId,
      user_id: row.userId,
      read_at: row.at,
    })
    .onConflict((oc) => oc.columns(['account_id', 'item_kind', 'item_id', 'user_id']).doNothing())
    .execute();

export const markUnread = (trx: Trx, kind: ItemKind, itemId: string, userId: string) =>
  trx
    .deleteFrom('item_reads')
    .where('item_kind', '=', kind)
    .where('item_id', '=', itemId)
    .where('user_id', '=', userId)
    .execute();

export const setActioned = (trx: Trx, kind: ItemKind, itemId: string, by: { userId: string; at: Date } | null) =>
  kind === 'message'
    ? trx
        .updateTable('phone_messages')
        .set({ actioned_at: by?.at ?? null, actioned_by: by?.userId ?? null })
        .where('id', '=', itemId)
        .executeTakeFirst()
    : trx
        .updateTable('post_items')
        .set({ actioned_at: by?.at ?? null, actioned_by: by?.userId ?? null })
        .where('id', '=', itemId)
        .executeTakeFirst();

export const unreadCounts = async (trx: Trx, accountId: string, userId: string) => {
  const row = await sql<{ messages: number; post: number }>`select
    (select count(*)::int from phone_messages m where m.account_id = ${accountId} and m.actioned_at is null and not exists
      (select 1 from item_reads r where r.account_id = m.account_id and r.item_kind = 'message' and r.item_id = m.id and r.user_id = ${userId})) as messages,
    (select count(*)::int from post_items p where p.account_id = ${accountId} and p.actioned_at is null and not exists
      (select 1 from item_reads r where r.account_id = p.account_id and r.item_kind = 'post' and r.item_id = p.id and r.user_id = ${userId})) as post`.execute(
    trx,
  );

  return row.rows[0] ?? { messages: 0, post: 0 };
};
