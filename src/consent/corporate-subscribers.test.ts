/**
 * The policy's rule for corporate subscribers (PECR reg. 22 covers individuals only): a company address flagged at
 * collection, with an opt-out offered, may be e-mailed without consent where the notice says so, and only then.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { openTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { ensureProviderAccount } from '../accounts/accounts.ts';
import { fixedClock } from '../kernel/clock.ts';
import { loadConfig } from '../kernel/config.ts';
import { ephemeralKeyring } from '../kernel/crypto/keyring.ts';
import { PROVIDER_ACCOUNT_ID } from '../kernel/db/schema.ts';
import { createKernel, type Kernel } from '../kernel/kernel.ts';
import type { Mailer, OutgoingMail } from '../kernel/mail/mailer.ts';
import { checkPolicyText, formatIssue } from '../policy/policy-check.ts';
import { loadPolicyFile, POLICIES_DIR } from '../policy/policy-loader.ts';
import { createSubject } from '../subjects/subjects.ts';
import { type MarketingChoice, recordMarketingChoice, toIso27560 } from './consent-records.ts';
import { latestConsentRecord } from './consent-repository.ts';
import { checkMarketingRecipient } from './marketing-check.ts';
import { sendMarketingEmail, unsubscribeByToken } from './marketing-mail.ts';

const STAFF = { id: '00000000-0000-4000-8000-0000000000aa', role: 'receptionist' };

describe('corporate subscribers follow the policy rule', () => {
  let db: TestDatabase;
  let dataDir: string;
  const sent: OutgoingMail[] = [];
  const mailer: Mailer = {
    send: async (mail) => {
      sent.push(mail);
      return { messageId: `<t-${sent.length}@custodian.test>` };
    },
    close: () => {},
  };
  let phone: Kernel; // cloud-phone: the notice covers individuals, not companies (CP-10): the rule allows it
  let answering: Kernel; // answering-service: consent for everyone
  let counter = 0;

  beforeAll(async () => {
    db = await openTestDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-corporate-'));
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', PUBLIC_URL: 'https://desk.example.test' });
    const common = { db, clock: fixedClock(new Date('2026-11-23T09:00:00Z')), keyring: ephemeralKeyring(), mailer };
    phone = await createKernel(config, {
      ...common,
      policyFile: loadPolicyFile(path.join(POLICIES_DIR, 'cloud-phone.yaml')),
    });
    answering = await createKernel(config, {
      ...common,
      policyFile: loadPolicyFile(path.join(POLICIES_DIR, 'answering-service.yaml')),
    });
    await ensureProviderAccount(phone, 'Desk (test)');
  });

  afterAll(async () => {
    await phone.close();
    await answering.close();
    await db.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const contact = (k: Kernel, email: string) =>
    k.db.tenant(PROVIDER_ACCOUNT_ID, (trx) =>
      createSubject(k, trx, {
        accountId: PROVIDER_ACCOUNT_ID,
        kind: 'subscriber',
        name: 'Pat Buyer',
        email,
        phone: `07700 900${String(200 + counter++).padStart(3, '0')}`,
        source: 'trade show',
        actor: STAFF,
        purpose: 'marketing',
      }),
    );
  const corporate = (subjectId: string, extra: Partial<MarketingChoice> = {}): MarketingChoice => ({
    accountId: PROVIDER_ACCOUNT_ID,
    subjectId,
    channel: 'email',
    topic: 'marketing',
    state: 'given',
    basis: 'corporate_subscriber',
    method: 'in-person',
    actor: STAFF,
    optOutOffered: true,
    ...extra,
  });
  const check = (k: Kernel, subjectId: string, channel: 'email' | 'sms' = 'email') =>
    k.db.tenant(PROVIDER_ACCOUNT_ID, (trx) =>
      checkMarketingRecipient(k, trx, { accountId: PROVIDER_ACCOUNT_ID, subjectId, channel, topic: 'marketing' }),
    );

  it('every example policy states the rule, and only the cloud-phone notice (individuals only, CP-10) allows it', () => {
    const rules = [
      'answering-service',
      'cloud-phone',
      'conferencing-vendor',
      'contact-centre-saas',
      'virtual-office',
    ].map((n) => [n, loadPolicyFile(path.join(POLICIES_DIR, `${n}.yaml`)).file.marketing.corporateSubscribers]);
    expect(
      Object.fromEntries(rules.map(([n, r]) => [n, (r as { allowedWithoutConsent: boolean }).allowedWithoutConsent])),
    ).toEqual({
      'answering-service': false,
      'cloud-phone': true,
      'conferencing-vendor': false,
      'contact-centre-saas': false,
      'virtual-office': false,
    });
    for (const [, r] of rules) expect(r).toMatchObject({ requireOptOut: true });
  });

  it('a policy without the rule defaults to no exemption, and a malformed rule is named by the checker', () => {
    const source = fs.readFileSync(path.join(POLICIES_DIR, 'cloud-phone.yaml'), 'utf8');
    const edit = (fn: (doc: ReturnType<typeof parseDocument>) => void) => {
      const doc = parseDocument(source);
      fn(doc);
      const result = checkPolicyText(doc.toString());
      return { ok: result.ok, text: result.issues.map((i) => formatIssue('p.yaml', i)).join('\n') };
    };
    const without = edit((doc) => doc.deleteIn(['marketing', 'corporateSubscribers']));
    expect(without.ok).toBe(true);

    const optOutOff = edit((doc) => doc.setIn(['marketing', 'corporateSubscribers', 'requireOptOut'], false));
    expect(optOutOff.ok).toBe(false);
    expect(optOutOff.text).toMatch(/marketing\.corporateSubscribers\.requireOptOut: must be true/);

    const notBoolean = edit((doc) => doc.setIn(['marketing', 'corporateSubscribers', 'allowedWithoutConsent'], 'yes'));
    expect(notBoolean.ok).toBe(false);
    expect(notBoolean.text).toMatch(/marketing\.corporateSubscribers\.allowedWithoutConsent/);

    const noElectronicMail = edit((doc) =>
      doc.setIn(['marketing', 'channels'], doc.createNode([{ channel: 'post', basis: 'consent', rules: 'By post.' }])),
    );
    expect(noElectronicMail.ok).toBe(false);
    expect(noElectronicMail.text).toMatch(
      /marketing\.corporateSubscribers\.allowedWithoutConsent: the corporate-subscriber rule .* covers e-mail and SMS/,
    );
  });

  it('a corporate address flagged at collection, opt-out offered, is e-mailed without consent where the rule allows, and opts out in one click', async () => {
    const id = await contact(phone, 'buying@acme-ltd.test');
    // Before the flag it is an individual subscriber's address (a sole trader's would stay so): consent needed.
    expect(await check(phone, id)).toEqual({ allowed: false, reason: 'no_consent' });

    const [recordId] = await recordMarketingChoice(phone, corporate(id));
    const verdict = await check(phone, id);
    expect(verdict).toMatchObject({ allowed: true, legalBasis: 'legitimate_interests', softOptIn: false });
    const record = await phone.db.tenant(PROVIDER_ACCOUNT_ID, (trx) =>
      latestConsentRecord(trx, PROVIDER_ACCOUNT_ID, id, 'email', 'marketing'),
    );
    expect(record).toMatchObject({ id: recordId, basis: 'corporate_subscriber', opt_out_offered: true });
    expect(toIso27560(phone, record as never).processing.purposes[0]?.pecrBasis).toMatch(
      /CorporateSubscriberExemption$/,
    );

    expect(
      (
        await sendMarketingEmail(phone, {
          accountId: PROVIDER_ACCOUNT_ID,
          subjectId: id,
          topic: 'marketing',
          subject: 'Hi',
          text: 'Our news.',
        })
      ).allowed,
    ).toBe(true);
    const mail = sent.find((m) => m.to === 'buying@acme-ltd.test');
    expect(mail?.headers?.['List-Unsubscribe']).toMatch(/^<https:\/\/desk\.example\.test\/u\//);
    const token = /\/u\/([^>]+)>/.exec(mail?.headers?.['List-Unsubscribe'] ?? '')?.[1] ?? '';
    expect(await unsubscribeByToken(phone, token)).toEqual({ changed: 1 });
    expect(await check(phone, id)).toEqual({ allowed: false, reason: 'opted_out' });
  });

  it('the flag needs an opt-out offered and e-mail or SMS, an objection still wins, and a notice without the rule refuses it', async () => {
    const id = await contact(phone, 'sales@widgets-llp.test');
    await expect(recordMarketingChoice(phone, corporate(id, { optOutOffered: false }))).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/a way to refuse must have been offered/),
    });
    await expect(recordMarketingChoice(phone, corporate(id, { channel: 'phone' }))).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/e-mail and SMS only/),
    });
    await recordMarketingChoice(phone, corporate(id, { channel: 'sms' }));
    expect((await check(phone, id, 'sms')).allowed).toBe(true);
    await recordMarketingChoice(phone, {
      ...corporate(id, { channel: 'sms' }),
      state: 'refused',
      basis: 'objection',
    });
    expect(await check(phone, id, 'sms')).toEqual({ allowed: false, reason: 'objected' });

    // Under the answering-service notice the rule is off: no record, and an old flag no longer sends.
    const other = await contact(answering, 'office@bigco-plc.test');
    await expect(recordMarketingChoice(answering, corporate(other))).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/the notice does not market to corporate subscribers without consent/),
    });
    await recordMarketingChoice(phone, corporate(other));
    expect((await check(phone, other)).allowed).toBe(true);
    expect(await check(answering, other)).toEqual({ allowed: false, reason: 'no_consent' });
  });
});
