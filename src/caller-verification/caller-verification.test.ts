import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, type Session, signIn } from '../../test/support/http.ts';
import { startTestServer, type TestServer } from '../../test/support/server.ts';
import { policyFactors } from './caller-verification.ts';

describe('caller verification by phone', () => {
  let server: TestServer;
  let reception: Session;
  let base: string;

  beforeAll(async () => {
    server = await startTestServer({ cookieSecure: false });
    base = `/api/accounts/${server.seed.accountId}`;
    reception = await signIn(server.app, server.seed.receptionist);
  });
  afterAll(async () => server.close());

  it('reads the factors from the policy wording, falling back to phone and e-mail', () => {
    expect(
      policyFactors(['We ask for your date of birth or phone number before disclosing any account information']),
    ).toEqual(['phone']);
    expect(policyFactors(['A one-time code sent to the e-mail address we hold'])).toEqual(['email']);
    expect(policyFactors(['We ask the client'])).toEqual(['phone', 'email']);
  });

  it('CP-2: account details are disclosed by phone only after the caller passes the checks the policy names, and each check is audited without its answers', async () => {
    const setup = (
      await server.app.inject({ method: 'GET', url: `${base}/verifications/setup`, headers: as(reception) })
    ).json();
    expect(setup.policyText.length).toBeGreaterThan(0);
    expect(setup.factors.map((f: { id: string }) => f.id)).toContain('email');
    const owner = setup.users.find((u: { role: string }) => u.role === 'owner');
    expect(owner.name).toBe('Dana Whitlow');

    const details = (verification: string, who = reception) =>
      server.app.inject({
        method: 'GET',
        url: `${base}/account-details?verification=${verification}`,
        headers: as(who),
      });
    const verify = (answers: Record<string, string>) =>
      server.app.inject({
        method: 'POST',
        url: `${base}/verifications`,
        headers: as(reception),
        payload: { clientUserId: owner.userId, answers },
      });

    expect((await details(crypto.randomUUID())).statusCode).toBe(403);

    const failed = (await verify({ email: 'someone-else@harbourlane.test' })).json();
    expect(failed).toMatchObject({ outcome: 'fail', expiresAt: null });
    const refused = await details(failed.verificationId);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).not.toContain('Dana');

    const passed = (await verify({ email: ' OWNER@harbourlane.test ' })).json();
    expect(passed.outcome).toBe('pass');
    const shown = await details(passed.verificationId);
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toMatchObject({
      account: { name: 'Harbour Lane Dental' },
      caller: { name: 'Dana Whitlow', email: 'owner@harbourlane.test' },
    });

    // Another staff member cannot ride on this pass, and it lapses after ten minutes.
    const admin = server.seed.users.find((u) => u.role === 'admin');
    const other = await signIn(server.app, { email: admin?.email ?? '', password: admin?.password ?? '' });
    expect((await details(passed.verificationId, other)).statusCode).toBe(403);
    server.kernel.clock.advance({ minutes: 11 });
    expect((await details(passed.verificationId)).statusCode).toBe(403);

    const events = await server.kernel.db.system((trx) =>
      trx
        .selectFrom('audit_events')
        .select(['action', 'details', 'fields', 'subject_id'])
        .where('account_id', '=', server.seed.accountId)
        .where('action', 'in', ['identity.verify', 'data.disclose'])
        .orderBy('seq')
        .execute(),
    );
    expect(events.map((e) => [e.action, (e.details as { outcome?: string }).outcome ?? null])).toEqual([
      ['identity.verify', 'fail'],
      ['identity.verify', 'pass'],
      ['data.disclose', null],
    ]);
    expect(JSON.stringify(events)).not.toMatch(/harbourlane|someone-else/i);
  });

  it('stops guessing after five failed checks in ten minutes', async () => {
    const setup = (
      await server.app.inject({ method: 'GET', url: `${base}/verifications/setup`, headers: as(reception) })
    ).json();
    const colleague = setup.users.find((u: { role: string }) => u.role === 'colleague');
    const attempt = () =>
      server.app.inject({
        method: 'POST',
        url: `${base}/verifications`,
        headers: as(reception),
        payload: { clientUserId: colleague.userId, answers: { email: `guess-${crypto.randomUUID()}@example.test` } },
      });
    for (let i = 0; i < 5; i += 1) expect((await attempt()).json().outcome).toBe('fail');
    expect((await attempt()).statusCode).toBe(429);
  });
});
