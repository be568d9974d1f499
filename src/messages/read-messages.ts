/**
 * @module Decrypting readers of phone messages, shared by the staff screens, the client portal and exports. They do
 * not audit: the use case that shows or exports the result records the read.
 *
 * @example
 * const message = await readMessage(kernel, trx, messageId) // null when absent
 * for await (const batch of streamMessagesForExport(kernel, accountId)) write(batch)
 */
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
  const row = await trx
    .selectFrom('subjects')
    .select(['name', 'phone', 'email'])
    .where('id', '=', subjectId)
    .executeTakeFirst();
  const open = (blob: Buffer | null | undefined, field: string) => (blob ? deps.vault.open(trx, blob, field) : null);

  return {
    subjectId,
    name: await open(row?.name, 'subjects.name'),
    phone: await open(row?.phone, 'subjects.phone'),
    email: await open(row?.email, 'subjects.email'),
  };
};

export const openMessage = async (
  deps: Deps,
  trx: Trx,
  row: MessageRow,
  callers?: Map<string, Caller>,
): Promise<MessageView> => {
  let caller = callers?.get(row.caller_subject_id);
  if (!caller) {
    caller = await readCaller(deps, trx, row.caller_subject_id);
    callers?.set(row.caller_subject_id, caller);
  }
  const open = (blob: Buffer | null, field: string) => (blob ? deps.vault.open(trx, blob, field) : null);

  return {
    id: row.id,
    accountId: row.account_id,
    caller,
    company: await open(row.company, 'phone_messages.company'),
    reason: await open(row.reason, 'phone_messages.reason'),
    body: await open(row.body, 'phone_messages.body'),
    urgency: row.urgency,
    callbackRequested: row.callback_requested,
    callAt: row.call_at.toISOString(),
    takenBy: row.taken_by,
    actionedAt: row.actioned_at?.toISOString() ?? null,
    actionedBy: row.actioned_by,
    createdAt: row.created_at.toISOString(),
  };
};

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
  const callers = new Map<string, Caller>();
  const rows = await listMessagesByCaller(trx, accountId, callerSubjectId, limit);

  return Promise.all(rows.map((r) => openMessage(deps, trx, r, callers)));
};

export type MessageCursor = { callAt: Date; id: string };

/** One page in call-time order, decrypted, with the cursor for the next page (null at the end). */
export const readMessagesPage = async (
  deps: Deps,
  trx: Trx,
  input: { accountId: string; after: MessageCursor | null; limit: number },
): Promise<{ items: MessageView[]; next: MessageCursor | null }> => {
  const rows = await listMessagesPage(trx, input.accountId, input.after, input.limit);
  const callers = new Map<string, Caller>();
  const items: MessageView[] = [];
  for (const row of rows) items.push(await openMessage(deps, trx, row, callers));
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
    const out: unknown[] = [];
    for (const row of rows) {
      const { caller: _caller, ...rest } = await openMessage(deps, trx, row, callers);
      out.push(rest);
    }

    return out;
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
