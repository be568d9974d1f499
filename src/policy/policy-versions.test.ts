import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { openTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { startTestServer, type TestServer } from '../../test/support/server.ts';
import { startSmtpSink } from '../../test/support/smtp.ts';
import { createClientAccount, ensureProviderAccount } from '../accounts/accounts.ts';
import { createUser } from '../auth/auth.ts';
import { fixedClock } from '../kernel/clock.ts';
import { loadConfig } from '../kernel/config.ts';
import { ephemeralKeyring } from '../kernel/crypto/keyring.ts';
import { PROVIDER_ACCOUNT_ID } from '../kernel/db/schema.ts';
import { createKernel, type Kernel } from '../kernel/kernel.ts';
import { createMailer } from '../kernel/mail/mailer.ts';
import { decide } from '../kernel/policy/policy.ts';
import { createSubject } from '../subjects/subjects.ts';
import { type LoadedPolicy, POLICIES_DIR, parsePolicy } from './policy-loader.ts';
import { ensureBaselineVersion, publishPolicy, readPolicyVersion, recordPolicyAgreement } from './policy-versions.ts';

const source = (name: string) => fs.readFileSync(path.join(POLICIES_DIR, `${name}.yaml`), 'utf8');

/** Version 3 of the virtual-office policy: adds one purpose, a material change needing each person's agreement. */
const virtualOfficeV3 = () => {
  const doc = parseDocument(source('virtual-office'));
  doc.set('version', 3);
  doc.set('effectiveDate', '2026-03-01');
  const purposes = doc.get('purposes') as { add(v: unknown): void };
  purposes.add(
    doc.createNode({
      id: 'call_insights',
      name: 'Call-handling insights',
      description: 'Studying how calls to your number are answered, to suggest better call routing.',
      dpv: 'dpv:ServiceOptimisation',
      legalBasis: 'eu-gdpr:A6-1-f',
      legitimateInterest: 'Improving how calls are answered for our users.',
      categories: ['communications'],
      dataSubjects: ['users'],
    }),
  );
  (doc.get('changes') as { add(v: unknown): void }).add(
    doc.createNode({
      version: 3,
      date: '2026-03-01',
      material: true,
      summary: 'Adds call-handling insights.',
      newPurposes: ['call_insights'],
    }),
  );
  const text = doc.toString();

  return {
    file: parsePolicy(text, 'virtual-office-v3.yaml'),
    source: text,
    path: 'virtual-office-v3.yaml',
  } satisfies LoadedPolicy;
};

describe(publishPolicy.name, () => {
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let db: TestDatabase;
  let dataDir: string;
  const clock = fixedClock(new Date('2026-02-01T09:00:00Z'));
  const kernels: Kernel[] = [];
  const people: Record<string, { subjectId: string; accountId: string }> = {};

  const kernelWith = async (policyFile: LoadedPolicy) => {
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', PUBLIC_URL: 'https://desk.lanyard.test' });
    const mailer = createMailer({ smtpUrl: smtp.url, from: 'Lanyard <notices@lanyard.test>', dataDir });
    const kernel = await createKernel(config, { db, clock, keyring, mailer, policyFile });
    kernels.push(kernel);

    return kernel;
  };
  const keyring = ephemeralKeyring();

  beforeAll(async () => {
    smtp = await startSmtpSink();
    db = await openTestDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-publish-'));
    const v2 = await kernelWith({
      file: parsePolicy(source('virtual-office')),
      source: source('virtual-office'),
      path: 'virtual-office.yaml',
    });
    await ensureProviderAccount(v2, 'Lanyard Virtual Offices (test)');
    const active = await createClientAccount(v2, { name: 'Active Co' });
    const gone = await createClientAccount(v2, { name: 'Gone Co' });
    const add = async (key: string, accountId: string, role: 'owner' | 'colleague' | 'privacy_officer') => {
      const user = await createUser(v2, {
        accountId,
        role,
        name: `Person ${key}`,
        email: `${key}@people.test`,
        password: 'correct horse battery staple',
      });
      people[key] = { subjectId: user.subjectId, accountId };

      return user;
    };
    await add('owner', active, 'owner');
    await add('opted-out', active, 'colleague');
    const disabled = await add('disabled', active, 'colleague');
    await add('deactivated', gone, 'owner');
    await add('officer', PROVIDER_ACCOUNT_ID, 'privacy_officer');
    await db.system(async (trx) => {
      await trx.updateTable('users').set({ status: 'disabled' }).where('id', '=', disabled.userId).execute();
      await trx
        .updateTable('accounts')
        .set({ status: 'deactivated', status_changed_at: clock.now() })
        .where('id', '=', gone)
        .execute();
      // Opted out of marketing by every route there is: consent withdrawn and an objection recorded.
      const { subjectId, accountId } = people['opted-out'] as { subjectId: string; accountId: string };
      await trx
        .insertInto('processing_controls')
        .values([
          {
            account_id: accountId,
            subject_id: subjectId,
            kind: 'consent',
            purpose: 'marketing',
            active: false,
            recorded_at: clock.now(),
          },
          {
            account_id: accountId,
            subject_id: subjectId,
            kind: 'objection',
            purpose: 'marketing',
            active: true,
            recorded_at: clock.now(),
          },
        ])
        .execute();
    });
    expect(await ensureBaselineVersion(v2)).toBe(true);
  });

  afterAll(async () => {
    for (const k of kernels) await k.close();
    await db.close();
    await smtp.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('VO-16: a material change with a new use is e-mailed to every active user, including those who opted out of marketing, and to no deactivated or disabled user', async () => {
    expect(smtp.received).toEqual([]);
    clock.advance({ days: 1 });
    const v3 = await kernelWith(virtualOfficeV3());

    const result = await publishPolicy(v3, {
      source: v3.policyFile.source,
      actor: { id: null, role: 'privacy_officer' },
    });

    expect(result).toEqual({ version: 3, material: true, newPurposes: ['call_insights'], notified: 3 });
    expect(smtp.received.flatMap((m) => m.to).sort()).toEqual([
      'officer@people.test',
      'opted-out@people.test',
      'owner@people.test',
    ]);
    for (const mail of smtp.received) {
      expect(mail.raw).toMatch(/^Subject: Changes to our privacy notice \(version 3\)$/m);
      expect(mail.raw).toMatch(/^X-Custodian-Class: service$/m);
      expect(mail.raw).toContain('Call-handling insights');
      expect(mail.raw).toContain('https://desk.lanyard.test/privacy/v/3');
    }
    const stored = await db.system((trx) =>
      trx.selectFrom('policy_versions').select(['version', 'material', 'notified']).orderBy('version').execute(),
    );
    expect(stored).toEqual([
      { version: 2, material: false, notified: 0 },
      { version: 3, material: true, notified: 3 },
    ]);
  });

  it('VO-16: the new use is refused for each existing person until they agree, and stays refused for those who do not', async () => {
    const v3 = kernels.at(-1) as Kernel;
    const decideFor = (key: string) => {
      const { subjectId, accountId } = people[key] as { subjectId: string; accountId: string };

      return db.tenant(accountId, (trx) =>
        decide(trx, v3.policy, { accountId, subjectId, purpose: 'call_insights', operation: 'use' }),
      );
    };
    expect(await decideFor('owner')).toEqual({ allowed: false, reason: 'no_agreement' });
    expect(await decideFor('deactivated')).toEqual({ allowed: false, reason: 'no_agreement' });

    const answer = (key: string, agreed: boolean) => {
      const { subjectId, accountId } = people[key] as { subjectId: string; accountId: string };

      return recordPolicyAgreement(v3, {
        accountId,
        subjectId,
        purpose: 'call_insights',
        agreed,
        actor: { id: null, role: 'client_user' },
      });
    };
    await answer('owner', true);
    await answer('opted-out', false);

    expect(await decideFor('owner')).toEqual({ allowed: true, legalBasis: 'legitimate_interests' });
    expect(await decideFor('opted-out')).toEqual({ allowed: false, reason: 'no_agreement' });
    clock.advance({ minutes: 1 });
    await answer('owner', false);
    expect(await decideFor('owner')).toEqual({ allowed: false, reason: 'no_agreement' });
  });

  it('does not ask for agreement from a person whose data was collected under the version that disclosed the purpose', async () => {
    const v3 = kernels.at(-1) as Kernel;
    clock.set(new Date('2026-03-02T09:00:00Z'));
    const { accountId } = people.owner as { accountId: string };
    const decision = await db.tenant(accountId, async (trx) => {
      const subjectId = await createSubject(v3, trx, {
        accountId,
        kind: 'caller',
        name: 'New Caller',
        source: 'phone call',
        actor: { id: null, role: 'system' },
        purpose: 'service_delivery',
      });

      return decide(trx, v3.policy, { accountId, subjectId, purpose: 'call_insights', operation: 'use' });
    });

    expect(decision).toEqual({ allowed: true, legalBasis: 'legitimate_interests' });
  });

  it('refuses agreement to a purpose that is not new, and a version that is already published', async () => {
    const v3 = kernels.at(-1) as Kernel;
    const { subjectId, accountId } = people.owner as { subjectId: string; accountId: string };

    await expect(
      recordPolicyAgreement(v3, {
        accountId,
        subjectId,
        purpose: 'marketing',
        agreed: true,
        actor: { id: null, role: 'x' },
      }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(
      publishPolicy(v3, { source: v3.policyFile.source, actor: { id: null, role: 'privacy_officer' } }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
      details: { publishedVersion: 3 },
    });
  });
});

/** Version 3 of the contact-centre notice: a material change (a new processor), with no new purpose. */
const contactCentreV3 = () => {
  const doc = parseDocument(source('contact-centre-saas'));
  doc.set('version', 3);
  doc.set('effectiveDate', '2026-04-01');
  (doc.get('changes') as { add(v: unknown): void }).add(
    doc.createNode({
      version: 3,
      date: '2026-04-01',
      material: true,
      summary: 'Support tickets move to a new help-desk provider.',
    }),
  );
  const text = doc.toString();

  return { file: parsePolicy(text, 'contact-centre-saas-v3.yaml'), source: text, path: 'contact-centre-saas-v3.yaml' };
};

describe('contact-centre-saas notice versions', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let db: TestDatabase;
  let dataDir: string;
  const clock = fixedClock(new Date('2026-03-01T09:00:00Z'));
  const keyring = ephemeralKeyring();
  const kernels: Kernel[] = [];

  const kernelWith = async (policyFile: LoadedPolicy) => {
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', PUBLIC_URL: 'https://app.quillon.test' });
    const mailer = createMailer({ smtpUrl: smtp.url, from: 'Quillon <privacy@quillon.test>', dataDir });
    const kernel = await createKernel(config, { db, clock, keyring, mailer, policyFile });
    kernels.push(kernel);

    return kernel;
  };

  beforeAll(async () => {
    smtp = await startSmtpSink();
    db = await openTestDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-cc-publish-'));
  });

  afterAll(async () => {
    for (const k of kernels) await k.close();
    await db?.close();
    await smtp?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('CC-14: the notice is versioned, and a material change is e-mailed to every active user, opted out of marketing or not', async () => {
    const v2 = await kernelWith({
      file: parsePolicy(source('contact-centre-saas')),
      source: source('contact-centre-saas'),
      path: 'contact-centre-saas.yaml',
    });
    await ensureProviderAccount(v2, 'Quillon Contact (test)');
    const customer = await createClientAccount(v2, { name: 'Customer Co' });
    const former = await createClientAccount(v2, { name: 'Former Co' });
    const add = (key: string, accountId: string, role: 'owner' | 'colleague' | 'privacy_officer') =>
      createUser(v2, {
        accountId,
        role,
        name: `Person ${key}`,
        email: `${key}@quillon-customers.test`,
        password: 'correct horse battery staple',
      });
    await add('owner', customer, 'owner');
    const optedOut = await add('opted-out', customer, 'colleague');
    await add('former', former, 'owner');
    await add('dpo', PROVIDER_ACCOUNT_ID, 'privacy_officer');
    await db.system(async (trx) => {
      await trx
        .updateTable('accounts')
        .set({ status: 'deactivated', status_changed_at: clock.now() })
        .where('id', '=', former)
        .execute();
      await trx
        .insertInto('processing_controls')
        .values({
          account_id: customer,
          subject_id: optedOut.subjectId,
          kind: 'objection',
          purpose: 'marketing',
          active: true,
          recorded_at: clock.now(),
        })
        .execute();
    });
    expect(await ensureBaselineVersion(v2)).toBe(true);
    expect(smtp.received).toEqual([]);

    clock.advance({ days: 1 });
    const v3 = await kernelWith(contactCentreV3());
    const result = await publishPolicy(v3, {
      source: v3.policyFile.source,
      actor: { id: null, role: 'privacy_officer' },
    });

    expect(result).toEqual({ version: 3, material: true, newPurposes: [], notified: 3 });
    expect(smtp.received.flatMap((m) => m.to).sort()).toEqual([
      'dpo@quillon-customers.test',
      'opted-out@quillon-customers.test',
      'owner@quillon-customers.test',
    ]);
    for (const mail of smtp.received) {
      expect(mail.raw).toMatch(/^Subject: Changes to our privacy notice \(version 3\)$/m);
      expect(mail.raw).toMatch(/^X-Custodian-Class: service$/m);
      // Quoted-printable wraps long lines with a soft break (`=` at the end of the line).
      expect(mail.raw.replace(/=\r?\n/g, '')).toContain('https://app.quillon.test/privacy/v/3');
    }
    // Both versions stay readable; the newer one knows which came before it.
    const latest = await readPolicyVersion(v3, 3);
    expect(latest.file.id).toBe('contact-centre-saas');
    expect(latest.previous?.version).toBe(2);
    expect((await readPolicyVersion(v3, 2)).file.effectiveDate).toBe('2026-01-15');
    await expect(
      publishPolicy(v3, { source: v3.policyFile.source, actor: { id: null, role: 'privacy_officer' } }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});

describe('notice and record of processing over HTTP', () => {
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
    const body = (await res.json()) as { csrfToken: string };

    return { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '', 'x-csrf-token': body.csrfToken };
  };

  it('serves the public notice at /privacy without signing in', async () => {
    const res = await fetch(`${server.url}/privacy`);
    const html = await res.text();

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toContain('<h1>Privacy notice — Northgate Answering</h1>');
    expect(html).toContain(
      '<caption>Each category of personal data, what we use it for, the legal basis and how long we keep it</caption>',
    );
  });

  it('gives the record of processing to the privacy officer as XLSX and CSV, and not to a receptionist', async () => {
    const officer = await signIn(server.seed.staff);
    const receptionist = await signIn(server.seed.receptionist);

    expect((await fetch(`${server.url}/api/policy/ropa?format=xlsx`, { headers: receptionist })).status).toBe(403);
    const xlsx = await fetch(`${server.url}/api/policy/ropa?format=xlsx`, { headers: officer });
    expect(xlsx.status).toBe(200);
    expect(
      Buffer.from(await xlsx.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
    const csv = await fetch(`${server.url}/api/policy/ropa?format=csv`, { headers: officer });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(await csv.text()).toMatch(/^Part,Activity,Purpose id/);
  });

  it('AS-20: each published version stays at /privacy/v/N with what changed, and a material change is e-mailed', async () => {
    // Version 1 as it was: no tailored newsletter yet.
    const doc = parseDocument(source('answering-service'));
    doc.set('version', 1);
    doc.set('effectiveDate', '2015-06-03');
    const purposes = doc.get('purposes') as { items: { get(k: string): unknown }[] };
    purposes.items.splice(
      purposes.items.findIndex((p) => p.get('id') === 'tailored_newsletter'),
      1,
    );
    (doc.get('changes') as { items: unknown[] }).items.splice(1, 1);
    await publishPolicy(server.kernel, { source: doc.toString(), actor: { id: null, role: 'privacy_officer' } });
    server.kernel.sent.length = 0;

    const officer = await signIn(server.seed.staff);
    const receptionist = await signIn(server.seed.receptionist);
    expect((await fetch(`${server.url}/api/policy/publish`, { method: 'POST', headers: receptionist })).status).toBe(
      403,
    );
    const published = await fetch(`${server.url}/api/policy/publish`, { method: 'POST', headers: officer });
    expect(published.status).toBe(200);
    const body = (await published.json()) as { version: number; notified: number };
    expect(body.version).toBe(2);
    expect(body.notified).toBeGreaterThan(0);
    expect(server.kernel.sent).toHaveLength(body.notified);
    expect(
      server.kernel.sent.every(
        (m) => m.class === 'service' && m.subject === 'Changes to our privacy notice (version 2)',
      ),
    ).toBe(true);

    const v2 = await (await fetch(`${server.url}/privacy/v/2`)).text();
    expect(v2).toContain('What changed since version 1');
    expect(v2).toMatch(/<ins>Added<\/ins> Purposes: Tailoring the newsletter you asked for/);
    const v1 = await fetch(`${server.url}/privacy/v/1`);
    expect(v1.status).toBe(200);
    expect(await v1.text()).toContain('This is an earlier version of the notice');
    expect((await fetch(`${server.url}/privacy/v/9`)).status).toBe(404);
  });

  it('lists the published versions and the file in force for staff who may publish, and not for a receptionist', async () => {
    const officer = await signIn(server.seed.staff);
    const receptionist = await signIn(server.seed.receptionist);

    expect((await fetch(`${server.url}/api/policy/versions`, { headers: receptionist })).status).toBe(403);
    const res = await fetch(`${server.url}/api/policy/versions`, { headers: officer });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      loaded: { id: string; version: number; change: { material: boolean } | null };
      publishState: string;
      recipients: number;
      versions: { version: number; material: boolean; notified: number; newPurposes: { id: string; name: string }[] }[];
    };
    expect(body.loaded).toMatchObject({ id: 'answering-service', version: 2, change: { material: true } });
    expect(body.publishState).toBe('published');
    expect(body.recipients).toBeGreaterThan(0);
    expect(body.versions.map((v) => v.version)).toEqual([2, 1]);
    expect(body.versions[0]?.notified).toBe(server.kernel.sent.length);
  });
});
