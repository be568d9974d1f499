import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS } from '../../src/kernel/http/access.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** Every API route (under /api/, as listed in the access table, which access.test.ts proves equal to the app's). */
const API_ROUTES = Object.keys(ACCESS).filter(
  (key) => key.split(' ')[1]?.startsWith('/api/') && key !== 'GET /api/openapi.json',
);

describe('errors and the HTTP edge', () => {
  let server: TestServer;
  let headers: Record<string, string>;
  let notesUrl: string;

  beforeAll(async () => {
    server = await startTestServer({ cookieSecure: false });
    const res = await fetch(`${server.url}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(server.seed.staff),
    });
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    headers = {
      cookie,
      'x-csrf-token': ((await res.json()) as { csrfToken: string }).csrfToken,
      'content-type': 'application/json',
    };
    notesUrl = `${server.url}/api/accounts/${server.seed.accountId}/contact-notes`;
  });
  afterAll(async () => server.close());

  const rowCounts = () =>
    server.kernel.db.system(async (trx) => {
      const count = async (table: string) =>
        Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(trx)).rows[0]?.n);

      return {
        subjects: await count('subjects'),
        subject_keys: await count('subject_keys'),
        contact_notes: await count('contact_notes'),
        audit_events: await count('audit_events'),
      };
    });

  it('answers malformed JSON with 400 BAD_REQUEST', async () => {
    const res = await fetch(`${server.url}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email": "a@b.test",',
    });

    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({
      code: 'BAD_REQUEST',
      message: 'The request body could not be read',
      details: {},
    });
  });

  it('answers a body of an unsupported content type with 415 and says to send JSON', async () => {
    const form = await fetch(`${server.url}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=a%40b.test&password=x',
    });

    expect(form.status).toBe(415);
    expect(await form.json()).toEqual({
      code: 'BAD_REQUEST',
      message: 'Send the body as application/json',
      details: {},
    });
  });

  it('refuses a text/plain body where a JSON object is expected', async () => {
    const text = await fetch(`${server.url}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{"email":"a@b.test"}',
    });

    expect(text.status).toBe(400);
    expect((await text.json()).code).toBe('VALIDATION_FAILED');
  });

  it('answers a body over 1 MiB with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await fetch(`${server.url}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@b.test', password: 'x'.repeat(1_100_000) }),
    });

    expect(res.status).toBe(413);
    expect((await res.json()).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers a schema-invalid body with 400 VALIDATION_FAILED naming each bad field', async () => {
    const res = await fetch(notesUrl, {
      method: 'POST',
      headers,
      body: JSON.stringify({ person: { name: 'Valid Name', email: 'not-an-e-mail' }, body: '' }),
    });

    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body).toEqual({
      code: 'VALIDATION_FAILED',
      message: expect.any(String),
      details: { fields: expect.any(Object) },
    });
    expect(Object.keys(body.details.fields).sort()).toEqual(['body.body', 'body.person.email']);
  });

  it('refuses a NUL character in a body or a query with 400 VALIDATION_FAILED naming the field, writing nothing', async () => {
    const before = await rowCounts();
    const res = await fetch(notesUrl, {
      method: 'POST',
      headers,
      body: JSON.stringify({ person: { name: 'Nul\u0000Person', email: 'nul@example.test' }, body: 'Called' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { fields: { 'body.person.name': 'must not contain a NUL character' } },
    });
    const query = await fetch(`${server.url}/api/accounts/${server.seed.accountId}/subjects?email=a%00b%40c.test`, {
      headers,
    });
    expect(query.status).toBe(400);
    expect((await query.json()).details.fields).toEqual({ 'query.email': 'must not contain a NUL character' });
    expect(await rowCounts()).toEqual(before);
  });

  it('answers a bad path parameter with 400 VALIDATION_FAILED naming it', async () => {
    const res = await fetch(`${server.url}/api/accounts/not-a-uuid/subjects?email=a%40b.test`, { headers });

    expect(res.status).toBe(400);
    expect(Object.keys((await res.json()).details.fields)).toEqual(['params.accountId']);
  });

  it('changes nothing on bad input: a note with neither e-mail nor phone is refused and no row or audit event appears', async () => {
    const before = await rowCounts();

    const res = await fetch(notesUrl, {
      method: 'POST',
      headers,
      body: JSON.stringify({ person: { name: 'Unreachable Person' }, body: 'Called' }),
    });

    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.details.fields).toEqual({
      'body.person': 'give an e-mail or a phone number, so the person can be reached',
    });
    expect(await rowCounts()).toEqual(before);
    expect(
      (await server.kernel.db.system((trx) => trx.selectFrom('audit_heads').select('seq').execute())).length,
    ).toBeGreaterThan(0);
  });

  it('answers an unknown /api route with 404 JSON, for any method', async () => {
    for (const [method, path] of [
      ['GET', '/api/no-such-thing'],
      ['POST', '/api/accounts/nope'],
      ['DELETE', '/api/auth/me'],
    ] as const) {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { cookie: headers.cookie ?? '', 'x-csrf-token': headers['x-csrf-token'] ?? '' },
      });
      expect([method, path, res.status, res.headers.get('content-type')?.split(';')[0]]).toEqual([
        method,
        path,
        404,
        'application/json',
      ]);
      expect(await res.json()).toEqual({ code: 'NOT_FOUND', message: 'No such route', details: {} });
    }
  });

  it('answers an unexpected failure with 500 INTERNAL and no stack, SQL or table name', async () => {
    await server.kernel.db.system((trx) => sql`alter table contact_notes rename to contact_notes_moved`.execute(trx));
    let res: Response;
    let text: string;
    try {
      res = await fetch(notesUrl, {
        method: 'POST',
        headers,
        body: JSON.stringify({ person: { name: 'Failing Person', phone: '020 7946 0123' }, body: 'Will fail' }),
      });
      text = await res.text();
    } finally {
      await server.kernel.db.system((trx) => sql`alter table contact_notes_moved rename to contact_notes`.execute(trx));
    }

    expect(res.status).toBe(500);
    expect(JSON.parse(text)).toEqual({ code: 'INTERNAL', message: 'Something went wrong on our side', details: {} });
    for (const leak of ['contact_notes', 'relation', 'insert', 'select', '.ts:', 'at ', 'Failing Person', '7946']) {
      expect(text.toLowerCase()).not.toContain(leak.toLowerCase());
    }
  });

  it('answers GET /healthz with 200 JSON naming the database', async () => {
    const res = await fetch(`${server.url}/healthz`);

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', database: server.kernel.db.kind });
  });

  it('sends security headers on API answers', async () => {
    const res = await fetch(`${server.url}/healthz`);

    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });

  it('serves an OpenAPI 3.x document describing every /api route of the app', async () => {
    const res = await fetch(`${server.url}/api/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };

    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const expected = API_ROUTES.map((key) => key.replace(/:(\w+)/g, '{$1}'));
    expect(expected.length).toBeGreaterThan(10);
    expect(documented.filter((key) => key.split(' ')[1]?.startsWith('/api/')).sort()).toEqual(expected.sort());
    expect(doc.paths['/api/accounts/{accountId}/contact-notes']?.post).toMatchObject({
      requestBody: expect.any(Object),
    });
  });
});
