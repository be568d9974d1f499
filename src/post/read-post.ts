/**
 * @module Decrypting readers of post items, shared by the staff screens, the client portal and exports. They do not
 * audit: the use case that shows or exports the result records the read.
 *
 * @example
 * const item = await readPostItem(kernel, trx, itemId) // null when absent
 * for await (const batch of streamPostForExport(kernel, accountId)) write(batch)
 */
import { deleteFilesFor, listFilesFor, type StoredFileMeta } from '../files/files.ts';
import type { Trx } from '../kernel/db/database.ts';
import type { PostStatus } from '../kernel/db/schema.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { deleteSearchTerms } from '../messages/message-repository.ts';
import type { SubjectDataSource } from '../subjects/subjects.ts';
import { getPostRow, listPostEvents, listPostPage, listRecentPostRows, type PostRow } from './post-repository.ts';

type Deps = Pick<Kernel, 'vault'>;

export type PostEventView = { status: PostStatus; at: string; by: string };

/** `sender` / `trackingNumber` are null when empty or when the item's key was destroyed. */
export type PostItemView = {
  id: string;
  accountId: string;
  sender: string | null;
  senderSubjectId: string | null;
  itemType: 'letter' | 'parcel' | 'recorded' | 'legal';
  trackingNumber: string | null;
  receivedAt: string;
  status: PostStatus;
  loggedBy: string;
  actionedAt: string | null;
  actionedBy: string | null;
  createdAt: string;
  files: StoredFileMeta[];
  events: PostEventView[];
};

const openRows = async (deps: Deps, trx: Trx, rows: PostRow[]): Promise<PostItemView[]> => {
  const ids = rows.map((r) => r.id);
  const files = await listFilesFor(trx, 'post_item', ids);
  const events = await listPostEvents(trx, ids);
  const open = (blob: Buffer | null, field: string) => (blob ? deps.vault.open(trx, blob, field) : null);
  const out: PostItemView[] = [];
  for (const r of rows) {
    out.push({
      id: r.id,
      accountId: r.account_id,
      sender: await open(r.sender, 'post_items.sender'),
      senderSubjectId: r.sender_subject_id,
      itemType: r.item_type,
      trackingNumber: await open(r.tracking_number, 'post_items.tracking_number'),
      receivedAt: r.received_at.toISOString(),
      status: r.status,
      loggedBy: r.logged_by,
      actionedAt: r.actioned_at?.toISOString() ?? null,
      actionedBy: r.actioned_by,
      createdAt: r.created_at.toISOString(),
      files: files.get(r.id) ?? [],
      events: events
        .filter((e) => e.post_item_id === r.id)
        .map((e) => ({ status: e.status, at: e.at.toISOString(), by: e.by_user })),
    });
  }

  return out;
};

/** One post item, decrypted, with its files (metadata) and lifecycle; null when not in the transaction's account. */
export const readPostItem = async (deps: Deps, trx: Trx, id: string): Promise<PostItemView | null> => {
  const row = await getPostRow(trx, id);

  return row ? ((await openRows(deps, trx, [row]))[0] ?? null) : null;
};

export const readRecentPost = async (deps: Deps, trx: Trx, accountId: string, limit: number) =>
  openRows(deps, trx, await listRecentPostRows(trx, accountId, limit));

export type PostCursor = { receivedAt: Date; id: string };

export const readPostPage = async (
  deps: Deps,
  trx: Trx,
  input: { accountId: string; after: PostCursor | null; limit: number },
): Promise<{ items: PostItemView[]; next: PostCursor | null }> => {
  const rows = await listPostPage(trx, input.accountId, input.after, input.limit);
  const last = rows.at(-1);

  return {
    items: await openRows(deps, trx, rows),
    next: rows.length === input.limit && last ? { receivedAt: last.received_at, id: last.id } : null,
  };
};

/** Every post item of an account in batches, one short tenant transaction per batch. */
export async function* streamPostForExport(
  deps: Pick<Kernel, 'vault' | 'db'>,
  accountId: string,
  options: { batch?: number } = {},
): AsyncGenerator<PostItemView[]> {
  let after: PostCursor | null = null;
  for (;;) {
    const page: { items: PostItemView[]; next: PostCursor | null } = await deps.db.tenant(accountId, (trx) =>
      readPostPage(deps, trx, { accountId, after, limit: options.batch ?? 1_000 }),
    );
    if (page.items.length > 0) yield page.items;
    if (!page.next) return;
    after = page.next;
  }
}

/**
 * Deletes post items with everything derived from them: files (rows and stored bytes), search terms, events,
 * notifications, reads and the items' keys. For delete-all (AS-4) and for erasure of a sender.
 */
export const deletePostItems = async (deps: Pick<Kernel, 'vault' | 'config'>, trx: Trx, ids: readonly string[]) => {
  if (ids.length === 0) return 0;
  await deleteFilesFor(deps, trx, 'post_item', ids);
  await deleteSearchTerms(trx, 'post', ids);
  await trx.deleteFrom('notifications').where('item_kind', '=', 'post').where('item_id', 'in', ids).execute();
  await trx.deleteFrom('item_reads').where('item_kind', '=', 'post').where('item_id', 'in', ids).execute();
  const deleted = await trx.deleteFrom('post_items').where('id', 'in', ids).returning('id').execute();
  for (const id of ids) await deps.vault.destroyKey(trx, id);

  return deleted.length;
};

/**
 * Post a person sent (items linked to them as sender). `SubjectDataSource.erase` gets no config, so erasure
 * unlinks the sender rather than deleting the client's post: the item keeps its own key and the sealed sender text.
 */
export const postItemsSource: SubjectDataSource = {
  name: 'post_items',
  export: async (deps, trx, subjectId) => {
    const rows = await trx
      .selectFrom('post_items')
      .selectAll()
      .where('sender_subject_id', '=', subjectId)
      .orderBy('received_at')
      .execute();

    return openRows(deps, trx, rows);
  },
  erase: async (trx, subjectId) =>
    Number(
      (
        await trx
          .updateTable('post_items')
          .set({ sender_subject_id: null })
          .where('sender_subject_id', '=', subjectId)
          .executeTakeFirst()
      ).numUpdatedRows,
    ),
};
