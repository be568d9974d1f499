/**
 * Erasure, restriction, objection and rectification end to end: over HTTP against a running server, a person's
 * request logged by the privacy officer with a document check, answered through the API, the person told by real
 * SMTP, and the effect proved in the database and through the decision function.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDER_ACCOUNT_ID } from '../../src/kernel/db/schema.ts';
import { decide } from '../../src/kernel/policy/policy.ts';
import { recordContactNote } from '../../src/notes/contact-notes.ts';
import { findSubjects } from '../../src/subjects/subjects.ts';
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

  it('Art. 19: rectification and erasure are passed on to the recipients of the data; staff record each as told', async () => {
    const view = async (requestId: string) =>
      (await server.app.inject({ method: 'GET', url: `/api/rights/requests/${requestId}`, headers: as(staff) })).json();
    const told = (requestId: string, recipientId: string, how: unknown) =>
      server.app.inject({
        method: 'POST',
        url: `/api/rights/requests/${requestId}/recipients/${recipientId}/told`,
        headers: as(staff),
        payload: { how },
      });
    // The person's note was written for service delivery, whose recipient in the policy is the client business.
    const recipient = server.kernel.policyFile.file.recipients.find((r) => r.id === 'client_authorised');
    expect(recipient?.purposes).toEqual(['service_delivery']);

    const person = await requestAbout('rectification');
    expect((await told(person.requestId, 'client_authorised', 'E-mailed them')).statusCode).toBe(404);
    const fixed = await complete(person.requestId, {
      corrections: { subjectId: person.subjectId, name: 'Oriel Vance-Pryor' },
    });
    expect(fixed.statusCode).toBe(200);
    expect(fixed.json().summary).toContain(`disclosed your data to: ${recipient?.name}.`);
    expect((await view(person.requestId)).recipientsToTell).toEqual([
      { id: 'client_authorised', name: recipient?.name, toldAt: null, toldByRole: null, how: null },
    ]);

    expect((await told(person.requestId, 'client_authorised', '')).statusCode).toBe(400);
    expect((await told(person.requestId, 'payment_processor', 'E-mailed them')).statusCode).toBe(404);
    const ok = await told(person.requestId, 'client_authorised', 'E-mailed the client’s office manager');
    expect(ok.statusCode).toBe(200);
    expect((await told(person.requestId, 'client_authorised', 'Again')).statusCode).toBe(409);
    expect((await view(person.requestId)).recipientsToTell).toEqual([
      {
        id: 'client_authorised',
        name: recipient?.name,
        toldAt: expect.any(String),
        toldByRole: 'privacy_officer',
        how: 'E-mailed the client’s office manager',
      },
    ]);

    // Read before the erasure, which leaves no record of the person to read them from afterwards.
    const erased = await requestAbout('erasure');
    expect((await complete(erased.requestId)).statusCode).toBe(200);
    expect((await view(erased.requestId)).recipientsToTell.map((r: { id: string }) => r.id)).toEqual([
      'client_authorised',
    ]);

    // An objection is not passed on: there is nothing to tell recipients.
    const objection = await requestAbout('object_direct_marketing');
    expect((await complete(objection.requestId)).statusCode).toBe(200);
    expect((await view(objection.requestId)).recipientsToTell).toEqual([]);
  });
});
