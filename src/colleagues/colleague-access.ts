/**
 * @module What a client user may do with phone messages and with post (AS-2). Owners may always act; a colleague
 * has what the owner last set, read from the database on every request (no cache), so a withdrawal takes effect
 * on the very next request.
 *
 * @example
 * await requireAccess(trx, { id: auth.id, role: auth.role, accountId }, 'message', 'view')
 */
import type { Trx } from '../kernel/db/database.ts';
import type { AccessLevel, ItemKind } from '../kernel/db/schema.ts';
import { AppError } from '../kernel/errors.ts';
import { findAccessRow } from './colleague-repository.ts';

export type ClientUser = { id: string; role: string; accountId: string };
export type Access = { messages: AccessLevel; post: AccessLevel };

const RANK: Record<AccessLevel, number> = { none: 0, view: 1, act: 2 };

export const NO_ACCESS: Access = { messages: 'none', post: 'none' };

export const accessOf = async (trx: Trx, user: ClientUser): Promise<Access> => {
  if (user.role === 'owner') return { messages: 'act', post: 'act' };
  if (user.role !== 'colleague') return NO_ACCESS;
  const row = await findAccessRow(trx, user.accountId, user.id);

  return row ? { messages: row.messages, post: row.post } : NO_ACCESS;
};

export const levelFor = (access: Access, kind: ItemKind): AccessLevel =>
  kind === 'message' ? access.messages : access.post;

export const allows = (level: AccessLevel, need: AccessLevel) => RANK[level] >= RANK[need];

export const requireAccess = async (
  trx: Trx,
  user: ClientUser,
  kind: ItemKind,
  need: 'view' | 'act',
): Promise<Access> => {
  const access = await accessOf(trx, user);
  if (!allows(levelFor(access, kind), need)) {
    const what = kind === 'message' ? 'phone messages' : 'post';
    throw new AppError('FORBIDDEN', `You have not been given access to ${need === 'act' ? 'act on' : 'see'} ${what}`, {
      kind,
      need,
    });
  }

  return access;
};
