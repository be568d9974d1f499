import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, type Session, signIn } from '../../test/support/http.ts';
import { createTestKernel, type TestKernel } from '../../test/support/kernel.ts';
import { createOfficeAccount, seedMessage, seedPostItem } from '../../test/support/office-fixtures.ts';
import { ensureProviderAccount } from '../accounts/accounts.ts';
import { buildApp } from '../app.ts';
import type { App } from '../kernel/http/types.ts';
import { startExport } from './export-items.ts';

describe('export of every phone message and post item (AS-3)', () => {
  let kernel: TestKernel;
  let app: App;
  let owner: Session;
  let accountId: string;
  const MESSAGES = 2_105;

  beforeAll(async () => {
    kernel = await createTestKernel();
    await ensureProviderAccount(kernel, 'Provider');
    const office = await createOfficeAccount(kernel, 'Export Co');
    accountId = office.accountId;
    await seedMessage(kernel, {
      accountId,
      caller: { name: 'Eve Exporter', phone: '020 7946 0303', email: 'eve@example.test' },
      company: 'Eve & Co, "quoted"',
      reason: 'Quote',
      body: '=HYPERLINK("x") first line\nsecond line',
      urgency: 'urgent',
      callAt: new Date('2026-11-01T09:30:00Z'),
    });
    // More than one export batch (2 000), callers sharing keys, to cover the keyset paging.
    await kernel.db.tenant(accountId, async (trx) => {
      const m = await trx.selectFrom('phone_messages').selectAll().executeTakeFirstOrThrow();
      const rows = Array.from({ length: MESSAGES - 1 }, (_, i) => ({
        ...m,
        id: crypto.randomUUID(),
        call_at: new Date(Date.UTC(2026, 10, 2) + i * 60_000),
        urgency: 'normal' as const,
      }));
      for (let i = 0; i < rows.length; i += 500)
        await trx
          .insertInto('phone_messages')
          .values(rows.slice(i, i + 500))
          .execute();
    });
    await seedPostItem(kernel, {
      accountId,
      sender: 'HM Land Registry',
      itemType: 'recorded',
      trackingNumber: 'RR123GB',
      receivedAt: new Date('2026-11-03T11:00:00Z'),
    });
    app = await buildApp(kernel);
    owner = await signIn(app, office.owner);
  });
  afterAll(async () => {
    await app?.close();
    await kernel?.close();
  });

  it('AS-3: streams an XLSX with one sheet each, readable headers, real dates, every row', async () => {
    const count = await app.inject({ method: 'GET', url: '/api/portal/export/count', headers: as(owner) });
    expect(count.json()).toEqual({ messages: MESSAGES, post: 1 });
    const res = await app.inject({ method: 'GET', url: '/api/portal/export?format=xlsx', headers: as(owner) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    expect(res.headers['content-disposition']).toMatch(
      /attachment; filename="custodian-export-\d{4}-\d{2}-\d{2}\.xlsx"/,
    );
    expect(res.headers['x-export-items']).toBe(String(MESSAGES + 1));

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['Phone messages', 'Post']);
    const messages = workbook.getWorksheet('Phone messages');
    const post = workbook.getWorksheet('Post');
    if (!messages || !post) throw new Error('sheets missing');
    expect(messages.getRow(1).values).toEqual([
      undefined,
      'Received',
      'Urgency',
      'Caller',
      'Phone',
      'E-mail',
      'Company',
      'Reason',
      'Message',
      'Call back requested',
      'Done',
      'Reference',
    ]);
    expect(messages.rowCount).toBe(MESSAGES + 1);
    const first = messages.getRow(2);
    expect(first.getCell(1).value).toBeInstanceOf(Date);
    expect((first.getCell(1).value as Date).toISOString()).toBe('2026-11-01T09:30:00.000Z');
    expect(first.getCell(1).numFmt).toBe('yyyy-mm-dd hh:mm');
    expect(first.getCell(3).value).toBe('Eve Exporter');
    expect(first.getCell(5).value).toBe('eve@example.test');
    expect(first.getCell(6).value).toBe('Eve & Co, "quoted"');
    expect(first.getCell(8).value).toBe('=HYPERLINK("x") first line\nsecond line');
    expect(post.getRow(1).getCell(3).value).toBe('Sender');
    expect(post.rowCount).toBe(2);
    expect(post.getRow(2).getCell(1).value).toEqual(new Date('2026-11-03T11:00:00Z'));
    expect(post.getRow(2).getCell(3).value).toBe('HM Land Registry');
    expect(post.getRow(2).getCell(4).value).toBe('RR123GB');

    const audit = await kernel.db.system((trx) =>
      trx.selectFrom('audit_events').select(['action', 'details']).where('action', '=', 'export.create').execute(),
    );
    expect(audit[0]?.details).toEqual({ format: 'xlsx', messages: MESSAGES, post: 1 });
  });

  it('AS-3: CSV (formula-safe, quoted) and JSON carry the same items', async () => {
    const csv = await app.inject({ method: 'GET', url: '/api/portal/export?format=csv', headers: as(owner) });
    expect(csv.statusCode).toBe(200);
    const text = csv.body.replace(/^\uFEFF/, '');
    expect(text.split('\r\n')[0]).toMatch(/^Kind,Received,Urgency,Caller/);
    expect(text).toContain(`"'=HYPERLINK(""x"") first line\nsecond line"`);
    expect(text).toContain('post,2026-11-03T11:00:00.000Z');
    expect(text.trim().split('\r\n')).toHaveLength(MESSAGES + 2);

    const json = await app.inject({ method: 'GET', url: '/api/portal/export?format=json', headers: as(owner) });
    const body = json.json() as { phoneMessages: { callerName: string }[]; post: { sender: string }[] };
    expect(body.phoneMessages).toHaveLength(MESSAGES);
    expect(body.phoneMessages[0]?.callerName).toBe('Eve Exporter');
    expect(body.post[0]?.sender).toBe('HM Land Registry');
  });
});

describe('XLSX export of values that no longer open', () => {
  let kernel: TestKernel;
  let accountId: string;
  let ownerId: string;
  let shredded: { id: string; subjectId: string };

  beforeAll(async () => {
    kernel = await createTestKernel();
    await ensureProviderAccount(kernel, 'Provider');
    const office = await createOfficeAccount(kernel, 'Shred Co');
    accountId = office.accountId;
    ownerId = office.owner.userId;
    await seedMessage(kernel, {
      accountId,
      caller: { name: 'Kept Caller', phone: '020 7946 0404' },
      company: 'Kept Ltd',
      body: 'Still readable',
      callAt: new Date('2026-11-01T09:00:00Z'),
    });
    shredded = await seedMessage(kernel, {
      accountId,
      caller: { name: 'Shredded Caller', phone: '020 7946 0505' },
      company: 'Gone Ltd',
      body: 'No longer readable',
      callAt: new Date('2026-11-01T10:00:00Z'),
    });
    // Crypto-shredding: the key is destroyed, the sealed row stays behind.
    await kernel.db.system((trx) =>
      trx.deleteFrom('subject_keys').where('subject_id', '=', shredded.subjectId).execute(),
    );
  });
  afterAll(async () => {
    await kernel?.close();
  });

  const download = async () => {
    const out = await startExport(kernel, { user: { id: ownerId, role: 'owner', accountId }, format: 'xlsx' });
    const chunks: Buffer[] = [];
    for await (const chunk of out.stream) chunks.push(chunk as Buffer);

    return Buffer.concat(chunks);
  };

  it('AS-3: a row whose key was destroyed is exported with its sealed cells empty', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await download()) as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('Phone messages');
    if (!sheet) throw new Error('sheet missing');
    expect(sheet.rowCount).toBe(3);
    expect(sheet.getRow(2).getCell(3).value).toBe('Kept Caller');
    expect(sheet.getRow(2).getCell(8).value).toBe('Still readable');
    const gone = sheet.getRow(3);
    expect((gone.getCell(1).value as Date).toISOString()).toBe('2026-11-01T10:00:00.000Z');
    expect([gone.getCell(3).value, gone.getCell(4).value, gone.getCell(6).value, gone.getCell(8).value]).toEqual([
      null,
      null,
      null,
      null,
    ]);
    expect(gone.getCell(11).value).toBe(shredded.id);
  });

  it('AS-3: a sealed value that fails authentication fails the download instead of ending it early', async () => {
    await kernel.db.tenant(accountId, async (trx) => {
      const row = await trx
        .selectFrom('phone_messages')
        .select(['id', 'body'])
        .where('company', 'is not', null)
        .orderBy('call_at')
        .executeTakeFirstOrThrow();
      const body = Buffer.from(row.body);
      body[body.length - 1] = (body[body.length - 1] ?? 0) ^ 0xff;
      await trx.updateTable('phone_messages').set({ body }).where('id', '=', row.id).execute();
    });
    await expect(download()).rejects.toThrow('A sealed value of the export could not be opened');
  });
});
