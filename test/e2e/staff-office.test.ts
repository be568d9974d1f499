/**
 * @module The staff side of the virtual office in a real browser: the receptionist takes an urgent message with the
 * keyboard and sees it delivered, the mailroom logs a parcel with a scan and moves it along, and the front desk
 * verifies a caller before seeing account details (CP-2). axe-core checks each screen; screenshots land in
 * .tmp/screenshots.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage as check, launchBrowser, openPage, signInThroughForm } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { TINY_PNG } from '../support/uploads.ts';

const DESKTOP = { width: 1280, height: 860 };

describe('staff office in Chromium', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const open = async (who: { email: string; password: string }, to: string) => {
    const { context, page, errors } = await openPage(browser, server.url, { viewport: DESKTOP, consoleErrors: 'none' });
    await page.goto(to);
    await page.waitForURL('**/sign-in');
    await signInThroughForm(page, who);
    await page.waitForURL(`**${to}`);
    return { context, page, errors };
  };

  const clientName = async () =>
    (
      await server.kernel.db.system((trx) =>
        trx.selectFrom('accounts').select('name').where('id', '=', server.seed.accountId).executeTakeFirstOrThrow(),
      )
    ).name;

  it('the receptionist takes an urgent message with the keyboard and sees the e-mail delivered', async () => {
    const { context, page, errors } = await open(server.seed.receptionist, '/staff/messages');
    await page.getByRole('heading', { level: 1, name: 'Messages' }).waitFor();
    await check(page, 'desktop-20-staff-messages-empty');

    // The client field has focus on arrival: type, then Tab through the form.
    const name = await clientName();
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'client');
    await page.keyboard.type(name);
    await page.keyboard.press('Tab');
    const form = page.getByRole('form', { name: 'Take a phone message' });
    await form.getByLabel('Caller’s name').fill('Ottilie Brennan');
    await form.getByLabel('Company').fill('Brennan Plumbing');
    await form.getByLabel('Phone number').fill('07700 900777');
    await form.getByLabel('Reason for calling').fill('Burst pipe');
    await form
      .getByLabel('Message', { exact: true })
      .fill('Water coming through the surgery ceiling, please call straight back.');
    await form.getByLabel('Urgent').check();
    await form.getByLabel('Call back requested').check();
    await check(page, 'desktop-21-staff-message-filled');
    await form.getByLabel('Message', { exact: true }).press('Control+Enter');

    const receipt = page.getByRole('region', { name: 'Message taken' });
    await receipt.getByText('Message from Ottilie Brennan saved').waitFor();
    await receipt.getByText('Delivered').first().waitFor({ timeout: 15_000 });
    await check(page, 'desktop-22-staff-message-delivered');
    expect(
      server.kernel.sent.some((m) => m.to === 'owner@harbourlane.test' && m.text.includes('Water coming through')),
    ).toBe(true);

    // A second call from the same number shows the caller and their earlier message.
    await form.getByLabel('Phone number').fill('07700 900777');
    const known = page.getByRole('region', { name: 'Known caller' });
    await known.getByText('Ottilie Brennan').waitFor();
    await known.getByText('Water coming through the surgery ceiling, please call straight back.').waitFor();
    await check(page, 'desktop-23-staff-known-caller');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the mailroom logs a parcel with a scan and moves it along its lifecycle', async () => {
    const mailroom = server.seed.users.find((u) => u.role === 'mailroom');
    const { context, page, errors } = await open(
      { email: mailroom?.email ?? '', password: mailroom?.password ?? '' },
      '/staff/post',
    );
    await page.getByRole('heading', { level: 1, name: 'Post' }).waitFor();
    const form = page.getByRole('form', { name: 'Log a post item' });
    await form.getByLabel('Client').fill(await clientName());
    await form.getByLabel('Sender').fill('Dental Supplies Direct');
    await form.getByLabel('Type').selectOption('parcel');
    await form.getByLabel('Tracking number').fill('DSD-4471-XK');
    const scan = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'scan-')), 'label.png');
    fs.writeFileSync(scan, TINY_PNG);
    await form.getByLabel('Scan or photo').setInputFiles(scan);
    await form.getByRole('button', { name: 'Log item' }).click();
    const table = page.getByRole('table', { name: 'Recent post for this client' });
    await table.getByText('Dental Supplies Direct', { exact: true }).waitFor();
    await table.getByRole('link', { name: /View scan/ }).waitFor();
    await table.getByRole('button', { name: 'Ask for instruction: Dental Supplies Direct' }).click();
    await table.getByText('Awaiting instruction').waitFor();
    await check(page, 'desktop-24-staff-post');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('CP-2: the front desk sees account details only after the caller passes the identity check', async () => {
    const { context, page, errors } = await open(server.seed.receptionist, '/staff/verify');
    const form = page.getByRole('form', { name: 'Verify a caller' });
    await form.getByLabel('Client').fill(await clientName());
    await form.getByLabel('Who is calling').selectOption({ label: 'Dana Whitlow (owner)' });
    await form.getByLabel('Registered e-mail address').fill('wrong@harbourlane.test');
    await form.getByRole('button', { name: 'Check identity' }).click();
    await page.getByText('Not verified').waitFor();
    expect(await page.getByRole('region', { name: 'Account details' }).count()).toBe(0);
    await form.getByLabel('Registered e-mail address').fill('owner@harbourlane.test');
    await form.getByRole('button', { name: 'Check identity' }).click();
    await page.getByRole('region', { name: 'Account details' }).getByText('Dana Whitlow (owner)').waitFor();
    await check(page, 'desktop-25-staff-verify');
    expect(errors).toEqual([]);
    await context.close();
  });
});
