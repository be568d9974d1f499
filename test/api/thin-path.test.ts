import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('thin path over HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ cookieSecure: false });
  });
  afterAll(async () => server.close());

  const signIn = async (who: { email: string; password: string }) => {
    const res = await fetch(`${server.url}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(who),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { csrfToken: string };
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

    return { cookie, csrf: body.csrfToken };
  };

  it('records a note, finds the person by e-mail and phone, exports and erases them', async () => {
    const { cookie, csrf } = await signIn(server.seed.staff);
    const headers = { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' };
    const base = `${server.url}/api/accounts/${server.seed.accountId}`;
    const created = await fetch(`${base}/contact-notes`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        person: { name: 'Marker Person', email: 'marker@example.test', phone: '+44 20 7946 0999' },
        body: 'NOTE-MARKER',
      }),
    });
    expect(created.status).toBe(201);
    const { subjectId } = (await created.json()) as { subjectId: string };

    const byEmail = await (await fetch(`${base}/subjects?email=MARKER@example.test`, { headers })).json();
    expect(byEmail.subjects.map((s: { id: string }) => s.id)).toEqual([subjectId]);
    const byPhone = await (await fetch(`${base}/subjects?phone=020%207946%200999`, { headers })).json();
    expect(byPhone.subjects[0].email).toBe('marker@example.test');

    const exported = await (await fetch(`${base}/subjects/${subjectId}/export`, { headers })).json();
    expect(exported.subject.name).toBe('Marker Person');
    expect(exported.data.contact_notes[0].body).toBe('NOTE-MARKER');

    const erased = await fetch(`${base}/subjects/${subjectId}/erase`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ confirm: 'ERASE' }),
    });
    expect(erased.status).toBe(200);
    const after = await (await fetch(`${base}/subjects?email=marker@example.test`, { headers })).json();
    expect(after.subjects).toEqual([]);
  });
});
