/**
 * Erasure, restriction, objection and rectification end to end: over HTTP against a running server, a person's
 * request logged by the privacy officer with a document check, answered through the API, the person told by real
 * SMTP, and the effect proved in the database and through the decision function.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDER_ACCOUNT_ID } from '../../src/kernel/db/schema.ts';
import { decide } from '../../src/kernel/policy/policy.ts';
import { recordContactNote } from '../../src/notes/contact-notes.ts';
import { createSubject, findSubjects } from '../../src/subjects/subjects.ts';
import { as, type Session, signIn } from '../support/http.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { startSmtpSink } from '../support/smtp.ts';

let server: TestServer;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let staff: Session;
const STAFF = { id: '00000000-0000-4000-8000-0000000000b2', role: 'privacy_officer' };

beforeAll(async () => {
  smtp = await startSmtpSink();
  server = await startTestServer({ env: { SMTP_URL: smtp.url } });
  staff = await signIn(server.app, server.seed.staff);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

let people = 0;

/** A person the provider holds (a contact note), and a request about them logged with a document check. */
const requestAbout = async (kind: string) => {
  people += 1;
  const person = { name: `Oriel Vance ${people}`, email: `oriel.vance${people}@example.test` };
  const { subjectId } = await recordContactNote(server.kernel, {
    accountId: PROVIDER_ACCOUNT_ID,
    actor: STAFF,
    person,
    body: `Asked about office space, visit ${people}`,
  });
  const logged = await server.app.inject({
    method: 'POST',
    url: '/api/rights/requests',
    headers: as(staff),
    payload: {
      kind,
      email: person.email,
      name: person.name,
      channel: 'post',
      verification: { method: 'document', note: 'copy of a council tax bill' },
    },
  });
  expect(logged.statusCode).toBe(201);

  return { ...person, subjectId, requestId: logged.json().requestId as string };
};

const complete = (requestId: string, payload: Record<string, unknown> = {}) =>
  server.app.inject({
    method: 'POST',
    url: `/api/rights/requests/${requestId}/complete`,
    headers: as(staff),
    payload,
  });

const mailTo = (email: string, subject: string) =>
  smtp.received.some((m) => m.to.includes(email) && m.raw.includes(`Subject: ${subject}`));

const decision = (subjectId: string, purpose: string) =>
  server.kernel.db.tenant(PROVIDER_ACCOUNT_ID, (trx) =>
    decide(trx, server.kernel.policy, { accountId: PROVIDER_ACCOUNT_ID, subjectId, purpose, operation: 'use' }),
  );

const subjectExists = (subjectId: string) =>
  server.kernel.db.system(async (trx) =>
    Boolean(await trx.selectFrom('subjects').select('id').where('id', '=', subjectId).executeTakeFirst()),
  );

describe('rights requests over HTTP', () => {
  it('CC-10: erasure deletes the person, keeps a held person with the reason, and tells each of them', async () => {
    const erased = await requestAbout('erasure');
    const res = await complete(erased.requestId);
    expect(res.statusCode).toBe(200);
    expect(await subjectExists(erased.subjectId)).toBe(false);
    expect(mailTo(erased.email, 'Your request has been answered')).toBe(true);

    const held = await requestAbout('erasure');
    const hold = await server.app.inject({
      method: 'POST',
      url: '/api/rights/legal-holds',
      headers: as(staff),
      payload: {
        subjectId: held.subjectId,
        basis: 'legal_claims',
        reason: 'A dispute about unpaid invoices is before the county court',
        reviewOn: '2027-06-30',
      },
    });
    expect(hold.statusCode).toBe(201);
    const kept = await complete(held.requestId);
    expect(kept.statusCode).toBe(200);
    expect(await subjectExists(held.subjectId)).toBe(true);
    expect(kept.json().kept).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ reason: expect.stringContaining('county court'), until: '2027-06-30' }),
      ]),
    );

    const again = await complete(erased.requestId);
    expect(again.statusCode).toBe(409);
  });

  it('CV-9: restriction keeps the data and refuses its use; lifting it e-mails the person first', async () => {
    const person = await requestAbout('restriction');
    expect((await complete(person.requestId)).statusCode).toBe(200);
    expect(await subjectExists(person.subjectId)).toBe(true);
    expect(await decision(person.subjectId, 'service_delivery')).toMatchObject({
      allowed: false,
      reason: 'restricted',
    });

    const lift = await server.app.inject({
      method: 'POST',
      url: `/api/rights/requests/${person.requestId}/lift-restriction`,
      headers: as(staff),
    });
    expect(lift.statusCode).toBe(200);
    expect(mailTo(person.email, 'The restriction on your data is about to be lifted')).toBe(true);
    expect(await decision(person.subjectId, 'service_delivery')).toMatchObject({ allowed: true });
  });

  it('CC-10: an objection to direct marketing stops marketing at once; the service itself goes on', async () => {
    const person = await requestAbout('object_direct_marketing');
    expect((await complete(person.requestId)).statusCode).toBe(200);
    expect(await decision(person.subjectId, 'marketing')).toMatchObject({ allowed: false, reason: 'objected' });
    expect(await decision(person.subjectId, 'service_delivery')).toMatchObject({ allowed: true });
  });

  it('AS-18: rectification corrects the name, refuses an oversized value, and tells the person', async () => {
    const person = await requestAbout('rectification');
    const tooLong = await complete(person.requestId, {
      corrections: { subjectId: person.subjectId, name: 'x'.repeat(201) },
    });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    const fixed = await complete(person.requestId, {
      corrections: { subjectId: person.subjectId, name: 'Oriel Vance-Holt' },
    });
    expect(fixed.statusCode).toBe(200);
    const byName = (name: string) =>
      server.kernel.db.tenant(PROVIDER_ACCOUNT_ID, (trx) =>
        findSubjects(server.kernel, trx, {
          accountId: PROVIDER_ACCOUNT_ID,
          by: 'name',
          value: name,
          actor: STAFF,
          purpose: 'service_delivery',
        }),
      );
    expect((await byName('Oriel Vance-Holt')).map((s) => s.id)).toContain(person.subjectId);
    expect((await byName(person.name)).map((s) => s.id)).not.toContain(person.subjectId);
    expect(mailTo(person.email, 'Your request has been answered')).toBe(true);
  });

  it('Art. 19: rectification and erasure are passed on to the routine recipients of the data; staff record each as told', async () => {
    const view = async (requestId: string) =>
      (await server.app.inject({ method: 'GET', url: `/api/rights/requests/${requestId}`, headers: as(staff) })).json();
    const told = (requestId: string, recipientId: string, how: unknown) =>
      server.app.inject({
        method: 'POST',
        url: `/api/rights/requests/${requestId}/recipients/${recipientId}/told`,
        headers: as(staff),
        payload: { how },
      });
    /** A person recorded for support, and a request about them logged with a document check. */
    const supportedPerson = async (kind: string) => {
      people += 1;
      const person = { name: `Tamsin Reed ${people}`, email: `tamsin.reed${people}@example.test` };
      await server.kernel.db.tenant(PROVIDER_ACCOUNT_ID, (trx) =>
        createSubject(server.kernel, trx, {
          accountId: PROVIDER_ACCOUNT_ID,
          kind: 'contact',
          ...person,
          source: 'support call',
          actor: STAFF,
          purpose: 'support',
        }),
      );
      const logged = await server.app.inject({
        method: 'POST',
        url: '/api/rights/requests',
        headers: as(staff),
        payload: { kind, ...person, channel: 'post', verification: { method: 'document', note: 'passport copy seen' } },
      });
      expect(logged.statusCode).toBe(201);

      return logged.json().requestId as string;
    };
    // In the policy, support data goes to these routinely; nobody is named for it only on an occasion.
    const routine = server.kernel.policyFile.file.recipients.filter((r) => r.purposes.includes('support'));
    expect(routine.map((r) => r.id)).toEqual(['group_companies', 'service_partners', 'overseas_support']);
    expect(routine.every((r) => !r.onlyWhen)).toBe(true);

    const requestId = await supportedPerson('rectification');
    expect((await told(requestId, 'service_partners', 'E-mailed them')).statusCode).toBe(404);
    const subjectId = (await view(requestId)).subjects[0].subjectId as string;
    const fixed = await complete(requestId, { corrections: { subjectId, name: 'Tamsin Reed-Hale' } });
    expect(fixed.statusCode).toBe(200);
    expect(fixed.json().summary).toContain(`disclosed your data to: ${routine.map((r) => r.name).join('; ')}.`);
    expect((await view(requestId)).recipientsToTell).toEqual(
      routine.map((r) => ({ id: r.id, name: r.name, toldAt: null, toldByRole: null, how: null })),
    );

    expect((await told(requestId, 'service_partners', '')).statusCode).toBe(400);
    expect((await told(requestId, 'payment_processor', 'E-mailed them')).statusCode).toBe(404);
    const ok = await told(requestId, 'service_partners', 'Ticket raised with the e-mail delivery supplier');
    expect(ok.statusCode).toBe(200);
    expect((await told(requestId, 'service_partners', 'Again')).statusCode).toBe(409);
    expect((await view(requestId)).recipientsToTell[1]).toEqual({
      id: 'service_partners',
      name: routine[1]?.name,
      toldAt: expect.any(String),
      toldByRole: 'privacy_officer',
      how: 'Ticket raised with the e-mail delivery supplier',
    });

    // Read before the erasure, which leaves no record of the person to read them from afterwards.
    const erasure = await supportedPerson('erasure');
    expect((await complete(erasure)).statusCode).toBe(200);
    expect((await view(erasure)).recipientsToTell.map((r: { id: string }) => r.id)).toEqual(routine.map((r) => r.id));

    // A note for service delivery goes to the client's people only when the client authorises it: not routine, so
    // the person is not told it went there.
    const conditional = server.kernel.policyFile.file.recipients.find((r) => r.id === 'client_authorised');
    expect(conditional).toMatchObject({ purposes: ['service_delivery'], onlyWhen: expect.any(String) });
    const noted = await requestAbout('rectification');
    const answered = await complete(noted.requestId, {
      corrections: { subjectId: noted.subjectId, name: 'Oriel Vance-Pryor' },
    });
    expect(answered.json().summary).not.toContain('disclosed your data');
    expect((await view(noted.requestId)).recipientsToTell).toEqual([]);

    // An objection is not passed on: there is nothing to tell recipients.
    const objection = await requestAbout('object_direct_marketing');
    expect((await complete(objection.requestId)).statusCode).toBe(200);
    expect((await view(objection.requestId)).recipientsToTell).toEqual([]);
  });
});
