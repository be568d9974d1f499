/**
 * @module Sign-in, second factor, sign-out and user creation.
 *
 * @example
 * const result = await signIn(kernel, { email, password })
 * if (result.mfaRequired) await completeTotp(kernel, { token: result.token, code })
 */
import crypto from 'node:crypto';
import * as OTPAuth from 'otpauth';
import { type Actor, recordAudit, SYSTEM_ACTOR } from '../kernel/audit/audit.ts';
import { type Batcher, createBatcher } from '../kernel/batch.ts';
import { PROVIDER_ACCOUNT_ID, type Role } from '../kernel/db/schema.ts';
import { AppError } from '../kernel/errors.ts';
import { STAFF_ROLES } from '../kernel/http/access.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { createSubject } from '../subjects/subjects.ts';
import {
  clearFailedSignIns,
  deleteExpiredSessions,
  deleteSession,
  findSession,
  findSessionUsers,
  findUserById,
  findUserByLogin,
  insertSession,
  insertUser,
  recordFailedSignIn,
  type SessionUser as SessionRow,
  setTotpSecret,
} from './auth-repository.ts';
import { burnPasswordCheck, hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.ts';
import { hashToken, newToken } from './sessions.ts';

type Deps = Pick<Kernel, 'db' | 'vault' | 'clock' | 'policy' | 'config'>;

const MAX_FAILURES = 5;
const LOCK_MINUTES = 15;

export type SessionUser = {
  id: string;
  role: Role;
  kind: 'staff' | 'client';
  accountId: string;
  accountName: string;
  displayName: string;
};

export type AuthContext = SessionUser & { csrfToken: string; tokenHash: Buffer; subjectId: string };

export type SignInResult = { token: string; csrfToken: string; mfaRequired: boolean };

export const signIn = async (deps: Deps, input: { email: string; password: string }): Promise<SignInResult> => {
  const loginBidx = deps.vault.blindIndex('email', 'login', input.email);
  const user = await deps.db.system((trx) => findUserByLogin(trx, loginBidx));
  if (user?.status !== 'active') {
    await burnPasswordCheck(input.password);
    throw new AppError('UNAUTHENTICATED', 'E-mail or password is not right');
  }
  const now = deps.clock.now();
  if (user.locked_until && user.locked_until > now) {
    throw new AppError('RATE_LIMITED', 'Too many failed attempts: try again in a few minutes', {
      retryAfterSeconds: Math.ceil((user.locked_until.getTime() - now.getTime()) / 1000),
    });
  }
  if (!(await verifyPassword(user.password_hash, input.password))) {
    await deps.db.system(async (trx) => {
      const failures = (await recordFailedSignIn(trx, user.id, null)).failed_sign_ins;
      if (failures >= MAX_FAILURES) {
        await recordFailedSignIn(trx, user.id, new Date(now.getTime() + LOCK_MINUTES * 60_000));
      }
      await recordAudit(trx, deps.clock, {
        accountId: user.account_id,
        actor: { id: user.id, role: user.role },
        action: 'auth.sign_in_failed',
        entity: 'user',
        entityId: user.id,
        purpose: 'security',
      });
    });
    throw new AppError('UNAUTHENTICATED', 'E-mail or password is not right');
  }
  const token = newToken();
  const csrfToken = newToken();
  const mfaRequired = user.totp_enabled_at !== null;
  await deps.db.system(async (trx) => {
    await clearFailedSignIns(trx, user.id);
    await insertSession(trx, {
      tokenHash: hashToken(token),
      userId: user.id,
      csrfToken,
      mfaPending: mfaRequired,
      createdAt: now,
      expiresAt: new Date(now.getTime() + deps.config.sessionTtlHours * 3_600_000),
    });
    await recordAudit(trx, deps.clock, {
      accountId: user.account_id,
      actor: { id: user.id, role: user.role },
      action: mfaRequired ? 'auth.password_ok' : 'auth.sign_in',
      entity: 'user',
      entityId: user.id,
      purpose: 'security',
    });
  });

  return { token, csrfToken, mfaRequired };
};

/** Completes a password-verified session with a TOTP code; the session token is rotated. */
export const completeTotp = async (deps: Deps, input: { token: string; code: string }): Promise<SignInResult> => {
  const token = newToken();
  const csrfToken = newToken();
  const now = deps.clock.now();
  await deps.db.system(async (trx) => {
    const session = await findSession(trx, hashToken(input.token));
    if (!session?.mfa_pending || session.expires_at <= now) {
      throw new AppError('UNAUTHENTICATED', 'Sign in again');
    }
    const secret = session.totp_secret ? await deps.vault.open(trx, session.totp_secret, 'users.totp_secret') : null;
    if (!secret || !totpMatches(secret, input.code, now)) {
      throw new AppError('UNAUTHENTICATED', 'That code is not right', { fields: { code: 'does not match' } });
    }
    await deleteSession(trx, session.token_hash);
    await insertSession(trx, {
      tokenHash: hashToken(token),
      userId: session.user_id,
      csrfToken,
      mfaPending: false,
      createdAt: now,
      expiresAt: new Date(now.getTime() + deps.config.sessionTtlHours * 3_600_000),
    });
    await recordAudit(trx, deps.clock, {
      accountId: session.account_id,
      actor: { id: session.user_id, role: session.role },
      action: 'auth.sign_in',
      entity: 'user',
      entityId: session.user_id,
      purpose: 'security',
      details: { mfa: 'totp' },
    });
  });

  return { token, csrfToken, mfaRequired: false };
};

/** One per kernel: the sessions of requests that arrive together are read together (see `resolveSession`). */
const sessionReaders = new WeakMap<Deps, Batcher<Buffer, SessionRow | null>>();

const sessionReader = (deps: Deps) => {
  let read = sessionReaders.get(deps);
  if (!read) {
    read = createBatcher(async (_key, hashes) => {
      const rows = await deps.db.systemRead((trx) => findSessionUsers(trx, hashes));
      const byHash = new Map(rows.map((row) => [row.token_hash.toString('hex'), row]));

      return hashes.map((hash) => ({ ok: true as const, value: byHash.get(hash.toString('hex')) ?? null }));
    });
    sessionReaders.set(deps, read);
  }

  return read;
};

/**
 * The signed-in user behind a session token, or null (unknown, expired, disabled, or second factor pending). Read
 * afresh on every request, never cached, so a revoked session or a disabled user stops at the next request: the read
 * starts after the request arrived. Requests that arrive while another's session is being read are read together
 * in the next statement (one round trip for many under load); the display name is opened with the user's data key,
 * cached by the vault.
 */
export const resolveSession = async (deps: Deps, token: string): Promise<AuthContext | null> => {
  const tokenHash = hashToken(token);
  const session = await sessionReader(deps)('sessions', tokenHash);
  if (!session || session.mfa_pending || session.status !== 'active' || session.expires_at <= deps.clock.now())
    return null;
  const displayName = session.sealed_name
    ? await deps.db.systemRead((trx) => deps.vault.open(trx, session.sealed_name as Buffer, 'subjects.name'))
    : null;

  return {
    id: session.user_id,
    role: session.role,
    kind: session.account_kind === 'provider' ? 'staff' : 'client',
    accountId: session.account_id,
    accountName: session.account_name,
    displayName: displayName ?? '',
    csrfToken: session.csrf_token,
    tokenHash,
    subjectId: session.subject_id,
  };
};

export const signOut = async (deps: Deps, auth: AuthContext) => {
  await deps.db.system(async (trx) => {
    await deleteSession(trx, auth.tokenHash);
    await recordAudit(trx, deps.clock, {
      accountId: auth.accountId,
      actor: { id: auth.id, role: auth.role },
      action: 'auth.sign_out',
      entity: 'user',
      entityId: auth.id,
      purpose: 'security',
    });
  });
};

export type NewUser = { accountId: string; role: Role; name: string; email: string; password: string; actor?: Actor };

/** Creates a person and their sign-in. Staff belong to the provider account; client users to their business. */
export const createUser = async (deps: Deps, input: NewUser): Promise<{ userId: string; subjectId: string }> => {
  const isStaffRole = (STAFF_ROLES as readonly string[]).includes(input.role);
  if (isStaffRole !== (input.accountId === PROVIDER_ACCOUNT_ID)) {
    throw new AppError(
      'VALIDATION_FAILED',
      'Staff roles belong to the provider; owner and colleague to a client account',
      {
        fields: { role: 'does not fit this account' },
      },
    );
  }
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError('VALIDATION_FAILED', `The password needs at least ${MIN_PASSWORD_LENGTH} characters`, {
      fields: { password: `at least ${MIN_PASSWORD_LENGTH} characters` },
    });
  }
  const loginBidx = deps.vault.blindIndex('email', 'login', input.email);
  const passwordHash = await hashPassword(input.password);
  const actor = input.actor ?? SYSTEM_ACTOR;

  // Users sit outside row-level security (sign-in precedes any tenant), so provisioning runs in the system scope.
  return deps.db.system(async (trx) => {
    const taken = await findUserByLogin(trx, loginBidx);
    if (taken) throw new AppError('CONFLICT', 'A user with this e-mail already exists', { fields: { email: 'taken' } });
    const subjectId = await createSubject(deps, trx, {
      accountId: input.accountId,
      kind: isStaffRole ? 'staff' : 'client_user',
      name: input.name,
      email: input.email,
      source: actor.id ? 'created by an administrator' : 'created from the command line',
      actor,
      purpose: 'account_administration',
    });
    const { id } = await insertUser(trx, {
      accountId: input.accountId,
      subjectId,
      role: input.role,
      loginBidx,
      passwordHash,
      createdAt: deps.clock.now(),
    });
    await recordAudit(trx, deps.clock, {
      accountId: input.accountId,
      actor,
      action: 'user.create',
      entity: 'user',
      entityId: id,
      subjectId,
      fields: ['password'],
      purpose: 'account_administration',
      details: { role: input.role },
    });

    return { userId: id, subjectId };
  });
};

/** Starts TOTP enrolment: the secret is sealed under the user's own key and only switched on by `enableTotp`. */
export const setupTotp = async (deps: Deps, auth: AuthContext) => {
  const secret = new OTPAuth.Secret({ size: 20 });
  await deps.db.system(async (trx) => {
    const sealed = await deps.vault.seal(trx, auth.subjectId, 'users.totp_secret', secret.base32);
    await setTotpSecret(trx, auth.id, sealed, null);
  });
  const uri = new OTPAuth.TOTP({ issuer: 'Custodian', label: auth.displayName || 'staff', secret }).toString();

  return { secret: secret.base32, uri };
};

export const enableTotp = async (deps: Deps, auth: AuthContext, code: string) => {
  await deps.db.system(async (trx) => {
    const user = await findUserById(trx, auth.id);
    if (!user?.totp_secret) throw new AppError('CONFLICT', 'Start the set-up first');
    const secret = await deps.vault.open(trx, user.totp_secret, 'users.totp_secret');
    if (!secret || !totpMatches(secret, code, deps.clock.now())) {
      throw new AppError('VALIDATION_FAILED', 'That code is not right', { fields: { code: 'does not match' } });
    }
    await setTotpSecret(trx, auth.id, user.totp_secret, deps.clock.now());
    await recordAudit(trx, deps.clock, {
      accountId: auth.accountId,
      actor: { id: auth.id, role: auth.role },
      action: 'auth.totp_enabled',
      entity: 'user',
      entityId: auth.id,
      purpose: 'security',
    });
  });
};

const totpMatches = (base32: string, code: string, now: Date) =>
  new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(base32) }).validate({
    token: code,
    timestamp: now.getTime(),
    window: 1,
  }) !== null;

export const totpCodeFor = (base32: string, at: Date) =>
  new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(base32) }).generate({ timestamp: at.getTime() });

/** Job handler; idempotent (deleting what is already gone deletes nothing). */
export const purgeExpiredSessions = async (deps: Pick<Kernel, 'db' | 'clock'>) =>
  Number((await deps.db.system((trx) => deleteExpiredSessions(trx, deps.clock.now()))).numDeletedRows);

export const randomPassword = () => crypto.randomBytes(12).toString('base64url');
