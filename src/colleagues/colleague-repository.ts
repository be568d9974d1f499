/**
 * @module SQL for colleagues: their per-kind access (AS-2) and invitations. Reads run in the tenant scope; creating
 * the invited user's sign-in runs in the system scope (users sit outside row-level security).
 */
import type { Trx } from '../kernel/db/database.ts';
import type { AccessLevel } from '../kernel/db/schema.ts';

export const findAccessRow = (trx: Trx, accountId: string, userId: string) =>
  trx
    .selectFrom('colleague_access')
    .select(['messages', 'post'])
    .where('account_id', '=', accountId)
    .where('user_id', '=', userId)
    .executeTakeFirst();

export const upsertAccess = (
  trx: Trx,
  row: { accountId: string; userId: string; messages: AccessLevel; post: AccessLevel; at: Date },
) =>
  trx
    .insertInto('colleague_access')
    .values({
      account_id: row.accountId,
      user_id: row.userId,
      messages: row.messages,
      post: row.post,
      updated_at: row.at,
    })
    .onConflict((oc) =>
      oc.columns(['account_id', 'user_id']).doUpdateSet({ messages: row.messages, post: row.post, updated_at: row.at }),
    )
    .execute();

export const listAccountUsers = (trx: Trx, accountId: string) =>
  trx
    .selectFrom('users')
    .innerJoin('subjects', 'subjects.id', 'users.subject_id')
    .leftJoin('colleague_access', (join) =>
      join
        .onRef('colleague_access.user_id', '=', 'users.id')
        .onRef('colleague_access.account_id', '=', 'users.account_id'),
    )
    .select([
      'users.id',
      'users.role',
      'users.status',
      'users.created_at',
      'subjects.name',
      'subjects.email',
      'colleague_access.messages',
      'colleague_access.post',
    ])
    .where('users.account_id', '=', accountId)
    .orderBy('users.created_at')
    .execute();

export const findAccountUser = (trx: Trx, accountId: string, userId: string) =>
  trx
    .selectFrom('users')
    .select(['id', 'role', 'status', 'subject_id'])
    .where('account_id', '=', accountId)
    .where('id', '=', userId)
    .executeTakeFirst();

export const insertInvitation = (
  trx: Trx,
  row: {
    id: string;
    accountId: string;
    subjectId: string;
    tokenHash: Buffer;
    messages: AccessLevel;
    post: AccessLevel;
    invitedBy: string;
    expiresAt: Date;
    at: Date;
  },
) =>
  trx
    .insertInto('colleague_invitations')
    .values({
      id: row.id,
      account_id: row.accountId,
      subject_id: row.subjectId,
      token_hash: row.tokenHash,
      messages: row.messages,
      post: row.post,
      invited_by: row.invitedBy,
      expires_at: row.expiresAt,
      accepted_at: null,
      created_at: row.at,
    })
    .execute();

export const listOpenInvitations = (trx: Trx, accountId: string, now: Date) =>
  trx
    .selectFrom('colleague_invitations')
    .innerJoin('subjects', 'subjects.id', 'colleague_invitations.subject_id')
    .select([
      'colleague_invitations.id',
      'colleague_invitations.messages',
      'colleague_invitations.post',
      'colleague_invitations.expires_at',
      'subjects.name',
      'subjects.email',
    ])
    .where('colleague_invitations.account_id', '=', accountId)
    .where('colleague_invitations.accepted_at', 'is', null)
    .where('colleague_invitations.expires_at', '>', now)
    .orderBy('colleague_invitations.created_at')
    .execute();

/** System scope: the invitee has no session yet, so the account is learnt from the invitation itself. */
export const findInvitationByToken = (trx: Trx, tokenHash: Buffer) =>
  trx
    .selectFrom('colleague_invitations')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .forUpdate()
    .executeTakeFirst();

export const markInvitationAccepted = (trx: Trx, id: string, at: Date) =>
  trx.updateTable('colleague_invitations').set({ accepted_at: at }).where('id', '=', id).execute();
