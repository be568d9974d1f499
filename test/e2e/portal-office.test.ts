/**
 * @module The client side of the virtual office in a real browser: the owner reads the inbox (a message and a parcel
 * with a scan), gives a colleague view on phone messages only, the colleague sees the message but not the parcel,
 * the owner exports XLSX (opened here with exceljs) and deletes all data. axe-core checks every screen; screenshots
 * land in .tmp/screenshots for a human to look at.
 */
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkPage as check,
  DESKTOP,
  pageHeading as heading,
  launchBrowser,
  MOBILE,
  openPage,
  signInThroughForm,
} from '../support/browser.ts';
import { scanPng, seedMessage, seedPostItem } from '../support/office-fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const MARKER = 'PORTALMARK';

const filesContaining = (dir: string, marker: string): string[] => {
  if (!fs.existsSync(dir)) return [];
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (fs.readFileSync(full).includes(Buffer.from(marker))) hits.push(full);
    }
  };
  walk(dir);
  return hits;
};

describe('client portal: inbox, colleagues, export and delete-all in Chromium', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer({ cookieSecure: false });
    const accountId = server.seed.accountId;
    await seedMessage(server.kernel, {
      accountId,
      caller: { name: 'Harriet Vance', phone: '020 7946 0777', email: 'harriet.vance@example.test' },
      company: 'Vance Plumbing',
      reason: 'Burst pipe at the surgery',
      body: `Water coming through the ceiling in room 2. Please call back as soon as possible. ${MARKER}`,
      urgency: 'urgent',
      callbackRequested: true,
    });
    server.kernel.clock.advance({ minutes: 5 });
    await seedMessage(server.kernel, {
      accountId,
      caller: { name: 'Owen Pryce', phone: '07700 900123' },
      reason: 'Appointment change',
      body: 'Would like to move Thursday’s check-up to the following week, mornings preferred.',
    });
    server.kernel.clock.advance({ minutes: 5 });
    await seedPostItem(server.kernel, {
      accountId,
      sender: 'Dental Supplies Direct',
      itemType: 'parcel',
      trackingNumber: 'DS-448-19',
      scan: { bytes: scanPng(MARKER), mediaType: 'image/png' },
    });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const newPage = (viewport: { width: number; height: number }) => openPage(browser, server.url, { viewport });

  const signIn = async (page: Page, who: { email: string; password: string }): Promise<void> => {
    await page.goto('/sign-in');
    await signInThroughForm(page, who);
    await page.getByRole('heading', { level: 1 }).filter({ hasNotText: 'Sign in' }).waitFor();
  };

  const nav = (page: Page, label: string) =>
    page.getByRole('navigation').getByRole('link', { name: label, exact: true }).click();

  it('owner reads the inbox, grants a colleague messages only, exports XLSX and deletes all data', async () => {
    const owner = await newPage(DESKTOP);
    await signIn(owner.page, server.seed.owner);
    await nav(owner.page, 'Inbox');
    await heading(owner.page, 'Inbox').waitFor();
    const list = owner.page.getByRole('list', { name: 'Inbox items' });
    await list.getByRole('link', { name: 'Harriet Vance' }).waitFor();
    expect(await list.getByRole('listitem').count()).toBe(3);
    await check(owner.page, 'desktop-portal-office-01-inbox');

    await owner.page.getByLabel('Search', { exact: true }).fill('burst pipe');
    await owner.page.getByRole('button', { name: 'Search' }).click();
    await owner.page.getByRole('heading', { name: 'Results for “burst pipe”' }).waitFor();
    await owner.page.waitForFunction(() => document.querySelectorAll('.inbox-row').length === 1);
    await owner.page.getByRole('button', { name: 'Clear filters' }).click();
    await owner.page.waitForFunction(() => document.querySelectorAll('.inbox-row').length === 3);

    await list.getByRole('link', { name: 'Harriet Vance' }).click();
    await heading(owner.page, 'Harriet Vance').waitFor();
    await owner.page.getByText('Water coming through the ceiling').waitFor();
    await check(owner.page, 'desktop-portal-office-02-message');

    await nav(owner.page, 'Post');
    await heading(owner.page, 'Post').waitFor();
    await owner.page.getByRole('link', { name: 'Dental Supplies Direct' }).click();
    await heading(owner.page, 'Dental Supplies Direct').waitFor();
    const scan = owner.page.getByRole('img', { name: /Scan 1 of the parcel/ });
    await scan.waitFor();
    await owner.page.waitForFunction(
      () => (document.querySelector('img.scan-preview') as HTMLImageElement | null)?.naturalWidth === 640,
    );
    await check(owner.page, 'desktop-portal-office-03-post-item');

    // AS-2: view on phone messages only.
    await nav(owner.page, 'Colleagues');
    await heading(owner.page, 'Colleagues').waitFor();
    const colleagueName = 'Sam Ellery';
    await owner.page.getByLabel(`Phone messages access for ${colleagueName}`).selectOption('view');
    await owner.page.getByText(`${colleagueName}: phone messages can view, post no access`).waitFor();
    await check(owner.page, 'desktop-portal-office-04-colleagues');

    const colleague = await newPage(DESKTOP);
    await signIn(colleague.page, server.seed.colleague);
    await nav(colleague.page, 'Inbox');
    const seen = colleague.page.getByRole('list', { name: 'Inbox items' });
    await seen.getByRole('link', { name: 'Harriet Vance' }).waitFor();
    expect(await seen.getByRole('listitem').count()).toBe(2);
    expect(await colleague.page.getByText('Dental Supplies Direct').count()).toBe(0);
    await colleague.page.getByText('You can see phone messages only.').waitFor();
    await check(colleague.page, 'desktop-portal-office-05-colleague-inbox');
    await colleague.context.close();

    // AS-3: XLSX export with a progress bar.
    await nav(owner.page, 'Settings');
    await heading(owner.page, 'Settings').waitFor();
    await owner.page.getByRole('radio', { name: /A daily summary/ }).check();
    await owner.page.getByRole('button', { name: 'Save choice' }).click();
    await owner.page.getByText('Notification choice saved').waitFor();
    await check(owner.page, 'desktop-portal-office-06-settings');
    const [download] = await Promise.all([
      owner.page.waitForEvent('download'),
      owner.page.getByRole('button', { name: 'Export' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^custodian-export-\d{4}-\d{2}-\d{2}\.xlsx$/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(await download.path());
    const messages = workbook.getWorksheet('Phone messages');
    const post = workbook.getWorksheet('Post');
    expect(messages?.rowCount).toBe(3);
    expect(post?.rowCount).toBe(2);
    const callers = [messages?.getRow(2).getCell(3).value, messages?.getRow(3).getCell(3).value].sort();
    expect(callers).toEqual(['Harriet Vance', 'Owen Pryce']);
    expect(messages?.getRow(2).getCell(1).value).toBeInstanceOf(Date);
    expect(post?.getRow(2).getCell(3).value).toBe('Dental Supplies Direct');

    // AS-4: delete all, after typing the words.
    await owner.page.getByRole('button', { name: 'Delete all data…' }).click();
    const dialog = owner.page.getByRole('dialog', { name: 'Delete all data?' });
    await dialog.waitFor();
    const confirm = dialog.getByRole('button', { name: 'Delete everything' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel('Type the words to confirm').fill('DELETE ALL DATA');
    await check(owner.page, 'desktop-portal-office-07-delete-dialog', { fullPage: false });
    await confirm.click();
    await owner.page.getByText('All data deleted').waitFor();
    await check(owner.page, 'desktop-portal-office-08-deleted');

    const left = await server.kernel.db.system(async (trx) => ({
      messages: (
        await trx.selectFrom('phone_messages').select('id').where('account_id', '=', server.seed.accountId).execute()
      ).length,
      post: (await trx.selectFrom('post_items').select('id').where('account_id', '=', server.seed.accountId).execute())
        .length,
      files: (
        await trx.selectFrom('stored_files').select('id').where('account_id', '=', server.seed.accountId).execute()
      ).length,
    }));
    expect(left).toEqual({ messages: 0, post: 0, files: 0 });
    expect(filesContaining(path.join(server.kernel.dataDir, 'files'), MARKER)).toEqual([]);
    expect(fs.existsSync(path.join(server.kernel.dataDir, 'files', server.seed.accountId))).toBe(false);
    expect(server.kernel.sent.some((m) => m.subject.startsWith('Receipt: all data'))).toBe(true);

    await nav(owner.page, 'Inbox');
    await owner.page.getByRole('heading', { name: 'Nothing here' }).waitFor();
    expect(owner.errors).toEqual([]);
    await owner.context.close();
  });

  it('the inbox and settings work on a phone-sized screen', async () => {
    const { context, page, errors } = await newPage(MOBILE);
    await signIn(page, server.seed.owner);
    await page.goto('/portal/inbox');
    await heading(page, 'Inbox').waitFor();
    await check(page, 'mobile-portal-office-01-inbox');
    await page.goto('/portal/settings');
    await heading(page, 'Settings').waitFor();
    await check(page, 'mobile-portal-office-02-settings');
    expect(errors).toEqual([]);
    await context.close();
  });
});
