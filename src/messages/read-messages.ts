/**
 * @module Decrypting readers of phone messages, shared by the staff screens, the client portal and exports. They do
 * not audit: the use case that shows or exports the result records the read.
 *
 * @example
 * const message = await readMessage(kernel, trx, messageId) // null when absent
 * for await (const batch of streamMessagesForExport(kernel, accountId)) write(batch)
 */
import type { Opener } from '../kernel/crypto/vault.ts';
import type { Trx } from '../kernel/db/database.ts';
import type { Kernel } from '../kernel/kernel.ts';
import type { SubjectDataSource } from '../subjects/subjects.ts';
import {
  deleteMessagesOfCaller,
  deleteSearchTerms,
  getMessageRow,
  listMessagesByCaller,
  listMessagesPage,
  type MessageRow,
} from './message-repository.ts';

type Deps = Pick<Kernel, 'vault'>;

export type Caller = { subjectId: string; name: string | null; phone: string | null; email: string | null };

/** `null` values mean the field was empty, or the caller's key was destroyed (erased). */
export type MessageView = {
  id: string;
  accountId: string;
  caller: Caller;
  company: string | null;
  reason: string | null;
  body: string | null;
  urgency: 'normal' | 'urgent';
  callbackRequested: boolean;
  callAt: string;
  takenBy: string;
  actionedAt: string | null;
  actionedBy: string | null;
  createdAt: string;
};

export const readCaller = async (deps: Deps, trx: Trx, subjectId: string): Promise<Caller> => {
  const callers = new Map<string, Caller>();
  const found = await readCallerRows(trx, [subjectId], callers);
  addCallers(callers, found, await deps.vault.openerFor(trx, callerBlobs(found)));

  return callers.get(subjectId) ?? { subjectId, name: null, phone: null, email: null };
};

type CallerRow = { id: string; name: Buffer | null; phone: Buffer | null; email: Buffer | null };

/**
 * The sealed rows of the callers in `subjectIds` not yet in `callers`, in one query. Those with no row left (erased)
 * go into `callers` at once, with nothing to show.
 */
const readCallerRows = async (
  trx: Trx,
  subjectIds: Iterable<string>,
  callers: Map<string, Caller>,
): Promise<CallerRow[]> => {
  const wanted = [...new Set(subjectIds)].filter((id) => !callers.has(id));
  if (wanted.length === 0) return [];
  const rows = await trx
    .selectFrom('subjects')
    .select(['id', 'name', 'phone', 'email'])
    .where('id', 'in', wanted)
    .execute();
  for (const id of wanted) callers.set(id, { subjectId: id, name: null, phone: null, email: null });

  return rows;
};

const callerBlobs = (rows: readonly CallerRow[]) => rows.flatMap((r) => [r.name, r.phone, r.email]);

const addCallers = (callers: Map<string, Caller>, rows: readonly CallerRow[], open: Opener) => {
  for (const r of rows) {
    callers.set(r.id, {
      subjectId: r.id,
      name: open(r.name, 'subjects.name'),
      phone: open(r.phone, 'subjects.phone'),
      email: open(r.email, 'subjects.email'),
    });
  }
};

const messageView = (row: MessageRow, caller: Caller, open: Opener): MessageView => ({
  id: row.id,
  accountId: row.account_id,
  caller,
  company: open(row.company, 'phone_messages.company'),
  reason: open(row.reason, 'phone_messages.reason'),
  body: open(row.body, 'phone_messages.body'),
  urgency: row.urgency,
  callbackRequested: row.callback_requested,
  callAt: row.call_at.toISOString(),
  takenBy: row.taken_by,
  actionedAt: row.actioned_at?.toISOString() ?? null,
  actionedBy: row.actioned_by,
  createdAt: row.created_at.toISOString(),
});

/**
 * Messages decrypted together: their callers in one read, every key looked up once, then each field opened
 * without a wait (a page or an export batch holds a thousand). `callers` carries callers across batches.
 */
export const openMessages = async (
  deps: Deps,
  trx: Trx,
  rows: readonly MessageRow[],
  callers = new Map<string, Caller>(),
): Promise<MessageView[]> => {
  const found = await readCallerRows(
    trx,
    rows.map((r) => r.caller_subject_id),
    callers,
  );
  // A message is sealed under its caller's key: one opener for both, so each key is looked up once.
  const open = await deps.vault.openerFor(trx, [
    ...callerBlobs(found),
    ...rows.flatMap((r) => [r.company, r.reason, r.body]),
  ]);
  addCallers(callers, found, open);

  return rows.map((row) => messageView(row, callers.get(row.caller_subject_id) as Caller, open));
};

export const openMessage = async (
  deps: Deps,
  trx: Trx,
  row: MessageRow,
  callers?: Map<string, Caller>,
): Promise<MessageView> => (await openMessages(deps, trx, [row], callers))[0] as MessageView;

/** One message, decrypted; null when it is not in the transaction's account. */
export const readMessage = async (deps: Deps, trx: Trx, id: string): Promise<MessageView | null> => {
  const row = await getMessageRow(trx, id);

  return row ? openMessage(deps, trx, row) : null;
};

export const readMessagesOfCaller = async (
  deps: Deps,
  trx: Trx,
  accountId: string,
  callerSubjectId: string,
  limit = 20,
) => {
  const rows = await listMessagesByCaller(trx, accountId, callerSubjectId, limit);

  return openMessages(deps, trx, rows);
};

export type MessageCursor = { callAt: Date; id: string };

/** One page in call-time order, decrypted, with the cursor for the next page (null at the end). */
export const readMessagesPage = async (
  deps: Deps,
  trx: Trx,
  input: { accountId: string; after: MessageCursor | null; limit: number },
): Promise<{ items: MessageView[]; next: MessageCursor | null }> => {
  const rows = await listMessagesPage(trx, input.accountId, input.after, input.limit);
  const items = await openMessages(deps, trx, rows);
  const last = rows.at(-1);

  return { items, next: rows.length === input.limit && last ? { callAt: last.call_at, id: last.id } : null };
};

/** Every message of an account, in batches, one short tenant transaction per batch (exports of 190 k items). */
export async function* streamMessagesForExport(
  deps: Pick<Kernel, 'vault' | 'db'>,
  accountId: string,
  options: { batch?: number } = {},
): AsyncGenerator<MessageView[]> {
  let after: MessageCursor | null = null;
  for (;;) {
    const page: { items: MessageView[]; next: MessageCursor | null } = await deps.db.tenant(accountId, (trx) =>
      readMessagesPage(deps, trx, { accountId, after, limit: options.batch ?? 1_000 }),
    );
    if (page.items.length > 0) yield page.items;
    if (!page.next) return;
    after = page.next;
  }
}

/** A caller's messages belong in their subject export, and go with their erasure. */
export const phoneMessagesSource: SubjectDataSource = {
  name: 'phone_messages',
  export: async (deps, trx, subjectId) => {
    const rows = await trx
      .selectFrom('phone_messages')
      .selectAll()
      .where('caller_subject_id', '=', subjectId)
      .orderBy('call_at')
      .execute();
    // The caller is the person being exported, whose details the export holds already: not read again here.
    const callers = new Map<string, Caller>([[subjectId, { subjectId, name: null, phone: null, email: null }]]);

    return (await openMessages(deps, trx, rows, callers)).map(({ caller: _caller, ...rest }) => rest);
  },
  erase: async (trx, subjectId) => {
    const deleted = await deleteMessagesOfCaller(trx, subjectId);
    const ids = deleted.map((d) => d.id);
    await deleteSearchTerms(trx, 'message', ids);
    if (ids.length > 0)
      await trx.deleteFrom('notifications').where('item_kind', '=', 'message').where('item_id', 'in', ids).execute();
    if (ids.length > 0)
      await trx.deleteFrom('item_reads').where('item_kind', '=', 'message').where('item_id', 'in', ids).execute();

    return deleted.length;
  },
};
