/**
 * @module The staff "Privacy notice" screen in Chromium against the real server: a privacy officer downloads the
 * record of processing as XLSX and CSV, reads the published versions, publishes the loaded file (a material change,
 * so active users are e-mailed) and sees a clear refusal when someone else published it first; a receptionist sees
 * no entry and the API refuses them. axe-core checks each screen; screenshots land in .tmp/screenshots.
 */
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { POLICIES_DIR } from '../../src/policy/policy-loader.ts';
import { publishPolicy } from '../../src/policy/policy-versions.ts';
import {
  checkPage as check,
  collectErrors,
  DESKTOP,
  pageHeading as heading,
  launchBrowser,
  MOBILE,
  openPage,
  signInThroughForm,
} from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** Version 1 of the demo's answering-service notice, so the screen has a past version before version 2 goes out. */
const answeringServiceV1 = (): string => {
  const doc = parseDocument(fs.readFileSync(path.join(POLICIES_DIR, 'answering-service.yaml'), 'utf8'));
  doc.set('version', 1);
  doc.set('effectiveDate', '2015-06-03');
  (doc.get('changes') as { items: unknown[] }).items.splice(1, 1);
  return doc.toString();
};

describe('staff privacy notice screen in Chromium', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    await publishPolicy(server.kernel, { source: answeringServiceV1(), actor: { id: null, role: 'privacy_officer' } });
    server.kernel.sent.length = 0;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A fresh context, or (given one) another tab in it. */
  const newPage = async (
    viewport: { width: number; height: number },
    context?: BrowserContext,
  ): Promise<{ context: BrowserContext; page: Page; errors: string[] }> => {
    if (!context) return openPage(browser, server.url, { viewport });
    const page = await context.newPage();
    // Refused requests (the 401 before sign-in, the receptionist's 403s) are logged as failed resources.
    return { context, page, errors: collectErrors(page) };
  };

  const signIn = async (page: Page, who: { email: string; password: string }): Promise<void> => {
    await page.goto('/sign-in');
    await signInThroughForm(page, who);
    await page.waitForURL('**/staff');
  };

  const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });

  it('a privacy officer downloads the record of processing, reads the versions and publishes version 2', async () => {
    const { context, page, errors } = await newPage(DESKTOP);
    await signIn(page, server.seed.staff);

    await nav(page).getByRole('link', { name: 'Privacy notice' }).click();
    await heading(page, 'Privacy notice').waitFor();
    const policy = page.getByRole('region', { name: 'Policy file in force' });
    await policy.getByText('answering-service').waitFor();
    expect(await policy.getByText('Version 2', { exact: true }).count()).toBe(1);
    expect(await policy.getByRole('link', { name: /\/privacy/ }).getAttribute('href')).toBe('/privacy');
    const versions = page.getByRole('list', { name: 'Published versions, newest first' });
    await versions.waitFor();
    expect(await versions.getByRole('listitem').count()).toBe(1);
    expect(await versions.getByRole('link', { name: /Version 1/ }).getAttribute('href')).toBe('/privacy/v/1');
    await check(page, 'desktop-privacy-notice-01-ready');

    // The record of processing, as a workbook with rows and as CSV.
    const [xlsx] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download XLSX' }).click(),
    ]);
    expect(xlsx.suggestedFilename()).toBe('ropa-answering-service-v2.xlsx');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(await xlsx.path());
    expect(workbook.worksheets.length).toBeGreaterThan(0);
    expect(Math.max(...workbook.worksheets.map((sheet) => sheet.actualRowCount))).toBeGreaterThan(1);
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(csv.suggestedFilename()).toBe('ropa-answering-service-v2.csv');
    const csvText = fs.readFileSync(await csv.path(), 'utf8');
    expect(csvText).toMatch(/^Part,Activity,Purpose id/);
    expect(csvText.trim().split('\n').length).toBeGreaterThan(1);

    // A second tab loads the screen before version 2 goes out, to see the refusal when it tries later.
    const other = await newPage(DESKTOP, context);
    await other.page.goto('/staff/privacy-notice');
    await other.page.getByRole('button', { name: 'Publish version 2' }).waitFor();

    // Publishing: the dialog says who is e-mailed; Escape backs out, focus starts on Cancel.
    const publishButton = page.getByRole('button', { name: 'Publish version 2' });
    await publishButton.click();
    const dialog = page.getByRole('dialog', { name: 'Publish version 2?' });
    await dialog.waitFor();
    await dialog.getByText(/including people who opted out of marketing/).waitFor();
    await dialog.getByText(/deactivated or cancelled accounts, and disabled sign-ins, are not e-mailed/).waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    await check(page, 'desktop-privacy-notice-02-publish-dialog', { fullPage: false });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(server.kernel.sent).toHaveLength(0);

    await publishButton.click();
    await dialog.getByRole('button', { name: /^Publish and e-mail/ }).click();
    const done = page.getByRole('status').filter({ hasText: 'Version 2 published' }).first();
    await done.waitFor();
    await dialog.waitFor({ state: 'detached' });
    expect(server.kernel.sent.length).toBeGreaterThan(0);
    expect(server.kernel.sent.every((m) => m.class === 'service')).toBe(true);
    const publishCard = page.getByRole('region', { name: 'Publish' });
    await publishCard.getByText(`${server.kernel.sent.length} people e-mailed about the change.`).waitFor();
    await versions.getByRole('link', { name: /Version 2/ }).waitFor();
    expect(await versions.getByRole('listitem').count()).toBe(2);
    await versions
      .getByRole('listitem')
      .filter({ hasText: 'Version 2' })
      .getByText(`${server.kernel.sent.length} people e-mailed`)
      .waitFor();
    await policy.getByText('Published', { exact: true }).waitFor();
    await check(page, 'desktop-privacy-notice-03-published');

    // The other tab still offers to publish; the server refuses, and the dialog says why.
    await other.page.getByRole('button', { name: 'Publish version 2' }).click();
    const otherDialog = other.page.getByRole('dialog', { name: 'Publish version 2?' });
    await otherDialog.getByRole('button', { name: /^Publish and e-mail/ }).click();
    const refusal = otherDialog.getByRole('alert');
    await refusal.getByText('Not published').waitFor();
    await refusal.getByText(/Version 2 is already published/).waitFor();
    expect(await otherDialog.getByRole('button', { name: /^Publish and e-mail/ }).count()).toBe(0);
    await check(other.page, 'desktop-privacy-notice-04-already-published', { fullPage: false });
    await otherDialog.getByRole('button', { name: 'Close', exact: true }).click();
    await otherDialog.waitFor({ state: 'detached' });
    await other.page.getByText(/Version 2 is the live notice/).waitFor();
    expect(await other.page.getByRole('button', { name: 'Publish version 2' }).count()).toBe(0);

    expect([...errors, ...other.errors]).toEqual([]);
    await context.close();
  });

  it('fits a phone screen', async () => {
    const { context, page, errors } = await newPage(MOBILE);
    await signIn(page, server.seed.staff);
    await page.goto('/staff/privacy-notice');
    await heading(page, 'Privacy notice').waitFor();
    await page.getByRole('list', { name: 'Published versions, newest first' }).waitFor();
    await check(page, 'mobile-privacy-notice');
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a receptionist sees no Privacy notice entry and the API refuses them', async () => {
    const { context, page, errors } = await newPage(DESKTOP);
    await signIn(page, server.seed.receptionist);

    expect(await nav(page).getByRole('link', { name: 'Messages' }).count()).toBe(1);
    expect(await nav(page).getByRole('link', { name: 'Privacy notice' }).count()).toBe(0);
    const statuses = await page.evaluate(async () =>
      Promise.all(
        ['/api/policy/versions', '/api/policy/ropa?format=xlsx', '/api/policy/ropa?format=csv'].map(
          async (url) => (await fetch(url, { credentials: 'same-origin' })).status,
        ),
      ),
    );
    expect(statuses).toEqual([403, 403, 403]);

    // Typing the address shows the refusal, not a broken screen.
    await page.goto('/staff/privacy-notice');
    await page.getByRole('alert').getByText('You do not have access to this').waitFor();
    await check(page, 'desktop-privacy-notice-05-receptionist');
    expect(errors).toEqual([]);
    await context.close();
  });
});
