/**
 * @module SQL for post items and their lifecycle events. Values arrive sealed.
 */
import type { Trx } from '../kernel/db/database.ts';
import type { PostItemsTable, PostStatus } from '../kernel/db/schema.ts';

export type SealedPostItem = {
  id: string;
  accountId: string;
  senderSubjectId: string | null;
  sender: Buffer;
  itemType: PostItemsTable['item_type'];
  trackingNumber: Buffer | null;
  receivedAt: Date;
  loggedBy: string;
  idempotencyKey: string | null;
  createdAt: Date;
};

export const insertPostItem = (trx: Trx, p: SealedPostItem) =>
  trx
    .insertInto('post_items')
    .values({
      id: p.id,
      account_id: p.accountId,
      sender_subject_id: p.senderSubjectId,
      sender: p.sender,
      item_type: p.itemType,
      tracking_number: p.trackingNumber,
      received_at: p.receivedAt,
      status: 'received',
      logged_by: p.loggedBy,
      idempotency_key: p.idempotencyKey,
      created_at: p.createdAt,
    })
    .execute();

export const insertPostEvent = (
  trx: Trx,
  e: { accountId: string; postItemId: string; status: PostStatus; at: Date; byUser: string },
) =>
  trx
    .insertInto('post_events')
    .values({ account_id: e.accountId, post_item_id: e.postItemId, status: e.status, at: e.at, by_user: e.byUser })
    .execute();

export const findPostByIdempotencyKey = (trx: Trx, accountId: string, key: string) =>
  trx
    .selectFrom('post_items')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();

export const getPostRow = (trx: Trx, id: string) =>
  trx.selectFrom('post_items').selectAll().where('id', '=', id).executeTakeFirst();

export type PostRow = NonNullable<Awaited<ReturnType<typeof getPostRow>>>;

/** Locks the row, so two status changes of one item apply one after the other. */
export const getPostRowForUpdate = (trx: Trx, id: string) =>
  trx.selectFrom('post_items').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();

export const updatePostStatus = (trx: Trx, id: string, status: PostStatus, at: Date, by: string) =>
  trx.updateTable('post_items').set({ status, actioned_at: at, actioned_by: by }).where('id', '=', id).execute();

export const listPostEvents = (trx: Trx, ids: readonly string[]) =>
  ids.length === 0
    ? Promise.resolve([])
    : trx.selectFrom('post_events').selectAll().where('post_item_id', 'in', ids).orderBy('at').orderBy('id').execute();

export const listRecentPostRows = (trx: Trx, accountId: string, limit: number) =>
  trx
    .selectFrom('post_items')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('received_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();

export const listPostPage = (
  trx: Trx,
  accountId: string,
  after: { receivedAt: Date; id: string } | null,
  limit: number,
) => {
  let query = trx.selectFrom('post_items').selectAll().where('account_id', '=', accountId);
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb('received_at', '>', after.receivedAt),
        eb.and([eb('received_at', '=', after.receivedAt), eb('id', '>', after.id)]),
      ]),
    );
  }

  return query.orderBy('received_at').orderBy('id').limit(limit).execute();
};
