/**
 * @module SQL for phone messages, their search terms and their notification attempts. Values arrive sealed.
 */
import { sql } from 'kysely';
import type { Trx } from '../kernel/db/database.ts';
import type { PhoneMessagesTable } from '../kernel/db/schema.ts';

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

const messageValues = (m: SealedMessage) => ({
  id: m.id,
  account_id: m.accountId,
  caller_subject_id: m.callerSubjectId,
  company: m.company,
  reason: m.reason,
  body: m.body,
  urgency: m.urgency,
  callback_requested: m.callbackRequested,
  call_at: m.callAt,
  taken_by: m.takenBy,
  idempotency_key: m.idempotencyKey,
  created_at: m.createdAt,
});

/** The message and its search terms in one statement (one round trip): the message goes in by a data-modifying CTE. */
export const insertMessageWithTerms = async (trx: Trx, m: SealedMessage, terms: Buffer[]) => {
  const message = trx.insertInto('phone_messages').values(messageValues(m));
  if (terms.length === 0) return message.execute();

  return trx
    .with('message', () => message)
    .insertInto('item_search_terms')
    .values(terms.map((term) => ({ account_id: m.accountId, item_kind: 'message' as const, item_id: m.id, term })))
    .execute();
};

/**
 * What taking a message needs to know first, in one statement: whether the account is a client business, the
 * message already recorded under this idempotency key, and the newest subject this client knows by the phone
 * number's or the e-mail address's blind index (the same match as `findSubjectsByIndex`).
 */
export const findIntakeContext = (
  trx: Trx,
  q: { accountId: string; idempotencyKey: string; phoneBidx: Buffer | null; emailBidx: Buffer | null },
) =>
  trx
    .selectFrom('accounts')
    .leftJoin('phone_messages', (join) =>
      join
        .onRef('phone_messages.account_id', '=', 'accounts.id')
        .on('phone_messages.idempotency_key', '=', q.idempotencyKey),
    )
    .select((eb) => {
      const knownBy = <A extends string>(field: 'phone_bidx' | 'email_bidx', bidx: Buffer | null, alias: A) =>
        bidx === null
          ? sql<string | null>`null`.as(alias)
          : eb
              .selectFrom('subjects')
              .select('subjects.id')
              .where('subjects.account_id', '=', q.accountId)
              .where(`subjects.${field}`, '=', bidx)
              .orderBy('subjects.created_at', 'desc')
              .limit(1)
              .$asScalar<'id'>()
              .$castTo<string | null>()
              .as(alias);

      return [
        'accounts.kind',
        'phone_messages.id as earlier_id',
        'phone_messages.caller_subject_id as earlier_caller_subject_id',
        'phone_messages.urgency as earlier_urgency',
        knownBy('phone_bidx', q.phoneBidx, 'phone_match'),
        knownBy('email_bidx', q.emailBidx, 'email_match'),
      ];
    })
    .where('accounts.id', '=', q.accountId)
    .executeTakeFirst();

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

export const insertNotifications = async (
  trx: Trx,
  rows: {
    id: string;
    accountId: string;
    itemKind: 'message' | 'post';
    itemId: string;
    userId: string;
    at: Date;
    channel?: 'email' | 'sms';
  }[],
) => {
  if (rows.length === 0) return;
  await trx
    .insertInto('notifications')
    .values(
      rows.map((r) => ({
        id: r.id,
        account_id: r.accountId,
        item_kind: r.itemKind,
        item_id: r.itemId,
        user_id: r.userId,
        channel: r.channel ?? ('email' as const),
        status: 'queued' as const,
        created_at: r.at,
      })),
    )
    .execute();
};

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
