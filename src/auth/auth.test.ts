import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, cookiePair, freshAddress, signIn as signInOverHttp } from '../../test/support/http.ts';
import { createTestKernel, type TestKernel } from '../../test/support/kernel.ts';
import { ensureProviderAccount } from '../accounts/accounts.ts';
import { buildApp } from '../app.ts';
import { loadConfig } from '../kernel/config.ts';
import { PROVIDER_ACCOUNT_ID } from '../kernel/db/schema.ts';
import type { App } from '../kernel/http/types.ts';
import { createKernel } from '../kernel/kernel.ts';
import { createUser, signIn, totpCodeFor } from './auth.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { SESSION_COOKIE } from './sessions.ts';

const PASSWORD = 'a long and correct password';

/** Set-Cookie attributes of the session cookie, lower-cased names. */
const cookieAttributes = (setCookie: string | string[] | undefined) => {
  const header = [setCookie ?? ''].flat().find((c) => c.startsWith(`${SESSION_COOKIE}=`)) ?? '';
  const [, ...attributes] = header.split(';').map((part) => part.trim());

  return new Map(attributes.map((a) => [a.split('=')[0]?.toLowerCase() ?? '', a.split('=')[1] ?? '']));
};

describe('passwords', () => {
  it('AS-16: hashes with argon2id at m=19 MiB, t=2, p=1, salted, and verifies only the right password', async () => {
    const first = await hashPassword(PASSWORD);
    const second = await hashPassword(PASSWORD);

    expect(first).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(first).not.toBe(second);
    expect(await verifyPassword(first, PASSWORD)).toBe(true);
    expect(await verifyPassword(first, `${PASSWORD}!`)).toBe(false);
  });
});

describe(signIn.name, () => {
  let kernel: TestKernel;
  let app: App;

  beforeAll(async () => {
    kernel = await createTestKernel({ env: { COOKIE_SECURE: '1' } });
    await ensureProviderAccount(kernel, 'Provider');
    app = await buildApp(kernel);
  });
  afterAll(async () => {
    await app.close();
    await kernel.close();
  });

  /** A new staff user of its own, so lock-outs and TOTP in one test do not affect another. */
  const newStaff = async (role: 'admin' | 'receptionist' = 'receptionist') => {
    const email = `staff.${crypto.randomBytes(4).toString('hex')}@example.test`;
    const { userId } = await createUser(kernel, {
      accountId: PROVIDER_ACCOUNT_ID,
      role,
      name: 'Test Staff',
      email,
      password: PASSWORD,
    });

    return { userId, email, password: PASSWORD };
  };

  const attempt = (who: { email: string; password: string }, remoteAddress = freshAddress()) =>
    app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { email: who.email, password: who.password },
      remoteAddress,
    });

  const me = (cookie: string) => app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie } });

  const userRow = (userId: string) =>
    kernel.db.system((trx) => trx.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow());

  it('AS-16: stores only an argon2id hash of the password', async () => {
    const { userId } = await newStaff();
    const row = await userRow(userId);

    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.password_hash).not.toContain(PASSWORD);
  });

  it('answers 401 to a wrong password, the same as to an unknown e-mail, and audits the failure', async () => {
    const user = await newStaff();

    const wrong = await attempt({ email: user.email, password: 'not the password' });
    const unknown = await attempt({ email: 'nobody@example.test', password: 'not the password' });

    expect([wrong.statusCode, wrong.json()]).toEqual([
      401,
      { code: 'UNAUTHENTICATED', message: 'E-mail or password is not right', details: {} },
    ]);
    expect([unknown.statusCode, unknown.json()]).toEqual([wrong.statusCode, wrong.json()]);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const events = await kernel.db.system((trx) =>
      trx
        .selectFrom('audit_events')
        .select(['account_id', 'action', 'actor_id', 'entity_id', 'purpose'])
        .where('entity_id', '=', user.userId)
        .execute(),
    );
    expect(events).toContainEqual({
      account_id: PROVIDER_ACCOUNT_ID,
      action: 'auth.sign_in_failed',
      actor_id: user.userId,
      entity_id: user.userId,
      purpose: 'security',
    });
    expect((await userRow(user.userId)).failed_sign_ins).toBe(1);
  });

  it('locks the account after 5 failures, even against the right password, until the lock expires', async () => {
    const user = await newStaff();
    for (let i = 1; i <= 5; i += 1) {
      expect((await attempt({ email: user.email, password: `wrong ${i}` })).statusCode).toBe(401);
    }

    const locked = await attempt(user);
    expect([locked.statusCode, locked.json().code, locked.json().details]).toEqual([
      429,
      'RATE_LIMITED',
      { retryAfterSeconds: 15 * 60 },
    ]);

    kernel.clock.advance({ minutes: 14, seconds: 59 });
    expect((await attempt(user)).statusCode).toBe(429);

    kernel.clock.advance({ seconds: 2 });
    const after = await attempt(user);
    expect(after.statusCode).toBe(200);
    expect((await userRow(user.userId)).failed_sign_ins).toBe(0);
  });

  it('sets the session cookie HttpOnly, SameSite=Strict and Secure (COOKIE_SECURE on), for the session lifetime', async () => {
    const user = await newStaff();
    const res = await attempt(user);

    expect(res.statusCode).toBe(200);
    const attributes = cookieAttributes(res.headers['set-cookie']);
    expect(attributes.has('httponly')).toBe(true);
    expect(attributes.get('samesite')).toBe('Strict');
    expect(attributes.has('secure')).toBe(true);
    expect(attributes.get('path')).toBe('/');
    expect(attributes.get('max-age')).toBe(String(12 * 3600));
    expect(res.json().csrfToken).toEqual(expect.any(String));
  });

  it('leaves Secure off only when COOKIE_SECURE is off', async () => {
    const user = await newStaff();
    const plain = await createKernel(
      loadConfig({ DATA_DIR: kernel.dataDir, COOKIE_SECURE: '0', LOG_LEVEL: 'silent' }),
      {
        db: kernel.db,
        clock: kernel.clock,
        keyring: kernel.keyring,
        mailer: kernel.mailer,
      },
    );
    const plainApp = await buildApp(plain);
    try {
      const res = await plainApp.inject({
        method: 'POST',
        url: '/api/auth/sign-in',
        payload: { email: user.email, password: PASSWORD },
      });

      expect(res.statusCode).toBe(200);
      const attributes = cookieAttributes(res.headers['set-cookie']);
      expect(attributes.has('secure')).toBe(false);
      expect(attributes.has('httponly')).toBe(true);
    } finally {
      await plainApp.close();
      await plain.close();
    }
  });

  it('keeps only a hash of the session token in the database', async () => {
    const user = await newStaff();
    const session = await signInOverHttp(app, user);
    const token = session.cookie.split('=')[1] ?? '';
    const rows = await kernel.db.system((trx) =>
      trx.selectFrom('sessions').select('token_hash').where('user_id', '=', user.userId).execute(),
    );

    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_hash.equals(crypto.createHash('sha256').update(token).digest())).toBe(true);
    expect(rows[0]?.token_hash.includes(Buffer.from(token))).toBe(false);
  });

  it('signs out: the session is deleted and its cookie no longer works', async () => {
    const user = await newStaff();
    const session = await signInOverHttp(app, user);
    expect((await me(session.cookie)).statusCode).toBe(200);

    const out = await app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: as(session) });

    expect(out.statusCode).toBe(204);
    expect(cookieAttributes(out.headers['set-cookie']).get('expires')).toMatch(/1970/);
    expect((await me(session.cookie)).statusCode).toBe(401);
    expect(
      await kernel.db.system((trx) =>
        trx.selectFrom('sessions').select('user_id').where('user_id', '=', user.userId).execute(),
      ),
    ).toEqual([]);
  });

  it('refuses a session once SESSION_TTL_HOURS have passed', async () => {
    const user = await newStaff();
    const session = await signInOverHttp(app, user);
    kernel.clock.advance({ hours: 11, minutes: 59 });
    expect((await me(session.cookie)).statusCode).toBe(200);

    kernel.clock.advance({ minutes: 1 });
    const expired = await me(session.cookie);

    expect([expired.statusCode, expired.json().code]).toEqual([401, 'UNAUTHENTICATED']);
  });

  it('ends a disabled user’s sessions at once and refuses their sign-in', async () => {
    const user = await newStaff();
    const session = await signInOverHttp(app, user);
    await kernel.db.system((trx) =>
      trx.updateTable('users').set({ status: 'disabled' }).where('id', '=', user.userId).execute(),
    );

    expect((await me(session.cookie)).statusCode).toBe(401);
    expect((await attempt(user)).statusCode).toBe(401);
  });

  it('enrols TOTP, then asks for the code at sign-in, refuses a wrong code and signs in with the right one', async () => {
    const user = await newStaff('admin');
    const first = await signInOverHttp(app, user);
    const setup = await app.inject({ method: 'POST', url: '/api/auth/totp/setup', headers: as(first) });
    expect(setup.statusCode).toBe(200);
    const { secret, uri } = setup.json() as { secret: string; uri: string };
    expect(uri).toMatch(/^otpauth:\/\/totp\/Custodian:/);
    const codeNow = () => totpCodeFor(secret, kernel.clock.now());

    const badEnable = await app.inject({
      method: 'POST',
      url: '/api/auth/totp/enable',
      headers: as(first),
      payload: { code: wrongCode(secret) },
    });
    expect([badEnable.statusCode, badEnable.json().code]).toEqual([400, 'VALIDATION_FAILED']);
    const enabled = await app.inject({
      method: 'POST',
      url: '/api/auth/totp/enable',
      headers: as(first),
      payload: { code: codeNow() },
    });
    expect(enabled.statusCode).toBe(204);
    expect(
      await app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: as(first) }).then((r) => r.statusCode),
    ).toBe(204);

    const password = await attempt(user);
    expect([password.statusCode, password.json().code]).toEqual([403, 'MFA_REQUIRED']);
    const pending = cookiePair(password.headers['set-cookie']);
    expect(pending).toMatch(new RegExp(`^${SESSION_COOKIE}=.+`));
    expect((await me(pending)).statusCode).toBe(401);

    kernel.clock.advance({ minutes: 2 });
    const totp = (code: string) =>
      app.inject({
        method: 'POST',
        url: '/api/auth/totp',
        headers: { cookie: pending },
        payload: { code },
        remoteAddress: freshAddress(),
      });
    const refused = await totp(wrongCode(secret));
    expect([refused.statusCode, refused.json().code]).toEqual([401, 'UNAUTHENTICATED']);

    const accepted = await totp(codeNow());
    expect(accepted.statusCode).toBe(200);
    const signedIn = cookiePair(accepted.headers['set-cookie']);
    expect(signedIn).not.toBe(pending);
    expect((await me(signedIn)).json().user.id).toBe(user.userId);
    expect((await totp(codeNow())).statusCode).toBe(401);

    const actions = await kernel.db.system((trx) =>
      trx.selectFrom('audit_events').select('action').where('entity_id', '=', user.userId).orderBy('seq').execute(),
    );
    expect(actions.map((a) => a.action)).toEqual([
      'user.create',
      'auth.sign_in',
      'auth.totp_enabled',
      'auth.sign_out',
      'auth.password_ok',
      'auth.sign_in',
    ]);

    /** A six-digit code that is none of those valid around the kernel's current time. */
    function wrongCode(base32: string) {
      const now = kernel.clock.now().getTime();
      const valid = new Set([-30_000, 0, 30_000].map((offset) => totpCodeFor(base32, new Date(now + offset))));
      let code = 0;
      while (valid.has(String(code).padStart(6, '0'))) code += 1;

      return String(code).padStart(6, '0');
    }
  });

  it('rate-limits sign-in to 10 a minute from one address, without affecting other addresses', async () => {
    const address = freshAddress();
    const nobody = { email: 'nobody@example.test', password: 'whatever it is' };
    const statuses: number[] = [];
    for (let i = 0; i < 11; i += 1) statuses.push((await attempt(nobody, address)).statusCode);

    expect(statuses).toEqual([...Array(10).fill(401), 429]);
    const limited = await attempt(nobody, address);
    expect([limited.statusCode, limited.json().code]).toEqual([429, 'RATE_LIMITED']);
    expect((await attempt(nobody, freshAddress())).statusCode).toBe(401);
  });
});
