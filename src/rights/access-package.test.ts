import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../../test/support/kernel.ts';
import { createOfficeAccount, scanPng, seedMessage, seedPostItem } from '../../test/support/office-fixtures.ts';
import { ensureProviderAccount } from '../accounts/accounts.ts';
import { SUBJECT_DATA_SOURCES } from '../app.ts';
import { recordMarketingChoice } from '../consent/consent-records.ts';
import { recordAudit } from '../kernel/audit/audit.ts';
import { PROVIDER_ACCOUNT_ID } from '../kernel/db/schema.ts';
import { isAppError } from '../kernel/errors.ts';
import { recordContactNote } from '../notes/contact-notes.ts';
import { createSubject } from '../subjects/subjects.ts';
import { portabilitySchema, REDACTED, redactOtherPeople } from './access-package.ts';
import { completeRequest } from './complete-request.ts';
import { PACKAGE_FIELD, PACKAGE_LIFETIME_DAYS } from './execute-access.ts';
import {
  downloadPackage,
  packageReport,
  packageReportForStaff,
  packageZipForStaff,
  purgeExpiredPackages,
} from './package-download.ts';
import { reviewPackage } from './review-package.ts';
import { logStaffRequest } from './submit-request.ts';

const ADA = { name: 'Ada Lovett', email: 'ada.lovett@example.test', phone: '07700 900123' };
const OTHER_EMAIL = 'tom.pike@example.test';
const OTHER_PHONE = '07700 900456';
const SCAN_MARKER = 'SCAN-MARKER-9f3a';
const PRIVACY_OFFICER = { id: crypto.randomUUID(), role: 'privacy_officer' };

type Zip = Record<string, Uint8Array>;
const json = (zip: Zip, name: string) => JSON.parse(strFromU8(zip[name] as Uint8Array)) as Record<string, unknown>;

describe('access and portability packages (AS-17, CC-10, CV-9)', () => {
  let kernel: TestKernel;
  let dental: Awaited<ReturnType<typeof createOfficeAccount>>;
  let lettings: Awaited<ReturnType<typeof createOfficeAccount>>;
  /** Ada's records at the dental practice: what a complete and exact copy holds. */
  const mine = { messages: [] as string[], subjects: [] as string[], post: '', fileId: '', scan: Buffer.alloc(0) };
  const notMine = { messages: [] as string[] };
  let access: { statusToken: string; requestId: string };
  let dentalPart: string;
  let lettingsPart: string;
  let dentalOutcome: Awaited<ReturnType<typeof completeRequest>>;
  let zip: Zip;
  let zipBytes: Buffer;

  const partIn = (accountId: string, parentId: string) =>
    kernel.db.system(async (trx) => {
      const row = await trx
        .selectFrom('rights_requests')
        .select('id')
        .where('parent_id', '=', parentId)
        .where('account_id', '=', accountId)
        .executeTakeFirstOrThrow();

      return row.id;
    });

  const ownerOf = (office: typeof dental) => ({ id: office.owner.userId, role: 'owner' });

  beforeAll(async () => {
    kernel = await createTestKernel();
    await ensureProviderAccount(kernel, 'Northgate Answering');
    dental = await createOfficeAccount(kernel, 'Harbour Dental');
    lettings = await createOfficeAccount(kernel, 'Quayside Lettings');

    const first = await seedMessage(kernel, {
      accountId: dental.accountId,
      caller: ADA,
      company: 'Lovett Design',
      reason: 'Invoice query',
      body: `Please call Ada back on ${ADA.phone}. Her colleague Tom (${OTHER_EMAIL}, ${OTHER_PHONE}) needs the invoice too.`,
    });
    const second = await seedMessage(kernel, {
      accountId: dental.accountId,
      caller: ADA,
      body: 'Confirming the 23.11.2026 10.30 appointment.',
    });
    mine.messages.push(first.id, second.id);
    mine.subjects.push(first.subjectId, second.subjectId);
    // Look-alikes: the same name with another address at the same practice, and the same address at another client.
    const sameName = await seedMessage(kernel, {
      accountId: dental.accountId,
      caller: { name: ADA.name, email: 'ada.lovett@elsewhere.test' },
      body: 'A different Ada Lovett about a crown.',
    });
    const elsewhere = await seedMessage(kernel, {
      accountId: lettings.accountId,
      caller: { name: ADA.name, email: ADA.email },
      body: 'Ada asked about the flat on Quay Street.',
    });
    notMine.messages.push(sameName.id, elsewhere.id);

    // Post Ada sent, with a scan, linked to her as sender; a colleague at the practice actioned her first message.
    mine.scan = scanPng(SCAN_MARKER, 64, 48);
    const post = await seedPostItem(kernel, {
      accountId: dental.accountId,
      sender: `${ADA.name}, Lovett Design`,
      scan: { bytes: mine.scan, mediaType: 'image/png' },
    });
    mine.post = post.id;
    mine.fileId = String(post.fileId);
    await kernel.db.tenant(dental.accountId, async (trx) => {
      await trx
        .updateTable('post_items')
        .set({ sender_subject_id: first.subjectId })
        .where('id', '=', post.id)
        .execute();
      await trx
        .updateTable('phone_messages')
        .set({ actioned_at: kernel.clock.now(), actioned_by: dental.colleague.userId })
        .where('id', '=', first.id)
        .execute();
      await recordAudit(trx, kernel.clock, {
        accountId: dental.accountId,
        actor: { id: dental.colleague.userId, role: 'colleague' },
        action: 'portal.item.read',
        entity: 'phone_message',
        entityId: first.id,
        subjectId: first.subjectId,
        fields: ['body'],
        purpose: 'service_delivery',
      });
    });
    // A note a member of staff wrote about Ada, naming someone else's address (matched to her by e-mail).
    await recordContactNote(kernel, {
      accountId: dental.accountId,
      actor: { id: crypto.randomUUID(), role: 'receptionist' },
      person: { name: ADA.name, email: ADA.email },
      body: 'Wants invoices copied to accounts@lovett-partner.test as well.',
    });

    access = await logStaffRequest(kernel, {
      kind: 'access',
      email: ADA.email,
      channel: 'post',
      verification: { method: 'document', note: 'Signed letter with a copy of a utility bill' },
      actor: PRIVACY_OFFICER,
    });
    dentalPart = await partIn(dental.accountId, access.requestId);
    lettingsPart = await partIn(lettings.accountId, access.requestId);
    // Free text the receptionist wrote is held for review: the copy cannot go before someone has read it.
    const unreviewed = await completeRequest(kernel, SUBJECT_DATA_SOURCES, {
      accountId: dental.accountId,
      requestId: dentalPart,
      actor: ownerOf(dental),
      input: {},
    }).catch((error: unknown) => error);
    expect(unreviewed).toMatchObject({ code: 'CONFLICT', details: { reason: 'review_required' } });
    const review = await reviewPackage(kernel, SUBJECT_DATA_SOURCES, {
      accountId: dental.accountId,
      requestId: dentalPart,
      actor: ownerOf(dental),
    });
    const aboutTom = review.fields.find((f) => f.recordId === first.id && f.field === 'body');
    expect(aboutTom?.text).toContain('Her colleague Tom');
    dentalOutcome = await completeRequest(kernel, SUBJECT_DATA_SOURCES, {
      accountId: dental.accountId,
      requestId: dentalPart,
      actor: ownerOf(dental),
      input: {
        reviewedForOtherPeople: true,
        redactions: [{ recordId: first.id, field: 'body', text: 'Tom' }],
      },
    });
    const download = await downloadPackage(kernel, {
      statusToken: access.statusToken,
      packageId: dentalOutcome.packageId as string,
    });
    zipBytes = download.bytes;
    zip = unzipSync(new Uint8Array(zipBytes));
  });
  afterAll(async () => kernel?.close());

  it('AS-17: the copy holds exactly this person’s records: every one of hers, none of the look-alikes’', () => {
    const data = json(zip, 'data.json') as {
      people: { subjectId: string; datasets: Record<string, { id: string }[]> }[];
    };
    const subjects = data.people.map((p) => p.subjectId);
    const messages = data.people.flatMap((p) => p.datasets.phone_messages ?? []).map((m) => m.id);
    const post = data.people.flatMap((p) => p.datasets.post_items ?? []).map((m) => m.id);
    const found = new Set([...messages, ...post]);
    const expected = new Set([...mine.messages, mine.post]);
    const hits = [...found].filter((id) => expected.has(id)).length;
    expect({ recall: hits / expected.size, precision: hits / found.size }).toEqual({ recall: 1, precision: 1 });
    expect(new Set(subjects)).toEqual(new Set(mine.subjects));
    for (const id of notMine.messages) expect(strFromU8(zip['data.json'] as Uint8Array)).not.toContain(id);
    expect(data.people.flatMap((p) => p.datasets.contact_notes ?? [])).toHaveLength(1);
    expect(dentalOutcome.subjects.map((s) => s.done)).toEqual(['copy provided', 'copy provided']);
    expect(dentalOutcome.summary).toMatch(/Harbour Dental has prepared a copy/);
  });

  it('AS-17: the ZIP opens, with the report, the data as JSON and CSV, and the scan of her letter', () => {
    expect(Object.keys(zip)).toEqual(
      expect.arrayContaining([
        'report.html',
        'data.json',
        'README.txt',
        'csv/person.csv',
        'csv/phone_messages.csv',
        'csv/post_items.csv',
        'csv/contact_notes.csv',
        'csv/processing_history.csv',
        `files/${mine.fileId}.png`,
      ]),
    );
    expect(Buffer.from(zip[`files/${mine.fileId}.png`] as Uint8Array).equals(mine.scan)).toBe(true);
    const csv = strFromU8(zip['csv/phone_messages.csv'] as Uint8Array).split('\r\n');
    expect(csv[0]).toMatch(/^subject_id,id,/);
    expect(csv.filter((line) => mine.messages.some((id) => line.includes(id)))).toHaveLength(2);
    const html = strFromU8(zip['report.html'] as Uint8Array);
    expect(html).toContain('Yes, we hold personal data about you.');
    expect(html).toContain('Lovett Design');
    // Times read as people write them in the report; data.json keeps the exact instant.
    expect(html).not.toMatch(/<(td|dd)>\d{4}-\d{2}-\d{2}T/);
    expect(html).toMatch(/<td>\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC<\/td>/);
    expect(strFromU8(zip['data.json'] as Uint8Array)).toMatch(/"callAt":"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z"/);
  });

  it('CC-10: the copy says why, on what basis, where from, to whom, for how long, and who controls it', async () => {
    const about = json(zip, 'data.json').about as {
      controller: { name: string; statement: string };
      purposes: { id: string; legalBasis: string; usedForYou: boolean }[];
      categories: { id: string; sources: string[] }[];
      recipients: { name: string; countries: string[]; transfer: string | null }[];
      retention: { category: string; rules: string[] }[];
      disclosures: { what: string; byRole: string }[];
      automatedDecisions: string;
      rights: { right: string }[];
      supervisoryAuthority: { name: string };
    };
    expect(about.controller.name).toBe('Harbour Dental');
    expect(about.controller.statement).toMatch(/^Harbour Dental is the controller of this data/);
    expect(about.purposes).toContainEqual(
      expect.objectContaining({
        id: 'service_delivery',
        legalBasis: 'Performance of a contract (Art. 6(1)(b))',
        usedForYou: true,
      }),
    );
    expect(about.categories.map((c) => c.id)).toEqual(expect.arrayContaining(['phone_message', 'mail_item']));
    expect(about.categories.every((c) => c.sources.length > 0)).toBe(true);
    expect(about.recipients.find((r) => r.name.startsWith('Third parties a client authorises'))?.countries).toEqual([
      'GB',
    ]);
    expect(about.retention.find((r) => r.category === 'Phone messages')?.rules[0]).toMatch(/^90 days after/);
    expect(about.disclosures).toContainEqual({
      at: expect.any(String),
      what: 'Read by the business in its inbox',
      byRole: 'colleague',
    });
    expect(about.automatedDecisions).toMatch(/no decisions about you by automated means/);
    expect(about.rights.map((r) => r.right)).toEqual(expect.arrayContaining(['access', 'portability', 'complain']));
    expect(about.supervisoryAuthority.name).toBe(kernel.policyFile.file.controller.supervisoryAuthority.name);
    const report = await packageReport(kernel, {
      statusToken: access.statusToken,
      packageId: dentalOutcome.packageId as string,
    });
    expect(report).toBe(strFromU8(zip['report.html'] as Uint8Array));
    for (const heading of ['Why we hold your data', 'Who receives it', 'How long we keep it', 'Automated decisions'])
      expect(report).toContain(heading);
  });

  it('AS-17: the owner answering the part can read the report and fetch the ZIP the person was sent; audited, not counted', async () => {
    const packageId = dentalOutcome.packageId as string;
    const downloads = () =>
      kernel.db.tenant(
        dental.accountId,
        async (trx) =>
          (
            await trx
              .selectFrom('access_packages')
              .select('downloads')
              .where('id', '=', packageId)
              .executeTakeFirstOrThrow()
          ).downloads,
      );
    const before = await downloads();
    const seen = await packageReportForStaff(kernel, {
      accountId: dental.accountId,
      requestId: dentalPart,
      packageId,
      actor: ownerOf(dental),
    });
    expect(seen).toBe(strFromU8(zip['report.html'] as Uint8Array));
    const sent = await packageZipForStaff(kernel, {
      accountId: dental.accountId,
      requestId: dentalPart,
      packageId,
      actor: ownerOf(dental),
    });
    expect(Buffer.from(sent.bytes).equals(Buffer.from(zipBytes))).toBe(true);
    expect(sent.fileName).toBe(`access-package-${packageId.slice(0, 8)}.zip`);
    expect(await downloads()).toBe(before);
    const fetched = await kernel.db.tenant(dental.accountId, (trx) =>
      trx
        .selectFrom('audit_events')
        .select(['actor_id', 'action'])
        .where('entity_id', '=', packageId)
        .where('action', '=', 'access_package.download')
        .where('actor_id', '=', ownerOf(dental).id)
        .execute(),
    );
    expect(fetched).toHaveLength(1);
    const events = await kernel.db.tenant(dental.accountId, (trx) =>
      trx
        .selectFrom('audit_events')
        .select(['actor_id', 'action'])
        .where('entity_id', '=', packageId)
        .where('action', '=', 'access_package.view_report')
        .execute(),
    );
    expect(events).toContainEqual({ actor_id: ownerOf(dental).id, action: 'access_package.view_report' });
    // Another account's owner, or the right account with another request, finds nothing.
    for (const wrong of [
      { accountId: lettings.accountId, requestId: dentalPart },
      { accountId: dental.accountId, requestId: access.requestId },
    ])
      for (const open of [packageReportForStaff, packageZipForStaff])
        await expect(open(kernel, { ...wrong, packageId, actor: ownerOf(lettings) })).rejects.toMatchObject({
          code: 'NOT_FOUND',
        });
  });

  it('AS-17: other people stay out: roles not staff ids or names, their addresses redacted and the field marked', () => {
    const text = strFromU8(zip['data.json'] as Uint8Array) + strFromU8(zip['report.html'] as Uint8Array);
    for (const absent of [
      OTHER_EMAIL,
      OTHER_PHONE,
      'accounts@lovett-partner.test',
      dental.colleague.userId,
      dental.owner.userId,
      '00000000-0000-4000-8000-0000000000aa',
      'Colin Colleague',
      'Olive Owner',
    ])
      expect(text).not.toContain(absent);
    const data = json(zip, 'data.json') as {
      people: { datasets: Record<string, Record<string, unknown>[]> }[];
    };
    const messages = data.people.flatMap((p) => p.datasets.phone_messages ?? []);
    const first = messages.find((m) => m.id === mine.messages[0]) as Record<string, unknown>;
    expect(first.body).toBe(
      `Please call Ada back on ${ADA.phone}. Her colleague ${REDACTED} (${REDACTED}, ${REDACTED}) needs the invoice too.`,
    );
    expect(first.reviewedForOtherPeople).toEqual({ fields: ['company', 'reason', 'body'], redacted: ['body'] });
    expect(first.takenByRole).toBe('receptionist');
    expect(first.actionedByRole).toBe('colleague');
    expect(first).not.toHaveProperty('takenBy');
    const second = messages.find((m) => m.id === mine.messages[1]) as Record<string, unknown>;
    expect(second.body).toBe('Confirming the 23.11.2026 10.30 appointment.');
    expect(second.reviewedForOtherPeople).toEqual({ fields: ['body'], redacted: [] });
    const note = data.people.flatMap((p) => p.datasets.contact_notes ?? [])[0];
    expect(note?.body).toBe(`Wants invoices copied to ${REDACTED} as well.`);
    const html = strFromU8(zip['report.html'] as Uint8Array);
    expect(html).toContain('a person read each field and redacted other people’s names');
    expect(html).toContain('a colleague at the business');
    expect(html).not.toMatch(/\((AS|CC|CV)-\d+\)/);
    expect(dentalOutcome.kept).toEqual([expect.objectContaining({ reason: expect.stringMatching(/Art\. 15\(4\)/) })]);
  });

  it('redaction keeps the person’s own number in any format and leaves dates and times alone', () => {
    const own = { emails: ['Ada.Lovett@example.test'], phones: ['07700 900123'] };
    expect(
      redactOtherPeople('Ring +44 7700 900123 or 07700-900-123, mail ada.lovett@EXAMPLE.test', own).redactions,
    ).toBe(0);
    expect(redactOtherPeople('Call +44 (0)20 7946 0000 or x@y.test on 01.02.2026 at 10.30', own)).toEqual({
      text: `Call ${REDACTED} or ${REDACTED} on 01.02.2026 at 10.30`,
      redactions: 2,
    });
  });

  it('CV-9: a routed part’s copy holds only what that client holds', async () => {
    const outcome = await completeRequest(kernel, SUBJECT_DATA_SOURCES, {
      accountId: lettings.accountId,
      requestId: lettingsPart,
      actor: ownerOf(lettings),
      input: { reviewedForOtherPeople: true },
    });
    const { bytes } = await downloadPackage(kernel, {
      statusToken: access.statusToken,
      packageId: outcome.packageId as string,
    });
    const data = JSON.parse(strFromU8(unzipSync(new Uint8Array(bytes))['data.json'] as Uint8Array)) as {
      about: { controller: { name: string } };
      people: { datasets: Record<string, { id: string }[]> }[];
    };
    expect(data.people.flatMap((p) => p.datasets.phone_messages ?? []).map((m) => m.id)).toEqual([notMine.messages[1]]);
    expect(data.about.controller.name).toBe('Quayside Lettings');
  });

  it('AS-17: the package is sealed at rest: file storage holds ciphertext only, opened only with its key', async () => {
    const packageId = dentalOutcome.packageId as string;
    const stored = fs.readFileSync(path.join(kernel.dataDir, 'files', dental.accountId, packageId));
    expect(stored.equals(zipBytes)).toBe(false);
    for (const marker of ['PK\u0003\u0004', 'report.html', 'data.json', SCAN_MARKER])
      expect(stored.includes(Buffer.from(marker))).toBe(false);
    const opened = await kernel.db.tenant(dental.accountId, (trx) =>
      kernel.vault.openBytes(trx, stored, PACKAGE_FIELD),
    );
    expect(opened?.equals(zipBytes)).toBe(true);
  });

  it('AS-17: a link for another request, or a made-up package id, finds nothing', async () => {
    const other = await logStaffRequest(kernel, {
      kind: 'access',
      email: 'someone.else@example.test',
      channel: 'email',
      verification: { method: 'document', note: 'Passport copy' },
      actor: PRIVACY_OFFICER,
    });
    for (const link of [
      { statusToken: other.statusToken, packageId: dentalOutcome.packageId as string },
      { statusToken: access.statusToken, packageId: crypto.randomUUID() },
      { statusToken: 'not-a-token', packageId: dentalOutcome.packageId as string },
    ]) {
      await expect(downloadPackage(kernel, link)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    }
  });

  it('CC-10: portability: only what she provided, under contract or consent, as JSON and CSV with a JSON Schema', async () => {
    const portability = await logStaffRequest(kernel, {
      kind: 'portability',
      email: ADA.email,
      channel: 'post',
      verification: { method: 'document', note: 'Signed letter' },
      actor: PRIVACY_OFFICER,
    });
    const part = await partIn(dental.accountId, portability.requestId);
    const outcome = await completeRequest(kernel, SUBJECT_DATA_SOURCES, {
      accountId: dental.accountId,
      requestId: part,
      actor: ownerOf(dental),
      input: { reviewedForOtherPeople: true },
    });
    const { bytes } = await downloadPackage(kernel, {
      statusToken: portability.statusToken,
      packageId: outcome.packageId as string,
    });
    const files = unzipSync(new Uint8Array(bytes));
    expect(Object.keys(files)).toEqual(
      expect.arrayContaining([
        'report.html',
        'data.json',
        'schema.json',
        'csv/contact.csv',
        'csv/phone_messages.csv',
        'csv/post_items.csv',
      ]),
    );
    expect(Object.keys(files).some((f) => f.startsWith('files/'))).toBe(false);
    const data = json(files, 'data.json') as {
      people: { contact: Record<string, unknown>; datasets: Record<string, Record<string, unknown>[]> }[];
      excluded: { dataset: string }[];
    };
    const schema = json(files, 'schema.json');
    expect(schema).toEqual(portabilitySchema());
    expect(data.excluded.map((e) => e.dataset)).toEqual(
      expect.arrayContaining(['contact_notes', 'processing_history', 'scans']),
    );
    for (const person of data.people)
      expect(Object.keys(person.datasets).sort()).toEqual(
        ['consent_records', 'phone_messages', 'post_items'].filter((d) => d in person.datasets),
      );
    const messages = data.people.flatMap((p) => p.datasets.phone_messages ?? []);
    expect(messages.map((m) => m.id).sort()).toEqual([...mine.messages].sort());
    expect(JSON.stringify(data)).not.toContain(OTHER_EMAIL);
    expect(JSON.stringify(data)).not.toContain('takenBy');
    conformsTo(schema, data);
    const csv = strFromU8(files['csv/phone_messages.csv'] as Uint8Array).split('\r\n')[0];
    expect(csv).toBe('subject_id,id,callAt,company,reason,body,urgency,callbackRequested,reviewedForOtherPeople');
  });

  it('AS-17: after expiry the link is refused, and the purge deletes the bytes and the key', async () => {
    const packageId = dentalOutcome.packageId as string;
    const file = path.join(kernel.dataDir, 'files', dental.accountId, packageId);
    expect(fs.existsSync(file)).toBe(true);
    kernel.clock.advance({ days: PACKAGE_LIFETIME_DAYS, seconds: 1 });
    const refused = await downloadPackage(kernel, { statusToken: access.statusToken, packageId }).catch((e) => e);
    expect(isAppError(refused) && refused.code).toBe('CONFLICT');
    expect((refused as Error).message).toMatch(/link has expired/);
    const { purged } = await purgeExpiredPackages(kernel);
    expect(purged).toBeGreaterThanOrEqual(2);
    expect(fs.existsSync(file)).toBe(false);
    const row = await kernel.db.tenant(dental.accountId, async (trx) => ({
      pkg: await trx
        .selectFrom('access_packages')
        .select(['status', 'downloads'])
        .where('id', '=', packageId)
        .executeTakeFirstOrThrow(),
      key: await trx.selectFrom('subject_keys').select('subject_id').where('subject_id', '=', packageId).execute(),
    }));
    expect(row).toEqual({ pkg: { status: 'deleted', downloads: 1 }, key: [] });
    expect((await purgeExpiredPackages(kernel)).purged).toBe(0);
    await expect(downloadPackage(kernel, { statusToken: access.statusToken, packageId })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('CC-10: the provider answers for its own data as controller, and says so when it holds nothing', async () => {
    const keys = () =>
      kernel.db.tenant(
        PROVIDER_ACCOUNT_ID,
        async (trx) => (await trx.selectFrom('subject_keys').select('subject_id').execute()).length,
      );
    const keysBefore = await keys();
    const nothing = await completeRequest(kernel, SUBJECT_DATA_SOURCES, {
      accountId: PROVIDER_ACCOUNT_ID,
      requestId: access.requestId,
      actor: PRIVACY_OFFICER,
      input: { reviewedForOtherPeople: true },
    });
    expect(nothing.packageId).toBeUndefined();
    expect(nothing.summary).toMatch(/holds no personal data about you, apart from your request itself/);
    // No package, so no package key is left behind either.
    expect(await keys()).toBe(keysBefore);

    const subscriber = { name: 'Bea Quill', email: 'bea.quill@example.test' };
    const subjectId = await kernel.db.tenant(PROVIDER_ACCOUNT_ID, (trx) =>
      createSubject(kernel, trx, {
        accountId: PROVIDER_ACCOUNT_ID,
        kind: 'subscriber',
        ...subscriber,
        source: 'newsletter sign-up',
        actor: { id: null, role: 'data_subject' },
        purpose: 'marketing',
      }),
    );
    await recordMarketingChoice(kernel, {
      accountId: PROVIDER_ACCOUNT_ID,
      subjectId,
      channel: 'email',
      topic: 'marketing',
      state: 'given',
      basis: 'consent',
      method: 'web form',
      actor: { id: null, role: 'data_subject' },
    });
    const own = await logStaffRequest(kernel, {
      kind: 'portability',
      email: subscriber.email,
      channel: 'email',
      verification: { method: 'document', note: 'Reply from the address on file' },
      actor: PRIVACY_OFFICER,
    });
    const outcome = await completeRequest(kernel, SUBJECT_DATA_SOURCES, {
      accountId: PROVIDER_ACCOUNT_ID,
      requestId: own.requestId,
      actor: PRIVACY_OFFICER,
      input: { reviewedForOtherPeople: true },
    });
    const { bytes } = await downloadPackage(kernel, {
      statusToken: own.statusToken,
      packageId: String(outcome.packageId),
    });
    const files = unzipSync(new Uint8Array(bytes));
    const data = json(files, 'data.json') as {
      controller: string;
      people: { subjectId: string; datasets: Record<string, { state: string }[]> }[];
    };
    const file = kernel.policyFile.file.controller;
    expect(data.controller).toBe(file.tradingName ?? file.name);
    expect(data.people.map((p) => p.subjectId)).toEqual([subjectId]);
    expect(data.people[0]?.datasets.consent_records?.map((r) => r.state)).toEqual(['given']);
    expect(strFromU8(files['report.html'] as Uint8Array)).toContain(
      `${file.tradingName ?? file.name} is the controller`,
    );
  });
});

/** A small JSON Schema check (type, required, additionalProperties, properties, items, const): enough for ours. */
const conformsTo = (schema: unknown, value: unknown, at = '$'): void => {
  const s = schema as Record<string, unknown>;
  if ('const' in s) expect(value, at).toEqual(s.const);
  const types = [s.type].flat().filter(Boolean) as string[];
  if (types.length > 0) {
    const actual =
      value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
    expect(types, `${at} is ${actual}`).toContain(actual === 'integer' && types.includes('number') ? 'number' : actual);
  }
  if (Array.isArray(value) && s.items) {
    for (const [i, v] of value.entries()) conformsTo(s.items, v, `${at}[${i}]`);
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const props = (s.properties ?? {}) as Record<string, unknown>;
    for (const key of (s.required ?? []) as string[]) expect(value, `${at} requires ${key}`).toHaveProperty(key);
    for (const [key, v] of Object.entries(value)) {
      if (props[key]) conformsTo(props[key], v, `${at}.${key}`);
      else expect(s.additionalProperties, `${at}.${key} is not in the schema`).not.toBe(false);
    }
  }
};
