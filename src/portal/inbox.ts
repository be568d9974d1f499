/**
 * @module The client's inbox: phone messages and post in one timeline, filtered and searched, each item opened
 * with its scans. What a user sees is cut by their access (AS-2), read afresh on every call; every item a client
 * user opens, and every listing, is in the audit trail.
 *
 * @example
 * const page = await listInbox(kernel, { user, filter: { type: 'all', state: 'unread', q: 'boiler' } })
 * const item = await viewItem(kernel, { user, kind: 'message', id })
 */

import { type Access, accessOf, allows, type ClientUser, requireAccess } from '../colleagues/colleague-access.ts';
import { readFile } from '../files/files.ts';
import { recordAudit } from '../kernel/audit/audit.ts';
import type { Trx } from '../kernel/db/database.ts';
import type { ItemKind } from '../kernel/db/schema.ts';
import { AppError } from '../kernel/errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { searchTerms } from '../kernel/search-terms.ts';
import {
  findFile,
  findMessage,
  findPostItem,
  findReadAt,
  listItemFiles,
  listPostEvents,
  listTimeline,
  markRead,
  markUnread,
  setActioned,
  subjectNames,
  type TimelineRow,
  unreadCounts,
} from './inbox-repository.ts';

type Deps = Pick<Kernel, 'db' | 'vault' | 'clock'>;

const PURPOSE = 'service_delivery';
const SNIPPET = 160;

export type InboxFilter = {
  type?: 'all' | 'message' | 'post' | undefined;
  state?: 'unread' | 'read' | 'actioned' | undefined;
  urgency?: 'normal' | 'urgent' | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Items actioned by this user of the account. */
  colleague?: string | undefined;
  q?: string | undefined;
  before?: { at: Date; id: string } | undefined;
  limit?: number | undefined;
};

export type InboxEntry = {
  kind: ItemKind;
  id: string;
  at: string;
  urgency: 'normal' | 'urgent';
  state: 'unread' | 'read' | 'actioned';
  actionedBy: string | null;
  /** Caller's name for a message, sender for post. */
  title: string | null;
  company: string | null;
  summary: string | null;
  itemType: string | null;
  status: string | null;
  callbackRequested: boolean;
  files: number;
};

const stateOf = (row: { actioned_at: Date | null; read_at: Date | null }) =>
  row.actioned_at ? 'actioned' : row.read_at ? 'read' : 'unread';

const opener = (deps: Pick<Kernel, 'vault'>, trx: Trx) => (blob: Buffer | null, field: string) =>
  blob ? deps.vault.open(trx, blob, field) : Promise.resolve(null);

const allowedKinds = (access: Access): ItemKind[] => [
  ...(allows(access.messages, 'view') ? (['message'] as const) : []),
  ...(allows(access.post, 'view') ? (['post'] as const) : []),
];

export const listInbox = (deps: Deps, input: { user: ClientUser; filter: InboxFilter }) =>
  deps.db.tenant(input.user.accountId, async (trx) => {
    const { user, filter } = input;
    const access = await accessOf(trx, user);
    const allowed = allowedKinds(access);
    const kinds = filter.type && filter.type !== 'all' ? allowed.filter((k) => k === filter.type) : allowed;
    const terms = filter.q ? searchTerms(deps.vault, user.accountId, [filter.q]) : undefined;
    const limit = Math.min(filter.limit ?? 50, 200);
    const rows =
      kinds.length === 0 || (filter.q && terms?.length === 0)
        ? []
        : await listTimeline(trx, {
            accountId: user.accountId,
            userId: user.id,
            kinds,
            state: filter.state,
            urgency: filter.urgency,
            from: filter.from,
            to: filter.to,
            actionedBy: filter.colleague,
            terms,
            before: filter.before,
            limit,
          });
    const entries = await toEntries(deps, trx, rows);
    if (entries.length > 0) {
      await recordAudit(trx, deps.clock, {
        accountId: user.accountId,
        actor: { id: user.id, role: user.role },
        action: 'portal.inbox.list',
        entity: 'inbox',
        fields: ['caller.name', 'company', 'reason', 'body', 'sender'],
        purpose: PURPOSE,
        details: {
          messages: entries.filter((e) => e.kind === 'message').length,
          post: entries.filter((e) => e.kind === 'post').length,
          searched: Boolean(filter.q),
        },
      });
    }
    const last = rows.at(-1);

    return {
      access,
      items: entries,
      next: rows.length === limit && last ? `${last.at.toISOString()}|${last.id}` : null,
      // Counting every unread item walks the whole account: only for the first, unsearched page.
      unread:
        filter.q || filter.before
          ? null
          : await unreadCounts(trx, user.accountId, user.id).then((c) => ({
              messages: allows(access.messages, 'view') ? c.messages : 0,
              post: allows(access.post, 'view') ? c.post : 0,
            })),
    };
  });

const toEntries = async (deps: Deps, trx: Trx, rows: TimelineRow[]): Promise<InboxEntry[]> => {
  const open = opener(deps, trx);
  const callerIds = [...new Set(rows.map((r) => r.caller_subject_id).filter((id): id is string => id !== null))];
  const names = new Map<string, string | null>();
  for (const s of await subjectNames(trx, callerIds)) names.set(s.id, await open(s.name, 'subjects.name'));
  const out: InboxEntry[] = [];
  for (const row of rows) {
    const message = row.kind === 'message';
    const reason = message ? await open(row.reason, 'phone_messages.reason') : null;
    const body = message ? await open(row.body, 'phone_messages.body') : null;
    const summary = reason ?? body;
    out.push({
      kind: row.kind,
      id: row.id,
      at: row.at.toISOString(),
      urgency: row.urgency,
      state: stateOf(row),
      actionedBy: row.actioned_by,
      title: message ? (names.get(row.caller_subject_id ?? '') ?? null) : await open(row.sender, 'post_items.sender'),
      company: message ? await open(row.company, 'phone_messages.company') : null,
      summary: summary && summary.length > SNIPPET ? `${summary.slice(0, SNIPPET - 1)}…` : summary,
      itemType: row.item_type,
      status: row.status,
      callbackRequested: row.callback_requested ?? false,
      files: row.files,
    });
  }

  return out;
};

export type MessageView = {
  kind: 'message';
  id: string;
  at: string;
  urgency: 'normal' | 'urgent';
  state: 'unread' | 'read' | 'actioned';
  actionedAt: string | null;
  caller: { name: string | null; phone: string | null; email: string | null };
  company: string | null;
  reason: string | null;
  body: string | null;
  callbackRequested: boolean;
  canAct: boolean;
};

export type PostView = {
  kind: 'post';
  id: string;
  at: string;
  state: 'unread' | 'read' | 'actioned';
  actionedAt: string | null;
  sender: string | null;
  itemType: string;
  trackingNumber: string | null;
  status: string;
  history: { status: string; at: string }[];
  files: { id: string; mediaType: string; sizeBytes: number }[];
  canAct: boolean;
};

/** Opens one item: an audited read, and it counts as read for this user. */
export const viewItem = (deps: Deps, input: { user: ClientUser; kind: ItemKind; id: string }) =>
  deps.db.tenant(input.user.accountId, async (trx): Promise<MessageView | PostView> => {
    const { user } = input;
    const access = await requireAccess(trx, user, input.kind, 'view');
    const open = opener(deps, trx);
    const now = deps.clock.now();
    const actor = { id: user.id, role: user.role };
    const readAt = (await findReadAt(trx, input.kind, input.id, user.id)) ?? now;
    if (input.kind === 'message') {
      const m = await findMessage(trx, input.id);
      if (!m) throw new AppError('NOT_FOUND', 'No such message');
      const [caller] = await subjectNames(trx, [m.caller_subject_id]);
      await markRead(trx, { accountId: user.accountId, kind: 'message', itemId: m.id, userId: user.id, at: now });
      await recordAudit(trx, deps.clock, {
        accountId: user.accountId,
        actor,
        action: 'portal.item.read',
        entity: 'phone_message',
        entityId: m.id,
        subjectId: m.caller_subject_id,
        fields: ['caller.name', 'caller.phone', 'caller.email', 'company', 'reason', 'body'],
        purpose: PURPOSE,
      });

      return {
        kind: 'message',
        id: m.id,
        at: m.call_at.toISOString(),
        urgency: m.urgency,
        state: stateOf({ actioned_at: m.actioned_at, read_at: readAt }),
        actionedAt: m.actioned_at?.toISOString() ?? null,
        caller: {
          name: await open(caller?.name ?? null, 'subjects.name'),
          phone: await open(caller?.phone ?? null, 'subjects.phone'),
          email: await open(caller?.email ?? null, 'subjects.email'),
        },
        company: await open(m.company, 'phone_messages.company'),
        reason: await open(m.reason, 'phone_messages.reason'),
        body: await open(m.body, 'phone_messages.body'),
        callbackRequested: m.callback_requested,
        canAct: allows(access.messages, 'act'),
      };
    }
    const p = await findPostItem(trx, input.id);
    if (!p) throw new AppError('NOT_FOUND', 'No such post item');
    await markRead(trx, { accountId: user.accountId, kind: 'post', itemId: p.id, userId: user.id, at: now });
    await recordAudit(trx, deps.clock, {
      accountId: user.accountId,
      actor,
      action: 'portal.item.read',
      entity: 'post_item',
      entityId: p.id,
      subjectId: p.sender_subject_id,
      fields: ['sender', 'tracking_number'],
      purpose: PURPOSE,
    });

    return {
      kind: 'post',
      id: p.id,
      at: p.received_at.toISOString(),
      state: stateOf({ actioned_at: p.actioned_at, read_at: readAt }),
      actionedAt: p.actioned_at?.toISOString() ?? null,
      sender: await open(p.sender, 'post_items.sender'),
      itemType: p.item_type,
      trackingNumber: await open(p.tracking_number, 'post_items.tracking_number'),
      status: p.status,
      history: (await listPostEvents(trx, p.id)).map((e) => ({ status: e.status, at: e.at.toISOString() })),
      files: (await listItemFiles(trx, p.id)).map((f) => ({
        id: f.id,
        mediaType: f.media_type,
        sizeBytes: f.size_bytes,
      })),
      canAct: allows(access.post, 'act'),
    };
  });

const requireItem = async (trx: Trx, kind: ItemKind, id: string) => {
  const found = kind === 'message' ? await findMessage(trx, id) : await findPostItem(trx, id);
  if (!found) throw new AppError('NOT_FOUND', kind === 'message' ? 'No such message' : 'No such post item');
};

export const setItemRead = (deps: Deps, input: { user: ClientUser; kind: ItemKind; id: string; read: boolean }) =>
  deps.db.tenant(input.user.accountId, async (trx) => {
    await requireAccess(trx, input.user, input.kind, 'view');
    await requireItem(trx, input.kind, input.id);
    if (input.read) {
      await markRead(trx, {
        accountId: input.user.accountId,
        kind: input.kind,
        itemId: input.id,
        userId: input.user.id,
        at: deps.clock.now(),
      });
    } else {
      await markUnread(trx, input.kind, input.id, input.user.id);
    }

    return { read: input.read };
  });

/** Marking an item done (or not) changes it for the whole account, so it needs 'act'. */
export const setItemActioned = (
  deps: Deps,
  input: { user: ClientUser; kind: ItemKind; id: string; actioned: boolean },
) =>
  deps.db.tenant(input.user.accountId, async (trx) => {
    await requireAccess(trx, input.user, input.kind, 'act');
    await requireItem(trx, input.kind, input.id);
    const at = deps.clock.now();
    await setActioned(trx, input.kind, input.id, input.actioned ? { userId: input.user.id, at } : null);
    await recordAudit(trx, deps.clock, {
      accountId: input.user.accountId,
      actor: { id: input.user.id, role: input.user.role },
      action: input.actioned ? 'portal.item.actioned' : 'portal.item.reopened',
      entity: input.kind === 'message' ? 'phone_message' : 'post_item',
      entityId: input.id,
      purpose: PURPOSE,
    });

    return { actioned: input.actioned, actionedAt: input.actioned ? at.toISOString() : null };
  });

/** A scan or photo of a post item, decrypted for the signed-in user: an audited read. */
export const readScan = (deps: Deps & Pick<Kernel, 'config'>, input: { user: ClientUser; fileId: string }) =>
  deps.db.tenant(input.user.accountId, async (trx) => {
    await requireAccess(trx, input.user, 'post', 'view');
    const file = await findFile(trx, input.fileId);
    if (!file) throw new AppError('NOT_FOUND', 'No such file');
    const opened = await readFile(deps, trx, file.id);
    if (!opened) throw new AppError('NOT_FOUND', 'This file is no longer available');
    const bytes = opened.bytes;
    await recordAudit(trx, deps.clock, {
      accountId: input.user.accountId,
      actor: { id: input.user.id, role: input.user.role },
      action: 'portal.file.read',
      entity: 'stored_file',
      entityId: file.id,
      fields: ['content'],
      purpose: PURPOSE,
      details: { postItemId: file.owner_id },
    });

    return { bytes, mediaType: file.media_type };
  });
