/**
 * @module The whole virtual-office chain of issue 4 in one browser walk, through the UI only: the receptionist takes an
 * urgent message and the mailroom logs a parcel with a scan → the owner receives the e-mail through a real SMTP
 * server (and a text through a real local SMS webhook, shown in the desk's delivery list) → the owner gives a colleague view on phone messages only → the colleague sees the message, not the
 * parcel → the owner exports XLSX (opened here with exceljs) → the owner deletes all data → none of the walk's
 * unique markers is left on disk: not in the database files (PGlite on disk; on PostgreSQL, every stored value)
 * and not under DATA_DIR/files. axe-core checks each screen.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkPage as check,
  pageHeading as heading,
  launchBrowser,
  openPage,
  signInThroughForm,
} from '../support/browser.ts';
import { onPostgres } from '../support/db.ts';
import { scanPng } from '../support/office-fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { startSmsWebhook } from '../support/sms-webhook.ts';
import { startSmtpSink } from '../support/smtp.ts';
import { everyStoredValue } from '../support/stored-values.ts';

const id = crypto.randomBytes(4).toString('hex');
/** Unique strings the walk types or uploads; none may survive "delete all data". */
const MARKERS = {
  body: `Mbody${id}`,
  caller: `Mcaller${id}`,
  sender: `Msender${id}`,
  scan: `Mscan${id}`,
};
const CALLER = `Ottilie ${MARKERS.caller}`;
const SENDER = `${MARKERS.sender} Dental Supplies`;
const OWNER_MOBILE = '+44 7700 900314';
const BODY = `Water coming through the surgery ceiling, please call straight back. ${MARKERS.body}`;

const filesUnder = (dir: string): string[] =>
  fs.existsSync(dir)
    ? fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => path.join(entry.parentPath, entry.name))
    : [];

/** Each needle as it would sit in a file or a column: UTF-8 and UTF-16LE bytes, as written and lower-cased. */
const encodings = (needle: string) =>
  [needle, needle.toLowerCase()].flatMap((n) => [Buffer.from(n, 'utf8'), Buffer.from(n, 'utf16le')]);

const found = (haystacks: Buffer[], needle: string) =>
  encodings(needle).some((bytes) => haystacks.some((h) => h.includes(bytes)));

describe('the virtual-office walk of issue 4, end to end in Chromium', () => {
  let server: TestServer;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let webhook: Awaited<ReturnType<typeof startSmsWebhook>>;
  let browser: Browser;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    webhook = await startSmsWebhook();
    server = await startTestServer({
      cookieSecure: false,
      pgliteOnDisk: true,
      env: { SMTP_URL: smtp.url, SMS_WEBHOOK_URL: webhook.url, SMS_WEBHOOK_TOKEN: 'walk-webhook-token' },
    });
    // The owner has a mobile number on record, so an urgent message also goes by SMS.
    await server.kernel.db.system(async (trx) => {
      const owner = await trx
        .selectFrom('users')
        .select('subject_id')
        .where('account_id', '=', server.seed.accountId)
        .where('role', '=', 'owner')
        .executeTakeFirstOrThrow();
      await trx
        .updateTable('subjects')
        .set({ phone: await server.kernel.vault.seal(trx, owner.subject_id, 'subjects.phone', OWNER_MOBILE) })
        .where('id', '=', owner.subject_id)
        .execute();
    });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await smtp?.close();
    await webhook?.close();
  });

  const signedIn = async (who: { email: string; password: string }, to: string) => {
    const opened = await openPage(browser, server.url);
    await opened.page.goto(to);
    await opened.page.waitForURL('**/sign-in');
    await signInThroughForm(opened.page, who);
    await opened.page.waitForURL(`**${to}`);

    return opened;
  };

  const nav = (page: Page, label: string) =>
    page.getByRole('navigation').getByRole('link', { name: label, exact: true }).click();

  it('urgent message and parcel → e-mail → colleague on messages only → XLSX → delete all → nothing left', async () => {
    const walkStarted = Date.now();
    const clientName = (
      await server.kernel.db.system((trx) =>
        trx.selectFrom('accounts').select('name').where('id', '=', server.seed.accountId).executeTakeFirstOrThrow(),
      )
    ).name;

    // 1. The receptionist takes an urgent message, keyboard first, and watches the e-mail go out.
    const desk = await signedIn(server.seed.receptionist, '/staff/messages');
    await heading(desk.page, 'Messages').waitFor();
    await desk.page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'client');
    await desk.page.keyboard.type(clientName);
    await desk.page.keyboard.press('Tab');
    const form = desk.page.getByRole('form', { name: 'Take a phone message' });
    await form.getByLabel('Caller’s name').fill(CALLER);
    await form.getByLabel('Company').fill('Brennan Plumbing');
    await form.getByLabel('Phone number').fill('07700 900778');
    await form.getByLabel('Reason for calling').fill('Burst pipe');
    await form.getByLabel('Message', { exact: true }).fill(BODY);
    await form.getByLabel('Urgent').check();
    await form.getByLabel('Call back requested').check();
    await form.getByLabel('Message', { exact: true }).press('Control+Enter');
    const receipt = desk.page.getByRole('region', { name: 'Message taken' });
    await receipt.getByText(`Message from ${CALLER} saved`).waitFor();
    const deliveries = receipt.getByRole('listitem');
    await deliveries.filter({ hasText: 'e-mail' }).getByText('Delivered').waitFor({ timeout: 15_000 });
    await deliveries.filter({ hasText: 'text message' }).getByText('Delivered').waitFor({ timeout: 15_000 });
    await receipt.getByRole('heading', { name: 'Urgent e-mail and text message to the client' }).waitFor();
    await check(desk.page, 'desktop-walk-01-urgent-message-delivered');
    expect(desk.errors).toEqual([]);
    await desk.context.close();

    // 2. The owner's mailbox got it over SMTP and their phone a service text: "Delivered" shows only after the SMTP
    // server and the SMS webhook accepted them.
    const urgent = smtp.received.filter((m) => m.to.includes(server.seed.owner.email) && m.raw.includes(MARKERS.body));
    expect(urgent).toHaveLength(1);
    expect(urgent[0]?.raw).toContain('Subject: Urgent phone message for');
    expect(urgent[0]?.raw).toContain('X-Custodian-Class: service');
    expect(webhook.received.map((r) => [r.authorization, (r.json as { to: string }).to])).toEqual([
      ['Bearer walk-webhook-token', OWNER_MOBILE],
    ]);
    expect(JSON.stringify(webhook.received[0]?.json)).toContain(CALLER);

    // 3. The mailroom logs a parcel with a scan.
    const mailroom = server.seed.users.find((u) => u.role === 'mailroom');
    const room = await signedIn({ email: mailroom?.email ?? '', password: mailroom?.password ?? '' }, '/staff/post');
    await heading(room.page, 'Post').waitFor();
    const postForm = room.page.getByRole('form', { name: 'Log a post item' });
    await postForm.getByLabel('Client').fill(clientName);
    await postForm.getByLabel('Sender').fill(SENDER);
    await postForm.getByLabel('Type').selectOption('parcel');
    await postForm.getByLabel('Tracking number').fill('DSD-4471-XK');
    const scanFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'walk-scan-')), 'label.png');
    fs.writeFileSync(scanFile, scanPng(MARKERS.scan));
    await postForm.getByLabel('Scan or photo').setInputFiles(scanFile);
    await postForm.getByRole('button', { name: 'Log item' }).click();
    const recent = room.page.getByRole('table', { name: 'Recent post for this client' });
    await recent.getByText(SENDER, { exact: true }).waitFor();
    await recent
      .getByRole('link', { name: /View scan/ })
      .first()
      .waitFor();
    await check(room.page, 'desktop-walk-02-parcel-logged');
    expect(room.errors).toEqual([]);
    await room.context.close();
    fs.rmSync(path.dirname(scanFile), { recursive: true, force: true });

    // 4. The owner, in a browser context of their own, sees both and gives the colleague view on messages only.
    const owner = await signedIn(server.seed.owner, '/portal/inbox');
    await heading(owner.page, 'Inbox').waitFor();
    const inbox = owner.page.getByRole('list', { name: 'Inbox items' });
    await inbox.getByRole('link', { name: CALLER }).waitFor();
    await inbox.getByRole('link', { name: SENDER }).waitFor();
    await check(owner.page, 'desktop-walk-03-owner-inbox');
    await nav(owner.page, 'Colleagues');
    await heading(owner.page, 'Colleagues').waitFor();
    await owner.page.getByLabel('Phone messages access for Sam Ellery').selectOption('view');
    await owner.page.getByText('Sam Ellery: phone messages can view, post no access').waitFor();
    await check(owner.page, 'desktop-walk-04-colleague-granted');

    // 5. The colleague sees the message but not the parcel.
    const colleague = await signedIn(server.seed.colleague, '/portal/inbox');
    await heading(colleague.page, 'Inbox').waitFor();
    const seen = colleague.page.getByRole('list', { name: 'Inbox items' });
    await seen.getByRole('link', { name: CALLER }).waitFor();
    await colleague.page.getByText('You can see phone messages only.').waitFor();
    expect(await colleague.page.getByText(SENDER).count()).toBe(0);
    await check(colleague.page, 'desktop-walk-05-colleague-inbox');
    await seen.getByRole('link', { name: CALLER }).click();
    await heading(colleague.page, CALLER).waitFor();
    await colleague.page.getByText(BODY).waitFor();
    await check(colleague.page, 'desktop-walk-06-colleague-message');
    expect(colleague.errors).toEqual([]);
    await colleague.context.close();

    // 6. The owner exports XLSX: one sheet each, readable headers, real dates.
    await nav(owner.page, 'Settings');
    await heading(owner.page, 'Settings').waitFor();
    await check(owner.page, 'desktop-walk-07-settings');
    const [download] = await Promise.all([
      owner.page.waitForEvent('download'),
      owner.page.getByRole('button', { name: 'Export' }).click(),
    ]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(await download.path());
    const messages = workbook.getWorksheet('Phone messages');
    const post = workbook.getWorksheet('Post');
    expect(messages?.getRow(1).getCell(1).value).toBe('Received');
    expect(messages?.getRow(1).getCell(3).value).toBe('Caller');
    expect(post?.getRow(1).getCell(3).value).toBe('Sender');
    const rowsOf = (sheet: ExcelJS.Worksheet | undefined) =>
      Array.from({ length: Math.max(0, (sheet?.rowCount ?? 0) - 1) }, (_, i) => sheet?.getRow(i + 2));
    const messageRow = rowsOf(messages).find((r) => r?.getCell(3).value === CALLER);
    const postRow = rowsOf(post).find((r) => r?.getCell(3).value === SENDER);
    const near = (value: unknown) =>
      value instanceof Date && Math.abs(value.getTime() - walkStarted) < 10 * 60_000 ? 'near the walk' : value;
    expect(messageRow?.getCell(2).value).toBe('urgent');
    expect(messageRow?.getCell(8).value).toBe(BODY);
    expect(near(messageRow?.getCell(1).value)).toBe('near the walk');
    expect(postRow?.getCell(2).value).toBe('parcel');
    expect(postRow?.getCell(4).value).toBe('DSD-4471-XK');
    expect(near(postRow?.getCell(1).value)).toBe('near the walk');

    // 7. The owner deletes all data after typing the words.
    await owner.page.getByRole('button', { name: 'Delete all data…' }).click();
    const dialog = owner.page.getByRole('dialog', { name: 'Delete all data?' });
    await dialog.waitFor();
    const confirm = dialog.getByRole('button', { name: 'Delete everything' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel('Type the words to confirm').fill('DELETE ALL DATA');
    await check(owner.page, 'desktop-walk-08-delete-dialog', { fullPage: false });
    await confirm.click();
    await owner.page.getByText('All data deleted').waitFor();
    await check(owner.page, 'desktop-walk-09-deleted');
    await nav(owner.page, 'Inbox');
    await owner.page.getByRole('heading', { name: 'Nothing here' }).waitFor();
    expect(owner.errors).toEqual([]);
    await owner.context.close();
    expect(
      smtp.received.some((m) => m.to.includes(server.seed.owner.email) && m.raw.includes('Receipt: all data')),
    ).toBe(true);

    // 8. Nothing of it remains on disk: a control (the account name, stored in plaintext) proves the grep sees data.
    const files = filesUnder(path.join(server.kernel.dataDir, 'files')).map((f) => fs.readFileSync(f));
    for (const marker of Object.values(MARKERS)) expect(found(files, marker), `files: ${marker}`).toBe(false);
    if (onPostgres()) {
      // The server's files are out of reach: check every value of every table instead.
      const values = await everyStoredValue(server.kernel.db);
      expect(found(values, clientName), 'control marker').toBe(true);
      for (const marker of Object.values(MARKERS)) expect(found(values, marker), `database: ${marker}`).toBe(false);
    } else {
      await server.kernel.db.system((trx) => sql`checkpoint`.execute(trx));
      const pgdata = filesUnder(path.join(server.kernel.dataDir, 'pgdata'));
      expect(pgdata.length).toBeGreaterThan(100);
      const everything = filesUnder(server.kernel.dataDir).map((f) => fs.readFileSync(f));
      expect(found(everything, clientName), 'control marker').toBe(true);
      for (const marker of Object.values(MARKERS)) expect(found(everything, marker), `data dir: ${marker}`).toBe(false);
    }
  });
});
