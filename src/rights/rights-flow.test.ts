import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, freshAddress, type Session, signIn } from '../../test/support/http.ts';
import { seedMessage } from '../../test/support/office-fixtures.ts';
import { startTestServer, type TestServer } from '../../test/support/server.ts';
import { PROVIDER_ACCOUNT_ID } from '../kernel/db/schema.ts';
import { createSubject } from '../subjects/subjects.ts';

const EMAIL = 'rowan.ashby@example.test';
let server: TestServer;
let staff: Session;
let owner: Session;

const codeFrom = (to: string) => {
  const mail = server.kernel.sent.findLast((m) => m.to === to && m.subject.startsWith('Your code'));
  return /(\d{6})/.exec(mail?.subject ?? '')?.[1] ?? '';
};

const submit = (payload: Record<string, unknown>) =>
  server.app.inject({ method: 'POST', url: '/api/privacy/requests', payload, remoteAddress: freshAddress() });

const verify = (requestId: string, code: string) =>
  server.app.inject({
    method: 'POST',
    url: `/api/privacy/requests/${requestId}/verify`,
    payload: { code },
    remoteAddress: freshAddress(),
  });

beforeAll(async () => {
  server = await startTestServer();
  const { kernel, seed } = server;
  // The same caller in two client businesses, a look-alike (same name, other address) in one of them, and the
  // provider's own newsletter subscriber with the caller's address.
  for (const accountId of [seed.accountId, seed.otherAccountId]) {
    await seedMessage(kernel, {
      accountId,
      caller: { name: 'Rowan Ashby', email: EMAIL, phone: '+44 7700 900123' },
      body: 'Please call back about the lease',
    });
  }
  await seedMessage(kernel, {
    accountId: seed.accountId,
    caller: { name: 'Rowan Ashby', email: 'rowan.a@example.test' },
    body: 'A different Rowan',
  });
  // The same person another day, giving only the phone number: routing cannot know it is them.
  await seedMessage(kernel, {
    accountId: seed.accountId,
    caller: { name: 'R. Ashby', phone: '07700 900123' },
    body: 'Calling from the same mobile',
  });
  await kernel.db.tenant(PROVIDER_ACCOUNT_ID, (trx) =>
    createSubject(kernel, trx, {
      accountId: PROVIDER_ACCOUNT_ID,
      kind: 'subscriber',
      name: 'Rowan Ashby',
      email: EMAIL,
      source: 'newsletter sign-up',
      actor: { id: null, role: 'data_subject' },
      purpose: 'marketing',
    }),
  );
  staff = await signIn(server.app, seed.staff);
  owner = await signIn(server.app, seed.owner);
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe('a rights request from the privacy center', () => {
  let requestId = '';
  let statusToken = '';

  it('CV-9: nothing is looked up until the e-mailed code proves the address', async () => {
    const res = await submit({ kind: 'access', email: EMAIL, name: 'Rowan Ashby' });
    expect(res.statusCode).toBe(202);
    requestId = res.json().requestId;
    const code = codeFrom(EMAIL);
    expect(code).toMatch(/^\d{6}$/);
    const queue = await server.app.inject({
      method: 'GET',
      url: '/api/rights/requests?status=open',
      headers: as(staff),
    });
    expect(queue.json().requests.map((r: { id: string }) => r.id)).not.toContain(requestId);

    const wrong = await verify(requestId, String((Number(code) + 1) % 1_000_000).padStart(6, '0'));
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().details).toMatchObject({ reason: 'wrong_code', attemptsLeft: 4 });

    const right = await verify(requestId, code);
    expect(right.statusCode).toBe(200);
    statusToken = right.json().statusToken;
    expect(statusToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a replayed code, and a forged or unknown status link, changing nothing', async () => {
    const replay = await verify(requestId, codeFrom(EMAIL));
    expect(replay.statusCode).toBe(409);
    const forged = await server.app.inject({
      method: 'GET',
      url: `/api/privacy/requests/status?token=${'A'.repeat(43)}`,
    });
    expect(forged.statusCode).toBe(404);
    expect(forged.json()).toMatchObject({ code: 'NOT_FOUND' });
    const garbage = await server.app.inject({ method: 'GET', url: '/api/privacy/requests/status?token=../x' });
    expect(garbage.statusCode).toBe(404);
  });

  it('CC-11: the parts about phone messages go to both client businesses; the provider answers its own part', async () => {
    const status = await server.app.inject({
      method: 'GET',
      url: `/api/privacy/requests/status?token=${statusToken}`,
    });
    expect(status.statusCode).toBe(200);
    const body = status.json();
    expect(body.status).toBe('received');
    expect(body.dueOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(body.parts).toHaveLength(2);
    const names = await server.kernel.db.system((trx) =>
      trx
        .selectFrom('accounts')
        .select('name')
        .where('id', 'in', [server.seed.accountId, server.seed.otherAccountId])
        .execute(),
    );
    expect(body.parts.map((p: { controller: string }) => p.controller).sort()).toEqual(names.map((n) => n.name).sort());

    const detail = await server.app.inject({
      method: 'GET',
      url: `/api/rights/requests/${requestId}`,
      headers: as(staff),
    });
    expect(detail.statusCode).toBe(200);
    // Only the subscriber: the callers are the clients' data, and the look-alike is nobody's match.
    expect(detail.json().subjects).toHaveLength(1);
    expect(detail.json().subjects[0]).toMatchObject({ kind: 'subscriber', matchedBy: 'email' });

    const routed = await server.app.inject({ method: 'GET', url: '/api/portal/rights/requests', headers: as(owner) });
    expect(routed.statusCode).toBe(200);
    const part = routed.json().requests.find((r: { routed: boolean }) => r.routed);
    expect(part).toMatchObject({ kind: 'access', status: 'received', requesterEmail: EMAIL });
    const partDetail = await server.app.inject({
      method: 'GET',
      url: `/api/portal/rights/requests/${part.id}`,
      headers: as(owner),
    });
    expect(partDetail.json().subjects).toHaveLength(1);
    expect(partDetail.json().subjects[0]).toMatchObject({ kind: 'caller' });
    expect(server.kernel.sent.some((m) => m.subject === 'A privacy rights request needs your answer')).toBe(true);
  });

  it('CC-11: the client finds the same person under their phone number and adds them to its part', async () => {
    const routed = await server.app.inject({ method: 'GET', url: '/api/portal/rights/requests', headers: as(owner) });
    const part = routed.json().requests.find((r: { routed: boolean }) => r.routed);
    const found = await server.app.inject({
      method: 'GET',
      url: `/api/portal/rights/requests/${part.id}/candidates?phone=${encodeURIComponent('+44 7700 900123')}`,
      headers: as(owner),
    });
    expect(found.statusCode).toBe(200);
    const candidates = found.json().candidates as { subjectId: string; name: string; covered: boolean }[];
    expect(candidates.map((c) => [c.name, c.covered]).sort()).toEqual([
      ['R. Ashby', false],
      ['Rowan Ashby', true],
    ]);
    const add = await server.app.inject({
      method: 'POST',
      url: `/api/portal/rights/requests/${part.id}/subjects`,
      headers: as(owner),
      payload: { subjectId: candidates.find((c) => !c.covered)?.subjectId },
    });
    expect(add.statusCode).toBe(200);
    const detail = await server.app.inject({
      method: 'GET',
      url: `/api/portal/rights/requests/${part.id}`,
      headers: as(owner),
    });
    expect(detail.json().subjects).toHaveLength(2);
    // Another client's people are out of reach: the blind index is scoped to the account, and so is the tenant.
    const foreign = await server.app.inject({
      method: 'POST',
      url: `/api/portal/rights/requests/${part.id}/subjects`,
      headers: as(owner),
      payload: { subjectId: crypto.randomUUID() },
    });
    expect(foreign.statusCode).toBe(404);
  });

  it('CC-10: the clock runs from verification, one calendar month, moved off weekends and bank holidays', async () => {
    const detail = await server.app.inject({
      method: 'GET',
      url: `/api/rights/requests/${requestId}`,
      headers: as(staff),
    });
    // The test clock stands at Monday 23 November 2026: due Wednesday 23 December.
    expect(detail.json().clock).toMatchObject({ clockStart: '2026-11-23', dueOn: '2026-12-23', extended: false });
  });

  it('AS-17: the first copy is free: a fee for a further copy is refused when there was no earlier copy', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: `/api/rights/requests/${requestId}/actions`,
      headers: as(staff),
      payload: {
        type: 'request_fee',
        reason: 'further_copy',
        amountPence: 1000,
        explanation: 'This is a further copy.',
      },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().details).toMatchObject({ rule: 'first_copy_free' });
  });

  it('pauses the clock while clarification is awaited and extends with a reason, telling the person', async () => {
    const act = (payload: Record<string, unknown>) =>
      server.app.inject({
        method: 'POST',
        url: `/api/rights/requests/${requestId}/actions`,
        headers: as(staff),
        payload,
      });
    expect((await act({ type: 'start' })).statusCode).toBe(200);
    expect(
      (await act({ type: 'request_clarification', question: 'Which years are you asking about?' })).statusCode,
    ).toBe(200);
    const paused = await server.app.inject({
      method: 'GET',
      url: `/api/rights/requests/${requestId}`,
      headers: as(staff),
    });
    expect(paused.json().clock).toMatchObject({ waitingFor: 'clarification', dueOn: null });
    server.kernel.clock.advance({ days: 3 });
    staff = await signIn(server.app, server.seed.staff);
    expect((await act({ type: 'clarification_received' })).statusCode).toBe(200);
    const resumed = await server.app.inject({
      method: 'GET',
      url: `/api/rights/requests/${requestId}`,
      headers: as(staff),
    });
    expect(resumed.json().clock.pausedDays).toBe(4);
    expect(resumed.json().clock.dueOn).toBe('2026-12-29');

    expect((await act({ type: 'extend', reason: 'Linked requests about several businesses' })).statusCode).toBe(200);
    const extended = await server.app.inject({
      method: 'GET',
      url: `/api/rights/requests/${requestId}`,
      headers: as(staff),
    });
    expect(extended.json().clock).toMatchObject({ extended: true, dueOn: '2027-03-01' });
    expect(
      server.kernel.sent.some((m) => m.to === EMAIL && m.subject === 'We need more time to answer your request'),
    ).toBe(true);
    expect((await act({ type: 'extend', reason: 'Linked requests about several businesses' })).statusCode).toBe(409);
  });

  it('refuses unknown kinds and malformed input with a clear error, creating nothing', async () => {
    const before = await server.kernel.db.system((trx) =>
      trx
        .selectFrom('rights_requests')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    );
    const unknown = await submit({ kind: 'teleport', email: EMAIL });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    const tooLong = await submit({ kind: 'access', email: EMAIL, details: 'x'.repeat(5000) });
    expect(tooLong.statusCode).toBe(400);
    const badCode = await verify(crypto.randomUUID(), '12345');
    expect(badCode.statusCode).toBe(400);
    const noSuch = await verify(crypto.randomUUID(), '123456');
    expect(noSuch.statusCode).toBe(404);
    const after = await server.kernel.db.system((trx) =>
      trx
        .selectFrom('rights_requests')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    );
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('refuses a request about someone else: the code goes only to their address, and a user asks only about themselves', async () => {
    const res = await submit({ kind: 'erasure', email: EMAIL, name: 'Not Rowan' });
    expect(res.statusCode).toBe(202);
    // The answer holds neither the code nor a status link; the code went to the address, not to whoever asked.
    expect(Object.keys(res.json()).sort()).toEqual(['codeExpiresAt', 'requestId']);
    expect(JSON.stringify(res.json())).not.toContain(codeFrom(EMAIL));
    const id = res.json().requestId;
    const routed = await server.kernel.db.system((trx) =>
      trx.selectFrom('rights_requests').select(['status']).where('parent_id', '=', id).execute(),
    );
    expect(routed).toEqual([]);

    const user = await signIn(server.app, server.seed.colleague);
    const aboutOther = await server.app.inject({
      method: 'POST',
      url: '/api/portal/privacy-requests',
      headers: as(user),
      payload: { kind: 'access', email: EMAIL },
    });
    expect(aboutOther.statusCode).toBe(400);
    expect(aboutOther.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('CV-9: a request staff logged before checking identity shows its link as awaiting that check, with no due date', async () => {
    const logged = await server.app.inject({
      method: 'POST',
      url: '/api/rights/requests',
      headers: as(staff),
      payload: { kind: 'access', email: 'mira.tollan@example.test', channel: 'post', verification: null },
    });
    expect(logged.statusCode).toBe(201);
    const status = await server.app.inject({
      method: 'GET',
      url: `/api/privacy/requests/status?token=${logged.json().statusToken}`,
    });
    expect(status.statusCode).toBe(200);
    expect(status.json()).toMatchObject({ status: 'awaiting_verification', dueOn: null, parts: [] });
  });

  it('closes a request after five wrong codes', async () => {
    const res = await submit({ kind: 'erasure', email: 'someone.else@example.test' });
    const id = res.json().requestId;
    const actual = Number(codeFrom('someone.else@example.test'));
    const answers = [];
    for (let i = 1; i <= 5; i += 1)
      answers.push((await verify(id, String((actual + i) % 1_000_000).padStart(6, '0'))).json());
    expect(answers.at(-1)?.details).toMatchObject({ reason: 'too_many_attempts', attemptsLeft: 0 });
    const again = await verify(id, codeFrom('someone.else@example.test'));
    expect(again.statusCode).toBe(409);
  });
});
