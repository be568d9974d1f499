/**
 * @module SQL for phone messages, their search terms and their notification attempts. Values arrive sealed.
 */
import { sql } from 'kysely';
import type { SubjectKeyRow } from '../kernel/crypto/vault.ts';
import type { Trx } from '../kernel/db/database.ts';
import type { PhoneMessagesTable } from '../kernel/db/schema.ts';
import type { SealedSubject } from '../subjects/subject-repository.ts';

export type SealedMessage = {
  id: string;
  accountId: string;
  callerSubjectId: string;
  company: Buffer | null;
  reason: Buffer | null;
  body: Buffer;
  urgency: PhoneMessagesTable['urgency'];
  callbackRequested: boolean;
  callAt: Date;
  takenBy: string;
  idempotencyKey: string | null;
  createdAt: Date;
};

export type QueuedNotification = {
  id: string;
  accountId: string;
  itemKind: 'message' | 'post';
  itemId: string;
  userId: string;
  at: Date;
  channel?: 'email' | 'sms';
};

/**
 * Everything a batch of intake writes, in one statement (one round trip) whatever its size: new callers with their
 * data keys, the messages, their search terms and the notifications queued for them. The rows travel as arrays, so
 * the statement's text, and its prepared plan, are the same for every batch. Foreign keys (a message's caller, a
 * subject's key) are checked at the end of the statement, when every part of it has been written.
 */
export const insertIntakeBatch = async (
  trx: Trx,
  accountId: string,
  batch: {
    callers: readonly { key: SubjectKeyRow; row: SealedSubject }[];
    messages: readonly SealedMessage[];
    terms: readonly { itemId: string; term: Buffer }[];
    notifications: readonly QueuedNotification[];
  },
) => {
  const { callers, messages, terms, notifications } = batch;
  if (messages.length === 0) return;
  const key = <K extends keyof SubjectKeyRow>(k: K) => callers.map((c) => c.key[k]);
  const caller = <K extends keyof SealedSubject>(k: K) => callers.map((c) => c.row[k]);
  const message = <K extends keyof SealedMessage>(k: K) => messages.map((m) => m[k]);
  const notification = <K extends keyof QueuedNotification>(k: K) => notifications.map((n) => n[k]);
  await sql`
    with new_key as (
      insert into subject_keys (subject_id, account_id, kek_id, wrapped, created_at)
      select subject_id, ${accountId}::uuid, kek_id, wrapped, created_at
      from unnest(${key('subject_id')}::uuid[], ${key('kek_id')}::text[], ${key('wrapped')}::bytea[],
        ${key('created_at')}::timestamptz[]) as k(subject_id, kek_id, wrapped, created_at)
    ), new_caller as (
      insert into subjects (id, account_id, kind, name, email, phone, name_bidx, email_bidx, phone_bidx, source,
        created_at, updated_at)
      select id, ${accountId}::uuid, kind, name, email, phone, name_bidx, email_bidx, phone_bidx, source, at, at
      from unnest(${caller('id')}::uuid[], ${caller('kind')}::text[], ${caller('name')}::bytea[],
        ${caller('email')}::bytea[], ${caller('phone')}::bytea[], ${caller('nameBidx')}::bytea[],
        ${caller('emailBidx')}::bytea[], ${caller('phoneBidx')}::bytea[], ${caller('source')}::text[],
        ${caller('at')}::timestamptz[])
        as s(id, kind, name, email, phone, name_bidx, email_bidx, phone_bidx, source, at)
    ), message as (
      insert into phone_messages (id, account_id, caller_subject_id, company, reason, body, urgency, callback_requested,
        call_at, taken_by, idempotency_key, created_at)
      select id, ${accountId}::uuid, caller_subject_id, company, reason, body, urgency, callback_requested, call_at,
        taken_by, idempotency_key, created_at
      from unnest(${message('id')}::uuid[], ${message('callerSubjectId')}::uuid[], ${message('company')}::bytea[],
        ${message('reason')}::bytea[], ${message('body')}::bytea[], ${message('urgency')}::text[],
        ${message('callbackRequested')}::boolean[], ${message('callAt')}::timestamptz[], ${message('takenBy')}::uuid[],
        ${message('idempotencyKey')}::text[], ${message('createdAt')}::timestamptz[])
        as m(id, caller_subject_id, company, reason, body, urgency, callback_requested, call_at, taken_by,
          idempotency_key, created_at)
    ), term as (
      insert into item_search_terms (account_id, item_kind, item_id, term)
      select ${accountId}::uuid, 'message', item_id, term
      from unnest(${terms.map((t) => t.itemId)}::uuid[], ${terms.map((t) => t.term)}::bytea[]) as t(item_id, term)
    )
    insert into notifications (id, account_id, item_kind, item_id, user_id, channel, status, created_at)
    select id, ${accountId}::uuid, item_kind, item_id, user_id, channel, 'queued', created_at
    from unnest(${notification('id')}::uuid[], ${notification('itemKind')}::text[], ${notification('itemId')}::uuid[],
      ${notification('userId')}::uuid[], ${notifications.map((n) => n.channel ?? 'email')}::text[],
      ${notification('at')}::timestamptz[]) as n(id, item_kind, item_id, user_id, channel, created_at)`.execute(trx);
};

export type IntakeLookUp = { idempotencyKey: string; phoneBidx: Buffer | null; emailBidx: Buffer | null };

export type IntakeContext = {
  kind: 'provider' | 'client' | null;
  earlier_id: string | null;
  earlier_caller_subject_id: string | null;
  earlier_urgency: 'normal' | 'urgent' | null;
  phone_match: string | null;
  email_match: string | null;
};

/**
 * What taking messages needs to know first, for a whole batch in one statement, one row per look-up in order:
 * whether the account is a client business, the message already recorded under each idempotency key, and the newest
 * subject this client knows by the phone number's or the e-mail address's blind index (the same match as
 * `findSubjectsByIndex`).
 */
export const findIntakeContexts = async (
  trx: Trx,
  accountId: string,
  lookUps: readonly IntakeLookUp[],
): Promise<IntakeContext[]> => {
  const result = await sql<IntakeContext>`
    select a.kind, m.id as earlier_id, m.caller_subject_id as earlier_caller_subject_id, m.urgency as earlier_urgency,
      (select s.id from subjects s where s.account_id = ${accountId}::uuid and s.phone_bidx = j.phone_bidx
        order by s.created_at desc limit 1) as phone_match,
      (select s.id from subjects s where s.account_id = ${accountId}::uuid and s.email_bidx = j.email_bidx
        order by s.created_at desc limit 1) as email_match
    from unnest(${lookUps.map((l) => l.idempotencyKey)}::text[], ${lookUps.map((l) => l.phoneBidx)}::bytea[],
      ${lookUps.map((l) => l.emailBidx)}::bytea[]) with ordinality as j(idempotency_key, phone_bidx, email_bidx, n)
    left join accounts a on a.id = ${accountId}::uuid
    left join phone_messages m on m.account_id = ${accountId}::uuid and m.idempotency_key = j.idempotency_key
    order by j.n`.execute(trx);

  return result.rows;
};

export const findMessageByIdempotencyKey = (trx: Trx, accountId: string, key: string) =>
  trx
    .selectFrom('phone_messages')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();

export const getMessageRow = (trx: Trx, id: string) =>
  trx.selectFrom('phone_messages').selectAll().where('id', '=', id).executeTakeFirst();

export type MessageRow = NonNullable<Awaited<ReturnType<typeof getMessageRow>>>;

export const listMessagesByCaller = (trx: Trx, accountId: string, callerSubjectId: string, limit: number) =>
  trx
    .selectFrom('phone_messages')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('caller_subject_id', '=', callerSubjectId)
    .orderBy('call_at', 'desc')
    .limit(limit)
    .execute();

/** Keyset pages in (call_at, id) order, for exports that must not hold a whole account in memory. */
export const listMessagesPage = (
  trx: Trx,
  accountId: string,
  after: { callAt: Date; id: string } | null,
  limit: number,
) => {
  let query = trx.selectFrom('phone_messages').selectAll().where('account_id', '=', accountId);
  if (after) {
    query = query.where((eb) =>
      eb.or([eb('call_at', '>', after.callAt), eb.and([eb('call_at', '=', after.callAt), eb('id', '>', after.id)])]),
    );
  }

  return query.orderBy('call_at').orderBy('id').limit(limit).execute();
};

export const insertSearchTerms = async (
  trx: Trx,
  accountId: string,
  itemKind: 'message' | 'post',
  itemId: string,
  terms: Buffer[],
) => {
  if (terms.length === 0) return;
  await trx
    .insertInto('item_search_terms')
    .values(terms.map((term) => ({ account_id: accountId, item_kind: itemKind, item_id: itemId, term })))
    .execute();
};

export const deleteSearchTerms = (trx: Trx, itemKind: 'message' | 'post', itemIds: readonly string[]) =>
  itemIds.length === 0
    ? Promise.resolve()
    : trx.deleteFrom('item_search_terms').where('item_kind', '=', itemKind).where('item_id', 'in', itemIds).execute();

export const deleteMessagesOfCaller = (trx: Trx, callerSubjectId: string) =>
  trx.deleteFrom('phone_messages').where('caller_subject_id', '=', callerSubjectId).returning('id').execute();

export const listNotificationsForItem = (trx: Trx, itemKind: 'message' | 'post', itemId: string) =>
  trx
    .selectFrom('notifications')
    .selectAll()
    .where('item_kind', '=', itemKind)
    .where('item_id', '=', itemId)
    .orderBy('created_at')
    .orderBy('channel')
    .orderBy('id')
    .execute();

/** Compare-and-set on the attempt count, so two senders (the request and the sweeper) never both send one row. */
export const claimNotification = (trx: Trx, id: string, seenAttempts: number) =>
  trx
    .updateTable('notifications')
    .set({ attempts: seenAttempts + 1 })
    .where('id', '=', id)
    .where('attempts', '=', seenAttempts)
    .where('status', '!=', 'sent')
    .returning('id')
    .executeTakeFirst();

export const settleNotification = (trx: Trx, id: string, outcome: { status: 'sent' | 'failed'; at: Date }) =>
  trx
    .updateTable('notifications')
    .set({ status: outcome.status, sent_at: outcome.status === 'sent' ? outcome.at : null })
    .where('id', '=', id)
    .execute();
