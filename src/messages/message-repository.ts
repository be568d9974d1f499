/**
 * @module SQL for phone messages, their search terms and their notification attempts. Values arrive sealed.
 */
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
