/**
 * The executors of erasure, restriction, objection (to legitimate interests and to direct marketing), withdrawal of
 * consent and rectification, run the way staff run them: a request logged with a document check (which verifies and
 * routes it), then `completeRequest`. Effects are proved through the decision function, the suppression list, the
 * stored values themselves and the person's e-mail; refused inputs are proved to change nothing.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../../test/support/kernel.ts';
import { rowCounts } from '../../test/support/row-counts.ts';
import { everyStoredValue } from '../../test/support/stored-values.ts';
import { createClientAccount, ensureProviderAccount } from '../accounts/accounts.ts';
import { SUBJECT_DATA_SOURCES } from '../app.ts';
import { createUser } from '../auth/auth.ts';
import { readPreferences, recordMarketingChoice } from '../consent/consent-records.ts';
import { checkMarketingRecipient } from '../consent/marketing-check.ts';
import { isSuppressed } from '../consent/suppression.ts';
import { keyIdOf } from '../kernel/crypto/cipher.ts';
import { PROVIDER_ACCOUNT_ID, type RightsRequestKind } from '../kernel/db/schema.ts';
import type { Mailer, OutgoingMail } from '../kernel/mail/mailer.ts';
import { decide, LEGAL_CLAIMS_PURPOSE } from '../kernel/policy/policy.ts';
import { recordContactNote } from '../notes/contact-notes.ts';
import { POLICIES_DIR } from '../policy/policy-loader.ts';
import { findSubjects } from '../subjects/subjects.ts';
import { type CompletionInput, completeRequest } from './complete-request.ts';
import { USER_ACCOUNT_KEPT } from './execute-erasure.ts';
import { liftLegalHold, listLegalHolds, placeLegalHold } from './legal-holds.ts';
import { liftRestriction } from './lift-restriction.ts';
import { logStaffRequest } from './submit-request.ts';

const P = PROVIDER_ACCOUNT_ID;
const STAFF = { id: '00000000-0000-4000-8000-0000000000b1', role: 'privacy_officer' };
const PERSON = { id: null, role: 'data_subject' };

/** The conferencing vendor's notice (CV) has it all: legitimate interests, legal claims and consent to marketing. */
const POLICY_FILE = path.join(POLICIES_DIR, 'conferencing-vendor.yaml');

let kernel: TestKernel;
let clientId: string;
const outbox: OutgoingMail[] = [];
let mailFails = false;
const mailer: Mailer = {
  send: async (mail) => {
    if (mailFails) throw new Error('SMTP unavailable');
    outbox.push(mail);

    return { messageId: `<x-${outbox.length}@custodian.test>` };
  },
  close: () => {},
};

beforeAll(async () => {
  kernel = await createTestKernel({ env: { POLICY_FILE }, mailer });
  await ensureProviderAccount(kernel, 'Provider');
  clientId = await createClientAccount(kernel, { name: 'Harbour Lights Ltd' });
}, 60_000);
afterAll(async () => kernel?.close());

let counter = 0;

/** A person the provider holds as controller: a contact with a note, a phone number and consent to e-mail marketing. */
const newPerson = async (options: { consent?: boolean } = {}) => {
  const marker = `Ex${crypto.randomBytes(5).toString('hex')}`;
  const person = {
    name: `Name ${marker}`,
    email: `${marker.toLowerCase()}@example.test`,
    phone: `+44 7700 9${String(10_000 + counter++).slice(-5)}`,
  };
  const { subjectId } = await recordContactNote(kernel, { accountId: P, actor: STAFF, person, body: `Body ${marker}` });
  if (options.consent !== false) {
    await recordMarketingChoice(kernel, {
      accountId: P,
      subjectId,
      channel: 'email',
      topic: 'marketing',
      state: 'given',
      basis: 'consent',
      method: 'web-form',
      actor: PERSON,
    });
  }

  return { marker, subjectId, ...person };
};

const logRequest = async (kind: RightsRequestKind, email: string) =>
  (
    await logStaffRequest(kernel, {
      kind,
      email,
      channel: 'email',
      verification: { method: 'document', note: 'Passport copy checked against the letter' },
      actor: STAFF,
    })
  ).requestId;

const complete = (requestId: string, input: CompletionInput = {}, accountId = P) =>
  completeRequest(kernel, SUBJECT_DATA_SOURCES, { accountId, requestId, actor: STAFF, input });

const ask = (subjectId: string, purpose: string, operation: 'use' | 'store' = 'use', accountId = P) =>
  kernel.db.tenant(accountId, (trx) => decide(trx, kernel.policy, { accountId, subjectId, purpose, operation }));

const suppressed = (addresses: { email?: string; phone?: string }) =>
  kernel.db.tenant(P, (trx) => isSuppressed(kernel, trx, addresses));

const requestRow = (requestId: string, accountId = P) =>
  kernel.db.tenant(accountId, (trx) =>
    trx.selectFrom('rights_requests').selectAll().where('id', '=', requestId).executeTakeFirstOrThrow(),
  );

const subjectExists = async (subjectId: string, accountId = P) =>
  (await kernel.db.tenant(accountId, (trx) =>
    trx.selectFrom('subjects').select('id').where('id', '=', subjectId).executeTakeFirst(),
  )) !== undefined;

/** Every stored value still sealed under the person's key, and any holding their marker in plaintext. */
const traces = async (subjectId: string, marker: string) => {
  const values = await everyStoredValue(kernel.db);

  return {
    sealedUnderKey: values.filter((v) => v.length > 17 && keyIdOf(v) === subjectId).length,
    plaintext: values.filter((v) => v.includes(marker)).length,
  };
};

const lastMailTo = (to: string) => outbox.findLast((m) => m.to === to);

describe('erasure', () => {
  it('CC-10: erases every record and the key, puts the addresses on the suppression list, and tells the person', async () => {
    const p = await newPerson();
    const requestId = await logRequest('erasure', p.email);
    const before = await traces(p.subjectId, p.marker);
    expect(before.sealedUnderKey).toBeGreaterThan(0);

    const result = await complete(requestId);

    expect(result.subjects).toEqual([expect.objectContaining({ subjectId: p.subjectId, done: 'erased', kept: [] })]);
    expect(result.summary).toMatch(/erased the personal data/);
    expect(await traces(p.subjectId, p.marker)).toEqual({ sealedUnderKey: 0, plaintext: 0 });
    const left = await kernel.db.system(async (trx) => ({
      key: await trx.selectFrom('subject_keys').select('subject_id').where('subject_id', '=', p.subjectId).execute(),
      ledger: await trx.selectFrom('erasure_ledger').select('reason').where('subject_id', '=', p.subjectId).execute(),
    }));
    expect(left).toEqual({ key: [], ledger: [{ reason: 'data_subject_request' }] });
    expect(await suppressed({ email: p.email })).toBe(true);
    expect(await suppressed({ phone: p.phone })).toBe(true);
    expect((await requestRow(requestId)).status).toBe('completed');
    expect(lastMailTo(p.email)?.subject).toBe('Your request has been answered');
  });

  it('CC-10: a second erasure of a person already erased answers "nothing held" and changes nothing', async () => {
    const p = await newPerson();
    // Both requests are routed while the person is still held; the first erases them.
    const first = await logRequest('erasure', p.email);
    const second = await logRequest('erasure', p.email);
    await complete(first);
    const counts = await rowCounts(kernel.db, ['erasure_ledger', 'suppression_list', 'consent_records', 'subjects']);

    const again = await complete(second);

    // Nothing is held, so nothing is passed on to recipients either (Art. 19).
    expect(again).toEqual({
      summary: expect.stringMatching(/hold no personal data about you here, so there was nothing to act on\.$/),
      kept: [],
      subjects: [{ subjectId: p.subjectId, done: 'nothing held', kept: [] }],
      recipientsToTell: [],
    });
    expect(await rowCounts(kernel.db, ['erasure_ledger', 'suppression_list', 'consent_records', 'subjects'])).toEqual(
      counts,
    );

    // A request made after the erasure finds nobody at all: the same answer.
    const later = await complete(await logRequest('erasure', p.email));
    expect(later).toMatchObject({ summary: expect.stringMatching(/hold no personal data/), subjects: [] });
  });

  it('CC-10: a person under a legal hold survives erasure, is told what is kept, why and until when, and is never marketed to', async () => {
    const p = await newPerson();
    const { holdId } = await placeLegalHold(kernel, {
      accountId: P,
      subjectId: p.subjectId,
      basis: 'legal_claims',
      reason: 'A disputed invoice is before the county court',
      reviewOn: '2027-06-30',
      actor: STAFF,
    });
    expect(await ask(p.subjectId, 'marketing')).toEqual({ allowed: true, legalBasis: 'consent' });

    const result = await complete(await logRequest('erasure', p.email));

    const hold = {
      what: 'Your records with us',
      reason: expect.stringContaining('A disputed invoice is before the county court'),
      until: '2027-06-30',
    };
    expect(result.subjects).toEqual([expect.objectContaining({ subjectId: p.subjectId, done: 'kept', kept: [hold] })]);
    expect(result.kept).toEqual(expect.arrayContaining([hold]));
    expect(result.summary).toMatch(/cannot erase your data yet/);
    expect(await subjectExists(p.subjectId)).toBe(true);
    expect(await listLegalHolds(kernel, { accountId: P, subjectId: p.subjectId, active: true })).toEqual([
      expect.objectContaining({ id: holdId, basis: 'legal_claims', reviewOn: '2027-06-30', reviewDue: false }),
    ]);
    expect(await ask(p.subjectId, 'marketing')).toEqual({ allowed: false, reason: 'objected' });
    expect(await suppressed({ email: p.email })).toBe(true);

    // Once the hold is lifted, the next request erases them.
    await liftLegalHold(kernel, { accountId: P, holdId, actor: STAFF });
    const after = await complete(await logRequest('erasure', p.email));
    expect(after.subjects).toEqual([expect.objectContaining({ subjectId: p.subjectId, done: 'erased' })]);
    expect(await subjectExists(p.subjectId)).toBe(false);
  });

  it('VO-15: a user is kept from erasure until their account is closed, and is told so', async () => {
    const email = `owner.${crypto.randomBytes(4).toString('hex')}@example.test`;
    const { subjectId } = await createUser(kernel, {
      accountId: clientId,
      role: 'owner',
      name: 'Oona Owner',
      email,
      password: crypto.randomBytes(12).toString('base64url'),
    });
    const requestId = await logRequest('erasure', email);
    // The user is held in the client's account, so the request reaches it as a part routed to the client.
    const part = await kernel.db.tenant(clientId, (trx) =>
      trx.selectFrom('rights_requests').select('id').where('parent_id', '=', requestId).executeTakeFirstOrThrow(),
    );

    const result = await complete(part.id, {}, clientId);

    expect(result.subjects).toEqual([expect.objectContaining({ subjectId, done: 'kept', kept: [USER_ACCOUNT_KEPT] })]);
    expect(USER_ACCOUNT_KEPT.reason).toBe('You have a user account with us: close it first, then we erase it');
    expect(await subjectExists(subjectId, clientId)).toBe(true);
    expect(await suppressed({ email })).toBe(true);
  });
});

describe('restriction', () => {
  it('CV-9: a restricted person’s data stays stored, every use is refused but legal claims, and lifting it e-mails them first', async () => {
    const p = await newPerson({ consent: false });
    const requestId = await logRequest('restriction', p.email);

    const result = await complete(requestId);

    expect(result.subjects).toEqual([{ subjectId: p.subjectId, done: 'restricted', kept: [] }]);
    expect(await subjectExists(p.subjectId)).toBe(true);
    expect(await ask(p.subjectId, 'service_delivery')).toEqual({ allowed: false, reason: 'restricted' });
    expect(await ask(p.subjectId, 'security')).toEqual({ allowed: false, reason: 'restricted' });
    expect(await ask(p.subjectId, 'service_delivery', 'store')).toEqual({ allowed: true, legalBasis: 'contract' });
    expect(await ask(p.subjectId, LEGAL_CLAIMS_PURPOSE)).toEqual({ allowed: true, legalBasis: 'legitimate_interests' });

    // The e-mail comes first: when it cannot be sent, nothing is lifted.
    mailFails = true;
    await expect(liftRestriction(kernel, { accountId: P, requestId, actor: STAFF })).rejects.toThrow();
    mailFails = false;
    expect(await ask(p.subjectId, 'service_delivery')).toEqual({ allowed: false, reason: 'restricted' });

    const sentBefore = outbox.length;
    expect(await liftRestriction(kernel, { accountId: P, requestId, actor: STAFF })).toEqual({ lifted: 1 });
    expect(outbox.slice(sentBefore)).toEqual([
      expect.objectContaining({ to: p.email, subject: 'The restriction on your data is about to be lifted' }),
    ]);
    expect(await ask(p.subjectId, 'service_delivery')).toEqual({ allowed: true, legalBasis: 'contract' });
    await expect(liftRestriction(kernel, { accountId: P, requestId, actor: STAFF })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });
});

describe('objection', () => {
  it('CC-10: legitimate-interest processing stops, except where staff record compelling grounds, and legal claims', async () => {
    const p = await newPerson({ consent: false });
    const grounds = 'Chargebacks on this account are being investigated with the card issuer';

    const result = await complete(await logRequest('objection', p.email), {
      compellingGrounds: [{ purpose: 'fraud_prevention', grounds }],
    });

    expect(await ask(p.subjectId, 'security')).toEqual({ allowed: false, reason: 'objected' });
    expect(await ask(p.subjectId, 'service_monitoring')).toEqual({ allowed: false, reason: 'objected' });
    expect(await ask(p.subjectId, 'fraud_prevention')).toEqual({ allowed: true, legalBasis: 'legitimate_interests' });
    expect(await ask(p.subjectId, LEGAL_CLAIMS_PURPOSE)).toEqual({ allowed: true, legalBasis: 'legitimate_interests' });
    expect(await ask(p.subjectId, 'service_delivery')).toEqual({ allowed: true, legalBasis: 'contract' });
    expect(result.kept).toEqual(
      expect.arrayContaining([{ what: expect.any(String), reason: expect.stringContaining(grounds) }]),
    );
    expect(result.subjects).toEqual([expect.objectContaining({ subjectId: p.subjectId, done: 'objection recorded' })]);
  });

  it('CC-10: an objection to direct marketing is absolute and immediate: every purpose, every channel, suppressed', async () => {
    const p = await newPerson();
    const check = () =>
      kernel.db.tenant(P, (trx) =>
        checkMarketingRecipient(kernel, trx, {
          accountId: P,
          subjectId: p.subjectId,
          channel: 'email',
          topic: 'marketing',
        }),
      );
    expect(await check()).toMatchObject({ allowed: true });

    const result = await complete(await logRequest('object_direct_marketing', p.email));

    expect(await ask(p.subjectId, 'marketing')).toEqual({ allowed: false, reason: 'objected' });
    expect(await check()).toEqual({ allowed: false, reason: 'objected' });
    expect(await suppressed({ email: p.email })).toBe(true);
    expect(await suppressed({ phone: p.phone })).toBe(true);
    expect(result.subjects).toEqual([expect.objectContaining({ subjectId: p.subjectId, done: 'marketing stopped' })]);
  });

  it('CC-10: refuses compelling grounds on an objection to direct marketing, and changes nothing', async () => {
    const p = await newPerson();
    const requestId = await logRequest('object_direct_marketing', p.email);
    const counts = await rowCounts(kernel.db, ['processing_controls', 'consent_records', 'suppression_list']);

    await expect(
      complete(requestId, {
        compellingGrounds: [{ purpose: 'marketing', grounds: 'We would like to keep sending the newsletter' }],
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'compellingGrounds' } });

    expect(await rowCounts(kernel.db, ['processing_controls', 'consent_records', 'suppression_list'])).toEqual(counts);
    expect((await requestRow(requestId)).status).toBe('received');
    expect(await ask(p.subjectId, 'marketing')).toEqual({ allowed: true, legalBasis: 'consent' });
  });
});

describe('withdrawal of consent', () => {
  it('CV-10: withdrawing consent stops the processing that rested on it', async () => {
    const p = await newPerson();
    expect(await ask(p.subjectId, 'marketing')).toEqual({ allowed: true, legalBasis: 'consent' });
    const notes = await rowCounts(kernel.db, ['contact_notes']);

    const result = await complete(await logRequest('withdraw_consent', p.email));

    expect(await ask(p.subjectId, 'marketing')).toEqual({ allowed: false, reason: 'no_consent' });
    const preferences = await kernel.db.tenant(P, (trx) => readPreferences(kernel, trx, P, p.subjectId));
    expect(preferences.find((x) => x.channel === 'email' && x.topic === 'marketing')?.state).toBe('withdrawn');
    // Nothing already done is undone: the person and their records stay; other purposes are untouched.
    expect(await subjectExists(p.subjectId)).toBe(true);
    expect(await rowCounts(kernel.db, ['contact_notes'])).toEqual(notes);
    expect(await ask(p.subjectId, 'service_delivery')).toEqual({ allowed: true, legalBasis: 'contract' });
    expect(result.summary).toMatch(/stays lawful/);
  });
});

describe('rectification', () => {
  it('AS-18: a person can have incorrect data corrected', async () => {
    const p = await newPerson({ consent: false });
    const requestId = await logRequest('rectification', p.email);
    const corrected = { name: `Corrected ${p.marker}`, email: `fixed.${p.marker.toLowerCase()}@example.test` };

    const result = await complete(requestId, { corrections: { subjectId: p.subjectId, ...corrected } });

    // Art. 19: those the data went to are named, to be told of the correction.
    const names = (result as { recipientsToTell: { name: string }[] }).recipientsToTell.map((r) => r.name);
    expect(names.length).toBeGreaterThan(0);
    expect(result.summary).toBe(
      `We have corrected your name and e-mail address. We are passing this on to those we disclosed your data to: ${names.join('; ')}.`,
    );
    const find = (by: 'email' | 'name', value: string) =>
      kernel.db.tenant(P, (trx) =>
        findSubjects(kernel, trx, { accountId: P, by, value, actor: STAFF, purpose: 'service_delivery' }),
      );
    expect((await find('email', corrected.email)).map((s) => [s.id, s.name, s.email])).toEqual([
      [p.subjectId, corrected.name, corrected.email],
    ]);
    expect(await find('email', p.email)).toEqual([]);
    expect(await find('name', p.name)).toEqual([]);

    // The audit trail names the fields; the old and new values are sealed under the person's key.
    const audit = await kernel.db.system((trx) =>
      trx
        .selectFrom('audit_events')
        .select(['fields', 'details'])
        .where('action', '=', 'subject.rectify')
        .where('subject_id', '=', p.subjectId)
        .execute(),
    );
    expect(audit).toEqual([
      { fields: ['name', 'email'], details: { requestId, valuesSealedIn: 'rights_request_events.rectified' } },
    ]);
    const event = await kernel.db.tenant(P, (trx) =>
      trx
        .selectFrom('rights_request_events')
        .select('details')
        .where('request_id', '=', requestId)
        .where('event', '=', 'rectified')
        .executeTakeFirstOrThrow(),
    );
    const sealed = Buffer.from(String(event.details.values), 'base64');
    expect(keyIdOf(sealed)).toBe(p.subjectId);
    const opened = await kernel.db.tenant(P, (trx) =>
      kernel.vault.open(trx, sealed, 'rights_request_events.rectification'),
    );
    expect(JSON.parse(opened ?? 'null')).toEqual({
      old: { name: p.name, email: p.email },
      new: corrected,
    });
    expect((await traces(p.subjectId, p.marker)).plaintext).toBe(0);
    expect(lastMailTo(p.email)?.subject).toBe('Your request has been answered');
  });

  it('AS-18: refuses a correction for a person the request does not cover, or an oversized value, changing nothing', async () => {
    const p = await newPerson({ consent: false });
    const other = await newPerson({ consent: false });
    const requestId = await logRequest('rectification', p.email);
    const counts = await rowCounts(kernel.db, ['rights_request_events', 'audit_events']);

    await expect(
      complete(requestId, { corrections: { subjectId: other.subjectId, name: 'Someone Else' } }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'corrections.subjectId' } });
    await expect(
      complete(requestId, { corrections: { subjectId: p.subjectId, name: 'N'.repeat(201) } }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'corrections.name', max: 200 } });
    await expect(
      complete(requestId, { corrections: { subjectId: p.subjectId, phone: '1'.repeat(41) } }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'corrections.phone', max: 40 } });

    expect(await rowCounts(kernel.db, ['rights_request_events', 'audit_events'])).toEqual(counts);
    expect((await requestRow(requestId)).status).toBe('received');
    const names = await kernel.db.tenant(P, (trx) =>
      findSubjects(kernel, trx, { accountId: P, by: 'name', value: p.name, actor: STAFF, purpose: 'service_delivery' }),
    );
    expect(names.map((s) => s.id)).toEqual([p.subjectId]);
  });
});

describe(placeLegalHold.name, () => {
  it('CC-10: refuses a hold without a reason or a review date within seven years', async () => {
    const p = await newPerson({ consent: false });
    const hold = { accountId: P, subjectId: p.subjectId, actor: STAFF, basis: 'staff_hold' as const };

    await expect(placeLegalHold(kernel, { ...hold, reason: 'why', reviewOn: '2027-01-01' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'reason' },
    });
    await expect(
      placeLegalHold(kernel, { ...hold, reason: 'An insurer asked us to keep the file', reviewOn: '2026-01-01' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'reviewOn' } });
    await expect(
      placeLegalHold(kernel, { ...hold, reason: 'An insurer asked us to keep the file', reviewOn: '2040-01-01' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'reviewOn' } });
    expect(await listLegalHolds(kernel, { accountId: P, subjectId: p.subjectId })).toEqual([]);
  });
});
