/**
 * Marketing and service mail through a real SMTP server (smtp-server, in process): the send-time check, RFC 8058
 * one-click unsubscribe over HTTP with no cookies, suppression surviving erasure and re-import, service mail to
 * people who opted out, and nothing the law does not require to a deactivated account.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { startSmtpSink } from '../../test/support/smtp.ts';
import { createClientAccount, ensureProviderAccount } from '../accounts/accounts.ts';
import { buildApp, SUBJECT_DATA_SOURCES } from '../app.ts';
import { createUser } from '../auth/auth.ts';
import { fixedClock } from '../kernel/clock.ts';
import { loadConfig } from '../kernel/config.ts';
import { ephemeralKeyring } from '../kernel/crypto/keyring.ts';
import type { MarketingChannel } from '../kernel/db/schema.ts';
import { PROVIDER_ACCOUNT_ID } from '../kernel/db/schema.ts';
import type { App } from '../kernel/http/types.ts';
import { createKernel, type Kernel } from '../kernel/kernel.ts';
import { createMailer } from '../kernel/mail/mailer.ts';
import { decide } from '../kernel/policy/policy.ts';
import { loadPolicyFile, POLICIES_DIR } from '../policy/policy-loader.ts';
import { createSubject, eraseSubject } from '../subjects/subjects.ts';
import { readPreferences, recordMarketingChoice, toIso27560, toKantaraReceipt } from './consent-records.ts';
import { importMarketingList } from './import-list.ts';
import { checkMarketingRecipient } from './marketing-check.ts';
import { sendMarketingEmail, sendServiceEmail, unsubscribeUrl } from './marketing-mail.ts';

/** Header name → values, with folded lines unfolded. */
const headersOf = (raw: string) => {
  const head = raw.split(/\r?\n\r?\n/)[0]?.replace(/\r?\n[ \t]+/g, ' ') ?? '';
  const map = new Map<string, string[]>();
  for (const line of head.split(/\r?\n/)) {
    const i = line.indexOf(':');
    const name = line.slice(0, i).toLowerCase();
    map.set(name, [...(map.get(name) ?? []), line.slice(i + 1).trim()]);
  }

  return map;
};

const NOTICES = [
  'answering-service',
  'contact-centre-saas',
  'cloud-phone',
  'conferencing-vendor',
  'virtual-office',
] as const;
type Notice = (typeof NOTICES)[number];
const SYSTEM = { id: null, role: 'system' };
const STAFF = { id: '00000000-0000-4000-8000-0000000000aa', role: 'receptionist' };

describe('marketing and service mail', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let db: TestDatabase;
  let dataDir: string;
  const clock = fixedClock(new Date('2026-11-23T09:00:00Z'));
  const keyring = ephemeralKeyring();
  const kernels = {} as Record<Notice, Kernel>;
  const apps = {} as Partial<Record<Notice, App>>;
  let clientAccount: string;
  let counter = 0;

  const subscriber = async (k: Kernel, email: string, consent: MarketingChannel[] = ['email']) => {
    const subjectId = await k.db.tenant(PROVIDER_ACCOUNT_ID, (trx) =>
      createSubject(k, trx, {
        accountId: PROVIDER_ACCOUNT_ID,
        kind: 'subscriber',
        name: 'Sam Subscriber',
        email,
        phone: `07700 900${String(100 + (counter++ % 800)).padStart(3, '0')}`,
        source: 'newsletter form',
        actor: SYSTEM,
        purpose: 'marketing',
      }),
    );
    for (const channel of consent) {
      await recordMarketingChoice(k, {
        accountId: PROVIDER_ACCOUNT_ID,
        subjectId,
        channel,
        topic: 'marketing',
        state: 'given',
        basis: 'consent',
        method: 'web-form',
        actor: { id: null, role: 'data_subject' },
      });
    }

    return subjectId;
  };

  const customer = async (k: Kernel, email: string, accountId = clientAccount) => {
    const user = await createUser(k, {
      accountId,
      role: 'owner',
      name: 'Cleo Customer',
      email,
      password: 'correct horse battery staple',
    });

    return user.subjectId;
  };

  const news = (k: Kernel, accountId: string, subjectId: string) =>
    sendMarketingEmail(k, {
      accountId,
      subjectId,
      topic: 'marketing',
      subject: 'Our news',
      text: 'What is new this month.',
    });

  const appFor = async (notice: Notice) => {
    apps[notice] ??= await buildApp(kernels[notice]);

    return apps[notice] as App;
  };

  const sentTo = (address: string) => smtp.received.filter((m) => m.to.includes(address));

  beforeAll(async () => {
    smtp = await startSmtpSink();
    db = await openTestDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-consent-'));
    for (const notice of NOTICES) {
      const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', PUBLIC_URL: 'https://desk.example.test' });
      const mailer = createMailer({ smtpUrl: smtp.url, from: 'Desk <news@desk.example.test>', dataDir });
      const policyFile = loadPolicyFile(path.join(POLICIES_DIR, `${notice}.yaml`));
      kernels[notice] = await createKernel(config, { db, clock, keyring, mailer, policyFile });
    }
    await ensureProviderAccount(kernels['answering-service'], 'Desk (test)');
    clientAccount = await createClientAccount(kernels['answering-service'], { name: 'Client Co' });
  });

  afterAll(async () => {
    for (const app of Object.values(apps)) await app?.close();
    for (const k of Object.values(kernels)) await k.close();
    await db.close();
    await smtp.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('AS-11: marketing by any channel stops on request, every marketing e-mail carries one-click unsubscribe, and essential service e-mail continues', async () => {
    const k = kernels['answering-service'];
    const id = await subscriber(k, 'ann@people.test', ['email', 'sms', 'post', 'phone', 'fax', 'social']);

    expect((await news(k, PROVIDER_ACCOUNT_ID, id)).allowed).toBe(true);
    const [mail] = sentTo('ann@people.test');
    const headers = headersOf(mail?.raw ?? '');
    expect(headers.get('list-unsubscribe')).toHaveLength(1);
    expect(headers.get('list-unsubscribe')?.[0]).toMatch(/^<https:\/\/desk\.example\.test\/u\/[A-Za-z0-9_-]+>$/);
    expect(headers.get('list-unsubscribe-post')).toEqual(['List-Unsubscribe=One-Click']);
    expect(headers.get('x-custodian-class')).toEqual(['marketing']);
    expect(mail?.raw).toContain('https://desk.example.test/u/');

    // The person phones in: staff log "no more marketing of any kind".
    for (const channel of ['email', 'sms', 'post', 'phone', 'fax', 'social'] as const) {
      await recordMarketingChoice(k, {
        accountId: PROVIDER_ACCOUNT_ID,
        subjectId: id,
        channel,
        topic: 'all',
        state: 'withdrawn',
        basis: 'consent',
        method: 'phone',
        actor: STAFF,
      });
    }
    expect(await news(k, PROVIDER_ACCOUNT_ID, id)).toEqual({ allowed: false, reason: 'opted_out' });
    for (const channel of ['sms', 'post', 'phone', 'fax', 'social'] as const) {
      const verdict = await k.db.tenant(PROVIDER_ACCOUNT_ID, (trx) =>
        checkMarketingRecipient(k, trx, { accountId: PROVIDER_ACCOUNT_ID, subjectId: id, channel, topic: 'marketing' }),
      );
      expect(verdict.allowed, channel).toBe(false);
    }
    expect(sentTo('ann@people.test')).toHaveLength(1);

    expect(
      await sendServiceEmail(k, {
        accountId: PROVIDER_ACCOUNT_ID,
        subjectId: id,
        message: 'billing',
        subject: 'Your invoice',
        text: 'Invoice 1042 is attached.',
      }),
    ).toEqual({ sent: true });
    const service = sentTo('ann@people.test')[1];
    expect(headersOf(service?.raw ?? '').get('x-custodian-class')).toEqual(['service']);
    expect(headersOf(service?.raw ?? '').has('list-unsubscribe')).toBe(false);
    await expect(
      sendServiceEmail(k, {
        accountId: PROVIDER_ACCOUNT_ID,
        subjectId: id,
        message: 'billing',
        subject: 'Your invoice',
        text: 'Plus a special offer: 20% off!',
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('the unsubscribe POST works with no cookies, without a redirect, idempotently; a GET changes nothing', async () => {
    const k = kernels['answering-service'];
    const app = await appFor('answering-service');
    const id = await subscriber(k, 'bo@people.test');
    const url = new URL(unsubscribeUrl(k, PROVIDER_ACCOUNT_ID, id));

    for (let i = 0; i < 3; i += 1) {
      const get = await app.inject({ method: 'GET', url: url.pathname });
      expect(get.statusCode).toBe(200);
      expect(get.body).toContain('<form method="post"');
    }
    expect((await checkState(k, id)).allowed).toBe(true);

    const post = await app.inject({
      method: 'POST',
      url: url.pathname,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(post.statusCode).toBe(200);
    expect(post.headers.location).toBeUndefined();
    expect(post.headers['set-cookie']).toBeUndefined();
    expect(await checkState(k, id)).toEqual({ allowed: false, reason: 'opted_out' });
    const records = await countRecords(k, id);

    const again = await app.inject({
      method: 'POST',
      url: url.pathname,
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      payload: '--x\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--x--\r\n',
    });
    expect(again.statusCode).toBe(200);
    expect(await countRecords(k, id)).toBe(records);
    expect(await news(k, PROVIDER_ACCOUNT_ID, id)).toEqual({ allowed: false, reason: 'opted_out' });
  });

  it('forged and expired unsubscribe tokens are refused and change nothing', async () => {
    const k = kernels['answering-service'];
    const app = await appFor('answering-service');
    const id = await subscriber(k, 'cy@people.test');
    const token = new URL(unsubscribeUrl(k, PROVIDER_ACCOUNT_ID, id)).pathname.slice(3);
    const forged = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    const foreign = new URL(
      unsubscribeUrl({ ...k, keyring: ephemeralKeyring() }, PROVIDER_ACCOUNT_ID, id),
    ).pathname.slice(3);

    for (const bad of [forged, foreign, 'not-a-token']) {
      const res = await app.inject({ method: 'POST', url: `/u/${bad}` });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('not valid or has expired');
    }
    expect((await checkState(k, id)).allowed).toBe(true);

    const before = clock.now();
    clock.advance({ days: 401 });
    try {
      expect((await app.inject({ method: 'POST', url: `/u/${token}` })).statusCode).toBe(400);
      expect((await app.inject({ method: 'GET', url: `/u/${token}` })).statusCode).toBe(400);
    } finally {
      clock.set(before);
    }
    expect((await checkState(k, id)).allowed).toBe(true);
  });

  it('CC-3: marketing e-mail goes only to customers (soft opt-in) or subscribers, with an unsubscribe link, and an opt-out by any channel is honoured', async () => {
    const k = kernels['contact-centre-saas'];
    const buyer = await customer(k, 'dee@buyer.test');
    const soft = {
      channel: 'email' as const,
      topic: 'marketing',
      state: 'given' as const,
      basis: 'soft_opt_in' as const,
      method: 'sign-up',
      actor: SYSTEM,
    };

    await expect(
      recordMarketingChoice(k, { ...soft, accountId: clientAccount, subjectId: buyer, inCourseOfSale: true }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await recordMarketingChoice(k, {
      ...soft,
      accountId: clientAccount,
      subjectId: buyer,
      inCourseOfSale: true,
      optOutOffered: true,
    });
    expect(await news(k, clientAccount, buyer)).toMatchObject({
      allowed: true,
      softOptIn: true,
      legalBasis: 'legitimate_interests',
    });
    expect(headersOf(sentTo('dee@buyer.test')[0]?.raw ?? '').get('list-unsubscribe-post')).toEqual([
      'List-Unsubscribe=One-Click',
    ]);

    // Not a customer: no soft opt-in; subscribing (consent) is the only way in.
    const stranger = await subscriber(k, 'eve@people.test', []);
    await expect(
      recordMarketingChoice(k, {
        ...soft,
        accountId: PROVIDER_ACCOUNT_ID,
        subjectId: stranger,
        inCourseOfSale: true,
        optOutOffered: true,
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await news(k, PROVIDER_ACCOUNT_ID, stranger)).toEqual({ allowed: false, reason: 'no_consent' });
    await expect(
      recordMarketingChoice(k, {
        ...soft,
        channel: 'phone',
        accountId: clientAccount,
        subjectId: buyer,
        inCourseOfSale: true,
        optOutOffered: true,
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    const fan = await subscriber(k, 'fay@people.test');
    expect((await news(k, PROVIDER_ACCOUNT_ID, fan)).allowed).toBe(true);

    // An opt-out by another channel (a letter, logged by staff as an objection) stops the e-mail too.
    await recordMarketingChoice(k, {
      accountId: clientAccount,
      subjectId: buyer,
      channel: 'email',
      topic: 'all',
      state: 'refused',
      basis: 'objection',
      method: 'letter',
      actor: STAFF,
    });
    expect(await news(k, clientAccount, buyer)).toEqual({ allowed: false, reason: 'objected' });
    expect(sentTo('dee@buyer.test')).toHaveLength(1);
  });

  it('CP-3: marketing by e-mail, phone or SMS only with consent and without an opt-out', async () => {
    const k = kernels['cloud-phone'];
    const id = await subscriber(k, 'gus@people.test', []);
    const check = (channel: MarketingChannel) =>
      k.db.tenant(PROVIDER_ACCOUNT_ID, (trx) =>
        checkMarketingRecipient(k, trx, { accountId: PROVIDER_ACCOUNT_ID, subjectId: id, channel, topic: 'marketing' }),
      );

    for (const channel of ['email', 'phone', 'sms'] as const)
      expect(await check(channel)).toEqual({ allowed: false, reason: 'no_consent' });
    expect(await check('post')).toEqual({ allowed: false, reason: 'channel_not_in_notice' });
    for (const channel of ['email', 'phone', 'sms'] as const) {
      await recordMarketingChoice(k, {
        accountId: PROVIDER_ACCOUNT_ID,
        subjectId: id,
        channel,
        topic: 'marketing',
        state: 'given',
        basis: 'consent',
        method: 'web-form',
        actor: SYSTEM,
      });
      expect((await check(channel)).allowed).toBe(true);
    }
    await recordMarketingChoice(k, {
      accountId: PROVIDER_ACCOUNT_ID,
      subjectId: id,
      channel: 'sms',
      topic: 'marketing',
      state: 'withdrawn',
      basis: 'consent',
      method: 'sms-stop',
      actor: { id: null, role: 'data_subject' },
    });
    expect(await check('sms')).toEqual({ allowed: false, reason: 'opted_out' });
    // The number is now suppressed, so phone calls stop as well; e-mail rests on its own consent.
    expect(await check('phone')).toEqual({ allowed: false, reason: 'suppressed' });
    expect((await check('email')).allowed).toBe(true);
  });

  it('CV-10: withdrawing consent stops the marketing that rested on it, in the portal as in the kernel decision', async () => {
    const k = kernels['conferencing-vendor'];
    const app = await appFor('conferencing-vendor');
    const email = 'hal@vexley-client.test';
    const id = await customer(k, email);
    await recordMarketingChoice(k, {
      accountId: clientAccount,
      subjectId: id,
      channel: 'email',
      topic: 'marketing',
      state: 'given',
      basis: 'consent',
      method: 'web-form',
      actor: SYSTEM,
    });
    expect((await news(k, clientAccount, id)).allowed).toBe(true);

    const signIn = await app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { email, password: 'correct horse battery staple' },
      remoteAddress: '10.9.0.1',
    });
    const cookie = String([signIn.headers['set-cookie']].flat()[0]).split(';')[0] ?? '';
    const csrf = (signIn.json() as { csrfToken: string }).csrfToken;
    const res = await app.inject({
      method: 'POST',
      url: '/api/portal/marketing-preferences',
      headers: { cookie, 'x-csrf-token': csrf },
      payload: { channel: 'email', topic: 'marketing', state: 'withdrawn' },
    });
    expect(res.statusCode).toBe(201);

    expect(await news(k, clientAccount, id)).toEqual({ allowed: false, reason: 'opted_out' });
    const decision = await k.db.tenant(clientAccount, (trx) =>
      decide(trx, k.policy, { accountId: clientAccount, subjectId: id, purpose: 'marketing', operation: 'use' }),
    );
    expect(decision).toEqual({ allowed: false, reason: 'no_consent' });
    const prefs = await app.inject({ method: 'GET', url: '/api/portal/marketing-preferences', headers: { cookie } });
    expect(
      (prefs.json() as { preferences: { channel: string; topic: string; state: string }[] }).preferences,
    ).toContainEqual(expect.objectContaining({ channel: 'email', topic: 'marketing', state: 'withdrawn' }));
    expect(sentTo(email)).toHaveLength(1);
  });

  it('CC-8: an erased person added back by a list import is never mailed, and the list holds no address', async () => {
    const k = kernels['contact-centre-saas'];
    const imported = await importMarketingList(k, {
      accountId: PROVIDER_ACCOUNT_ID,
      actor: SYSTEM,
      source: 'trade show 2026',
      people: [
        {
          name: 'Ivy Import',
          email: 'ivy@people.test',
          phone: '020 7946 0123',
          consent: { channels: ['email'], topics: ['marketing'] },
        },
      ],
    });
    expect(imported).toEqual({ imported: 1, matched: 0, suppressed: 0, consentsRecorded: 1 });
    const [ivy] = await db.system((trx) =>
      trx.selectFrom('subjects').select('id').where('source', '=', 'list import: trade show 2026').execute(),
    );
    await k.db.tenant(PROVIDER_ACCOUNT_ID, (trx) =>
      eraseSubject(k, trx, SUBJECT_DATA_SOURCES, {
        accountId: PROVIDER_ACCOUNT_ID,
        subjectId: ivy?.id ?? '',
        actor: STAFF,
        reason: 'data_subject_request',
      }),
    );

    const again = await importMarketingList(k, {
      accountId: clientAccount,
      actor: SYSTEM,
      source: 'bought list',
      people: [
        { name: 'Ivy Import', email: '  IVY@People.test ', consent: { channels: ['email'], topics: ['marketing'] } },
        { name: 'Ivy by phone', phone: '+44 20 7946 0123' },
      ],
    });
    expect(again).toEqual({ imported: 0, matched: 0, suppressed: 2, consentsRecorded: 0 });

    // Even if the address comes back some other way, the send-time check finds it suppressed.
    const back = await subscriber(k, 'ivy@people.test');
    expect(await news(k, PROVIDER_ACCOUNT_ID, back)).toEqual({ allowed: false, reason: 'suppressed' });
    expect(sentTo('ivy@people.test')).toHaveLength(0);

    const dump = await db.system((trx) => trx.selectFrom('suppression_list').selectAll().execute());
    expect(dump.length).toBeGreaterThan(0);
    expect(JSON.stringify(dump.map((r) => r.hash.toString('latin1')))).not.toContain('ivy@people.test');
  });

  it('VO-7: special offers can be refused, invoices and service announcements cannot, and a deactivated account gets only what the law requires', async () => {
    const k = kernels['virtual-office'];
    const gone = await createClientAccount(k, { name: 'Gone Co' });
    const jo = await customer(k, 'jo@vo-client.test');
    const kit = await customer(k, 'kit@vo-gone.test', gone);
    for (const [accountId, subjectId] of [
      [clientAccount, jo],
      [gone, kit],
    ] as const) {
      await recordMarketingChoice(k, {
        accountId,
        subjectId,
        channel: 'email',
        topic: 'marketing',
        state: 'given',
        basis: 'soft_opt_in',
        method: 'sign-up',
        inCourseOfSale: true,
        optOutOffered: true,
        actor: SYSTEM,
      });
    }
    expect((await news(k, clientAccount, jo)).allowed).toBe(true);

    await recordMarketingChoice(k, {
      accountId: clientAccount,
      subjectId: jo,
      channel: 'email',
      topic: 'all',
      state: 'refused',
      basis: 'soft_opt_in',
      method: 'portal',
      actor: { id: null, role: 'data_subject' },
    });
    expect(await news(k, clientAccount, jo)).toEqual({ allowed: false, reason: 'opted_out' });
    for (const message of ['invoices', 'service_announcements']) {
      expect(
        await sendServiceEmail(k, {
          accountId: clientAccount,
          subjectId: jo,
          message,
          subject: 'Your statement',
          text: 'Statement for November.',
        }),
      ).toEqual({ sent: true });
    }
    expect(sentTo('jo@vo-client.test').map((m) => headersOf(m.raw).get('x-custodian-class')?.[0])).toEqual([
      'marketing',
      'service',
      'service',
    ]);

    await db.system((trx) =>
      trx
        .updateTable('accounts')
        .set({ status: 'deactivated', status_changed_at: clock.now() })
        .where('id', '=', gone)
        .execute(),
    );
    expect(await news(k, gone, kit)).toEqual({ allowed: false, reason: 'account_deactivated' });
    expect(
      await sendServiceEmail(k, {
        accountId: gone,
        subjectId: kit,
        message: 'invoices',
        subject: 'Statement',
        text: 'Statement.',
      }),
    ).toEqual({ sent: false, reason: 'account_deactivated' });
    expect(
      await sendServiceEmail(k, {
        accountId: gone,
        subjectId: kit,
        message: 'rights_request',
        subject: 'Your access request',
        text: 'Your copy is ready.',
      }),
    ).toEqual({ sent: true });
    expect(sentTo('kit@vo-gone.test')).toHaveLength(1);
  });

  it('consent records are append-only and export as ISO/IEC 27560 records and Kantara v1.1 receipts', async () => {
    const k = kernels['answering-service'];
    const app = await appFor('answering-service');
    const id = await subscriber(k, 'lou@people.test');
    const [record] = await db.system((trx) =>
      trx.selectFrom('consent_records').selectAll().where('subject_id', '=', id).execute(),
    );
    if (!record) throw new Error('no record');
    await expect(
      db.system((trx) =>
        trx.updateTable('consent_records').set({ state: 'refused' }).where('id', '=', record.id).execute(),
      ),
    ).rejects.toThrow(/append-only/);
    await expect(
      db.system((trx) => trx.deleteFrom('consent_records').where('id', '=', record.id).execute()),
    ).rejects.toThrow(/append-only/);

    const receipt = toKantaraReceipt(k, record);
    expect(receipt).toMatchObject({
      version: 'KI-CR-v1.1.0',
      consentReceiptID: record.id,
      piiPrincipalId: id,
      collectionMethod: 'web-form',
      sensitive: false,
    });
    expect(receipt.jurisdiction).not.toBe('');
    expect(receipt.policyUrl).toBe('https://desk.example.test/privacy/v/2');
    expect(receipt.services[0]?.purposes[0]).toMatchObject({
      consentType: 'EXPLICIT',
      purposeCategory: ['https://w3id.org/dpv#DirectMarketing'],
    });
    const iso = toIso27560(k, record);
    expect(iso.events[0]?.eventState).toBe('https://w3id.org/dpv#ConsentGiven');
    expect(iso.processing.purposes[0]?.lawfulBasis).toBe('https://w3id.org/dpv/legal/eu/gdpr#A6-1-a');
    expect(
      (await k.db.tenant(PROVIDER_ACCOUNT_ID, (trx) => readPreferences(k, trx, PROVIDER_ACCOUNT_ID, id))).length,
    ).toBe(12);

    // Unknown topic and a channel the notice does not market by are refused with clear errors.
    await expect(
      recordMarketingChoice(k, {
        accountId: PROVIDER_ACCOUNT_ID,
        subjectId: id,
        channel: 'email',
        topic: 'billing',
        state: 'given',
        basis: 'consent',
        method: 'x',
        actor: SYSTEM,
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(app).toBeDefined();
  });

  it('an opt-out a receptionist logs from a phone call, and a list import by an administrator, go through the HTTP routes', async () => {
    const k = kernels['answering-service'];
    const app = await appFor('answering-service');
    const signIn = async (role: 'receptionist' | 'admin') => {
      const email = `${role}@desk.example.test`;
      await createUser(k, {
        accountId: PROVIDER_ACCOUNT_ID,
        role,
        name: `Staff ${role}`,
        email,
        password: 'correct horse battery staple',
      });
      const res = await app.inject({
        method: 'POST',
        url: '/api/auth/sign-in',
        payload: { email, password: 'correct horse battery staple' },
        remoteAddress: `10.8.0.${role.length}`,
      });
      return {
        cookie: String([res.headers['set-cookie']].flat()[0]).split(';')[0] ?? '',
        'x-csrf-token': (res.json() as { csrfToken: string }).csrfToken,
      };
    };
    const desk = await signIn('receptionist');
    const admin = await signIn('admin');

    const imported = await app.inject({
      method: 'POST',
      url: '/api/consent/import',
      headers: admin,
      payload: {
        source: 'newsletter form export',
        people: [
          { name: 'Max Mail', email: 'max@people.test', consent: { channels: ['email'], topics: ['marketing'] } },
        ],
      },
    });
    expect(imported.json()).toEqual({ imported: 1, matched: 0, suppressed: 0, consentsRecorded: 1 });
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/consent/import',
          headers: desk,
          payload: { source: 'x', people: [{ name: 'A' }] },
        })
      ).statusCode,
    ).toBe(403);
    const [max] = await db.system((trx) =>
      trx.selectFrom('subjects').select('id').where('source', '=', 'list import: newsletter form export').execute(),
    );
    const subjectId = max?.id ?? '';
    expect((await news(k, PROVIDER_ACCOUNT_ID, subjectId)).allowed).toBe(true);

    const logged = await app.inject({
      method: 'POST',
      url: `/api/accounts/${PROVIDER_ACCOUNT_ID}/subjects/${subjectId}/marketing-preferences`,
      headers: desk,
      payload: { channel: 'email', topic: 'all', state: 'withdrawn', method: 'phone' },
    });
    expect(logged.statusCode).toBe(201);
    expect(await news(k, PROVIDER_ACCOUNT_ID, subjectId)).toEqual({ allowed: false, reason: 'opted_out' });
    const prefs = await app.inject({
      method: 'GET',
      url: `/api/accounts/${PROVIDER_ACCOUNT_ID}/subjects/${subjectId}/marketing-preferences`,
      headers: desk,
    });
    expect(
      (prefs.json() as { preferences: { channel: string; state: string }[] }).preferences
        .filter((p) => p.channel === 'email')
        .map((p) => p.state),
    ).toEqual(['withdrawn', 'withdrawn']);
    const recordId = (logged.json() as { recordIds: string[] }).recordIds[0];
    expect(
      (
        await app.inject({
          method: 'GET',
          url: `/api/accounts/${PROVIDER_ACCOUNT_ID}/consent-records/${recordId}/receipt`,
          headers: desk,
        })
      ).statusCode,
    ).toBe(403);
    const receipt = await app.inject({
      method: 'GET',
      url: `/api/accounts/${PROVIDER_ACCOUNT_ID}/consent-records/${recordId}/receipt`,
      headers: admin,
    });
    expect(receipt.json()).toMatchObject({
      version: 'KI-CR-v1.1.0',
      consentReceiptID: recordId,
      collectionMethod: 'phone',
    });
  });

  const checkState = (k: Kernel, subjectId: string) =>
    k.db.tenant(PROVIDER_ACCOUNT_ID, (trx) =>
      checkMarketingRecipient(k, trx, {
        accountId: PROVIDER_ACCOUNT_ID,
        subjectId,
        channel: 'email',
        topic: 'marketing',
      }),
    );
  const countRecords = async (k: Kernel, subjectId: string) =>
    (
      await k.db.system((trx) =>
        trx.selectFrom('consent_records').select('id').where('subject_id', '=', subjectId).execute(),
      )
    ).length;
});
