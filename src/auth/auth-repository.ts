/**
 * @module SQL for users and sessions. These tables are read before any tenant is known (sign-in, session
 * look-up), so they live outside row-level security and are reached only through the system scope.
 */
import type { Trx } from '../kernel/db/database.ts';
import type { Role } from '../kernel/db/schema.ts';

export const findUserByLogin = (trx: Trx, loginBidx: Buffer) =>
  trx.selectFrom('users').selectAll().where('login_bidx', '=', loginBidx).executeTakeFirst();

export const findUserById = (trx: Trx, userId: string) =>
  trx.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();

export const insertUser = (
  trx: Trx,
  user: { accountId: string; subjectId: string; role: Role; loginBidx: Buffer; passwordHash: string; createdAt: Date },
) =>
  trx
    .insertInto('users')
    .values({
      account_id: user.accountId,
      subject_id: user.subjectId,
      role: user.role,
      login_bidx: user.loginBidx,
      password_hash: user.passwordHash,
      created_at: user.createdAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();

export const recordFailedSignIn = (trx: Trx, userId: string, lockUntil: Date | null) =>
  trx
    .updateTable('users')
    .set((eb) => ({ failed_sign_ins: eb('failed_sign_ins', '+', 1), locked_until: lockUntil }))
    .where('id', '=', userId)
    .returning('failed_sign_ins')
    .executeTakeFirstOrThrow();

export const clearFailedSignIns = (trx: Trx, userId: string) =>
  trx.updateTable('users').set({ failed_sign_ins: 0, locked_until: null }).where('id', '=', userId).execute();

export const insertSession = (
  trx: Trx,
  session: {
    tokenHash: Buffer;
    userId: string;
    csrfToken: string;
    mfaPending: boolean;
    createdAt: Date;
    expiresAt: Date;
  },
) =>
  trx
    .insertInto('sessions')
    .values({
      token_hash: session.tokenHash,
      user_id: session.userId,
      csrf_token: session.csrfToken,
      mfa_pending: session.mfaPending,
      created_at: session.createdAt,
      expires_at: session.expiresAt,
    })
    .execute();

/** What every look-up of a session needs: the session, its user and the user's account. */
const SESSION_COLUMNS = [
  'sessions.token_hash',
  'sessions.csrf_token',
  'sessions.mfa_pending',
  'sessions.expires_at',
  'users.id as user_id',
  'users.role',
  'users.status',
  'users.subject_id',
  'users.account_id',
  'accounts.name as account_name',
  'accounts.kind as account_kind',
] as const;

export const findSession = (trx: Trx, tokenHash: Buffer) =>
  trx
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .innerJoin('accounts', 'accounts.id', 'users.account_id')
    .select([...SESSION_COLUMNS, 'users.totp_secret'])
    .where('sessions.token_hash', '=', tokenHash)
    .executeTakeFirst();

/**
 * Sessions with everything a request needs about their users in one statement: role, status, account, and the
 * sealed display name (so resolving sessions costs one round trip, read afresh on every request). Several requests'
 * sessions can be read together: each row carries its token hash.
 */
export const findSessionUsers = (trx: Trx, tokenHashes: readonly Buffer[]) =>
  trx
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .innerJoin('accounts', 'accounts.id', 'users.account_id')
    .leftJoin('subjects', 'subjects.id', 'users.subject_id')
    .select([...SESSION_COLUMNS, 'subjects.name as sealed_name'])
    .where((eb) => eb('sessions.token_hash', '=', eb.fn.any(eb.val([...tokenHashes]))))
    .execute();

export type SessionUser = Awaited<ReturnType<typeof findSessionUsers>>[number];

export const deleteSession = (trx: Trx, tokenHash: Buffer) =>
  trx.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();

export const setTotpSecret = (trx: Trx, userId: string, secret: Buffer | null, enabledAt: Date | null) =>
  trx.updateTable('users').set({ totp_secret: secret, totp_enabled_at: enabledAt }).where('id', '=', userId).execute();

export const deleteExpiredSessions = (trx: Trx, now: Date) =>
  trx.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
