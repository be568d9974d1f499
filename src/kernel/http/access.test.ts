import crypto from 'node:crypto';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { as, freshAddress, type Session, signIn } from '../../../test/support/http.ts';
import { startTestServer, type TestServer } from '../../../test/support/server.ts';
import { ACCESS, routeKey } from './access.ts';
import { buildServer } from './server.ts';

/** Every route any Fastify instance in this file registers, seen through an onRoute hook added at creation. */
const registered = vi.hoisted(() => new Set<string>());

vi.mock('fastify', async (importOriginal) => {
  const actual = await importOriginal<typeof import('fastify')>();
  const withRouteLog = ((options: Parameters<typeof actual.default>[0]) => {
    const app = actual.default(options);
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) if (method !== 'HEAD') registered.add(routeKey(method, route.url));
    });

    return app;
  }) as typeof actual.default;

  return { ...actual, default: withRouteLog };
});

const ROUTES = Object.keys(ACCESS);
const PUBLIC = ROUTES.filter((key) => ACCESS[key] === 'public');
const GUARDED = ROUTES.filter((key) => ACCESS[key] !== 'public');

describe('ACCESS', () => {
  let server: TestServer;
  beforeAll(async () => {
    registered.clear();
    server = await startTestServer();
  });
  afterAll(async () => server.close());

  /** A new session for the first demo user with this role. */
  const session = (role: string) => {
    const user = server.seed.users.find((u) => u.role === role);
    if (!user) throw new Error(`no demo user with role ${role}`);

    return signIn(server.app, user);
  };

  /** A well-formed request for a route, so that only access decides whether it is refused. */
  const requestFor = (key: string) => {
    const [method = 'GET', url = '/'] = key.split(' ');
    const path = url.replace(':accountId', server.seed.accountId).replace(':subjectId', crypto.randomUUID());
    const payloads: Record<string, unknown> = {
      'POST /api/accounts/:accountId/contact-notes': {
        person: { name: 'Matrix Person', email: 'matrix@example.test' },
        body: 'Access matrix',
      },
      'POST /api/accounts/:accountId/subjects/:subjectId/erase': { confirm: 'ERASE' },
      'POST /api/auth/totp/enable': { code: '000000' },
    };

    return {
      method: method as 'GET' | 'POST',
      url: key === 'GET /api/accounts/:accountId/subjects' ? `${path}?email=matrix%40example.test` : path,
      ...(key in payloads ? { payload: payloads[key] as object } : {}),
    };
  };

  const countNotes = () =>
    server.kernel.db.system(async (trx) =>
      Number(
        (
          await trx
            .selectFrom('contact_notes')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    );

  it('lists exactly the routes the app registers', () => {
    expect([...registered].sort()).toEqual([...ROUTES].sort());
    for (const key of ROUTES) {
      const [method = '', url = ''] = key.split(' ');
      expect(server.app.hasRoute({ method: method as 'GET', url }), key).toBe(true);
    }
  });

  it('makes building a server with a route missing from the table fail, naming the route', async () => {
    const build = buildServer({
      logLevel: 'silent',
      cookieSecure: false,
      sessionCookie: 'session',
      resolveSession: async () => null,
      webRoot: os.tmpdir(),
      healthcheck: async () => ({}),
      routes: (app) => {
        app.get('/api/not-in-the-table', async () => ({ leaked: true }));
      },
    });

    await expect(build).rejects.toThrow('Routes missing from the access table: GET /api/not-in-the-table');
  });

  it('VO-12: refuses each role every route outside its list with 403, and lets it reach the routes on its list', async () => {
    const outcomes: string[] = [];
    const expected: string[] = [];
    const sessions = new Map<string, Session>();
    for (const { role } of server.seed.users) if (!sessions.has(role)) sessions.set(role, await session(role));
    // Sign-out last: it ends the session the other requests use.
    const order = [...GUARDED].sort(
      (a, b) => Number(a === 'POST /api/auth/sign-out') - Number(b === 'POST /api/auth/sign-out'),
    );
    for (const [role, s] of sessions) {
      for (const key of order) {
        const access = ACCESS[key];
        const allowed = access === 'signed-in' || (Array.isArray(access) && access.includes(role));
        const res = await server.app.inject({ ...requestFor(key), headers: as(s) });
        const refused = res.statusCode === 401 || res.statusCode === 403;
        outcomes.push(`${role} ${key}: ${refused ? res.statusCode : 'reached'}`);
        expected.push(`${role} ${key}: ${allowed ? 'reached' : 403}`);
      }
    }

    expect([...sessions.keys()].sort()).toEqual([
      'admin',
      'colleague',
      'mailroom',
      'owner',
      'privacy_officer',
      'receptionist',
    ]);
    expect(outcomes).toEqual(expected);
  });

  it('VO-12: refuses a client owner on staff routes', async () => {
    const owner = await session('owner');
    for (const key of [
      'GET /api/accounts',
      'POST /api/accounts/:accountId/contact-notes',
      'GET /api/accounts/:accountId/subjects/:subjectId',
    ]) {
      const res = await server.app.inject({ ...requestFor(key), headers: as(owner) });
      expect({ key, status: res.statusCode, code: res.json().code }).toEqual({ key, status: 403, code: 'FORBIDDEN' });
    }
  });

  it('VO-12: refuses a receptionist export and erasure, and the person stays', async () => {
    const receptionist = await session('receptionist');
    const subject = await server.kernel.db.system((trx) =>
      trx
        .selectFrom('subjects')
        .select('id')
        .where('account_id', '=', server.seed.accountId)
        .where('kind', '=', 'contact')
        .executeTakeFirstOrThrow(),
    );
    const base = `/api/accounts/${server.seed.accountId}/subjects/${subject.id}`;

    const exported = await server.app.inject({ method: 'GET', url: `${base}/export`, headers: as(receptionist) });
    const erased = await server.app.inject({
      method: 'POST',
      url: `${base}/erase`,
      headers: as(receptionist),
      payload: { confirm: 'ERASE' },
    });

    expect([exported.statusCode, exported.json().code]).toEqual([403, 'FORBIDDEN']);
    expect([erased.statusCode, erased.json().code]).toEqual([403, 'FORBIDDEN']);
    expect(
      await server.kernel.db.system((trx) =>
        trx.selectFrom('subject_keys').select('subject_id').where('subject_id', '=', subject.id).execute(),
      ),
    ).toHaveLength(1);
  });

  it('answers 401 on every guarded route without a session, or with an unknown one', async () => {
    for (const key of GUARDED) {
      for (const headers of [{}, { cookie: 'custodian_session=not-a-real-token' }]) {
        const res = await server.app.inject({ ...requestFor(key), headers });
        expect({ key, status: res.statusCode, code: res.json().code }).toEqual({
          key,
          status: 401,
          code: 'UNAUTHENTICATED',
        });
      }
    }
  });

  it('lets anyone reach the public routes', async () => {
    for (const key of PUBLIC) {
      const res = await server.app.inject({ ...requestFor(key), remoteAddress: freshAddress() });
      expect([key, res.statusCode === 401 || res.statusCode === 403]).toEqual([key, false]);
    }
  });

  it('refuses a POST without the x-csrf-token header, or with a wrong one, and records nothing', async () => {
    const staff = await session('privacy_officer');
    const before = await countNotes();
    const note = requestFor('POST /api/accounts/:accountId/contact-notes');

    const missing = await server.app.inject({ ...note, headers: as(staff, { csrf: false }) });
    const wrong = await server.app.inject({
      ...note,
      headers: {
        ...as(staff, { csrf: false }),
        'x-csrf-token': staff.csrf.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
      },
    });

    expect([missing.statusCode, missing.json()]).toEqual([
      403,
      { code: 'FORBIDDEN', message: expect.stringContaining('CSRF'), details: { csrf: true } },
    ]);
    expect([wrong.statusCode, wrong.json().code]).toEqual([403, 'FORBIDDEN']);
    expect(await countNotes()).toBe(before);
    const accepted = await server.app.inject({ ...note, headers: as(staff) });
    expect(accepted.statusCode).toBe(201);
  });

  it('decides access before validating the request: no schema feedback to those who may not call the route', async () => {
    const owner = await session('owner');
    const invalid = { person: { name: '' }, body: '' };

    const asOwner = await server.app.inject({
      method: 'POST',
      url: `/api/accounts/${server.seed.accountId}/contact-notes`,
      headers: as(owner),
      payload: invalid,
    });
    const anonymous = await server.app.inject({
      method: 'POST',
      url: `/api/accounts/not-a-uuid/subjects/x/erase`,
      payload: {},
    });

    expect([asOwner.statusCode, asOwner.json().code]).toEqual([403, 'FORBIDDEN']);
    expect([anonymous.statusCode, anonymous.json().code]).toEqual([401, 'UNAUTHENTICATED']);
  });
});
