/**
 * @module The cookie banner in Chromium on the example site (`/demo-site`): marked scripts stay blocked until
 * consent, "Reject all" and "Block all but essential" leave no non-essential cookie, GPC (the DOM property and the
 * `Sec-GPC` header) records a refusal that a later explicit choice overrides, a new notice version asks again, and
 * the banner is keyboard-usable and axe-clean.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { ensureProviderAccount } from '../../src/accounts/accounts.ts';
import { buildApp } from '../../src/app.ts';
import type { App } from '../../src/kernel/http/types.ts';
import { POLICIES_DIR } from '../../src/policy/policy-loader.ts';
import { checkAccessibility, checkPage, launchBrowser, openPage } from '../support/browser.ts';
import { createTestKernel, type TestKernel } from '../support/kernel.ts';

type Site = { url: string; kernel: TestKernel; app: App };

const startSite = async (policyFile?: string): Promise<Site> => {
  const kernel = await createTestKernel({ env: policyFile ? { POLICY_FILE: policyFile } : {} });
  await ensureProviderAccount(kernel, 'Example provider (test)');
  const app = await buildApp(kernel);
  await app.listen({ host: '127.0.0.1', port: 0 });

  return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, kernel, app };
};

/** The contact-centre notice one version later, as a business would publish it. */
const nextVersionOf = (notice: string, dir: string) => {
  const doc = parseDocument(fs.readFileSync(path.join(POLICIES_DIR, `${notice}.yaml`), 'utf8'));
  const version = Number(doc.get('version')) + 1;
  doc.set('version', version);
  doc.set('effectiveDate', '2026-12-01');
  (doc.get('changes') as { add(v: unknown): void }).add(
    doc.createNode({ version, date: '2026-12-01', material: false, summary: 'Clearer cookie descriptions.' }),
  );
  const file = path.join(dir, `${notice}-next.yaml`);
  fs.writeFileSync(file, doc.toString());

  return file;
};

const nonEssential = (cookies: { name: string }[]) => cookies.map((c) => c.name).filter((n) => n !== 'cookie_choice');
const runs = (page: Page) =>
  page.evaluate(() => (window as unknown as { __demoRuns?: Record<string, number> }).__demoRuns ?? {});

describe('cookie banner in Chromium', () => {
  let browser: Browser;
  let dir: string;
  const sites: Record<'answering' | 'contact' | 'contactNext' | 'conferencing' | 'office' | 'phone', Site> =
    {} as never;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-banner-'));
    sites.answering = await startSite();
    sites.contact = await startSite(path.join(POLICIES_DIR, 'contact-centre-saas.yaml'));
    sites.contactNext = await startSite(nextVersionOf('contact-centre-saas', dir));
    sites.conferencing = await startSite(path.join(POLICIES_DIR, 'conferencing-vendor.yaml'));
    sites.office = await startSite(path.join(POLICIES_DIR, 'virtual-office.yaml'));
    sites.phone = await startSite(path.join(POLICIES_DIR, 'cloud-phone.yaml'));
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    for (const site of Object.values(sites)) {
      await site.app.close();
      await site.kernel.close();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const open = async (site: Site, options: { gpc?: boolean; locale?: string } = {}) => {
    const opened = await openPage(browser, undefined, {
      consoleErrors: 'all',
      ...(options.locale ? { locale: options.locale } : {}),
      ...(options.gpc
        ? {
            extraHTTPHeaders: { 'Sec-GPC': '1' },
            initScript: () => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }),
          }
        : {}),
    });
    await opened.page.goto(`${site.url}/demo-site`);
    await opened.page.getByRole('dialog').waitFor();

    return opened;
  };

  const log = (site: Site) =>
    site.kernel.db.system((trx) => trx.selectFrom('cookie_consents').selectAll().orderBy('id').execute());
  const waitForLog = async (site: Site, count: number) => {
    // Up to 20 s: the banner posts the choice in the background, and CI runs several browsers on two cores.
    for (let i = 0; i < 400 && (await log(site)).length < count; i += 1) await new Promise((r) => setTimeout(r, 50));

    return log(site);
  };

  it('AS-12: tracking scripts stay blocked until the visitor accepts, and "Reject all" leaves no non-essential cookie', async () => {
    const site = sites.answering;
    const { context, page, errors } = await open(site);
    expect(await runs(page)).toEqual({});
    expect(nonEssential(await context.cookies())).toEqual([]);
    await checkPage(page, 'cookie-banner-first-layer', { fullPage: false });

    // Equal weight: "Accept all" and "Reject all" are the same kind of button, same size, same colours.
    const style = (name: string) =>
      page.getByRole('button', { name, exact: true }).evaluate((el) => {
        const s = getComputedStyle(el);
        const r = el.getBoundingClientRect();
        return {
          font: s.fontSize,
          weight: s.fontWeight,
          bg: s.backgroundColor,
          color: s.color,
          h: Math.round(r.height),
          w: Math.round(r.width),
        };
      });
    expect(await style('Reject all')).toEqual(await style('Accept all'));

    await page.getByRole('button', { name: 'Reject all', exact: true }).click();
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    expect(await runs(page)).toEqual({});
    expect(nonEssential(await context.cookies())).toEqual([]);
    const [record] = await waitForLog(site, 1);
    expect(record).toMatchObject({ method: 'reject_all', refused: ['analytics'], granted: [], gpc: false });

    // The choice can be changed from any page: accept, the analytics script runs once and sets its cookie …
    await page.getByRole('link', { name: 'Cookie settings' }).click();
    await page.getByRole('button', { name: 'Accept all', exact: true }).click();
    await expect.poll(() => runs(page)).toEqual({ analytics: 1 });
    expect(nonEssential(await context.cookies())).toEqual(['_mtr_id']);
    // … and rejecting again clears it.
    await page.getByRole('link', { name: 'Cookie settings' }).click();
    await page.getByRole('button', { name: 'Reject all', exact: true }).click();
    expect(nonEssential(await context.cookies())).toEqual([]);
    await page.reload();
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect(await runs(page)).toEqual({});
    expect(errors).toEqual([]);
    await context.close();
  });

  it('CV-13: "Block all but essential" is offered, keeps every third-party embed blocked, and the banner traps focus for keyboard users', async () => {
    const site = sites.conferencing;
    const { context, page, errors } = await open(site);
    const inDialog = () => page.evaluate(() => Boolean(document.activeElement?.closest('[role="dialog"]')));
    expect(await inDialog()).toBe(true);
    for (let i = 0; i < 8; i += 1) {
      await page.keyboard.press('Tab');
      expect(await inDialog()).toBe(true);
    }
    await page.keyboard.press('Shift+Tab');
    expect(await inDialog()).toBe(true);

    await page.getByRole('button', { name: 'Choose cookies' }).click();
    const analytics = page.getByRole('checkbox', { name: /Analytics/ });
    expect(await analytics.isChecked()).toBe(false);
    const necessary = page.getByRole('checkbox', { name: /Strictly necessary/ });
    expect(await necessary.isChecked()).toBe(true);
    expect(await necessary.isDisabled()).toBe(true);
    await checkPage(page, 'cookie-banner-preferences', { fullPage: false });
    await page.keyboard.press('Escape');
    expect(await page.getByRole('checkbox', { name: /Analytics/ }).isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Choose cookies' }).click();
    await page.getByRole('button', { name: 'Block all but essential' }).click();

    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    expect(await runs(page)).toEqual({});
    expect(nonEssential(await context.cookies())).toEqual([]);
    expect(await page.locator('script[type="text/plain"][data-category="analytics"]').count()).toBe(1);
    expect((await waitForLog(site, 1))[0]).toMatchObject({ method: 'reject_all', refused: ['analytics'] });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('GPC set in the browser records a refusal of advertising, which a later explicit "Accept all" overrides', async () => {
    const site = sites.contact;
    const { context, page, errors } = await open(site, { gpc: true });
    await expect.poll(async () => (await log(site)).length).toBe(1);
    const [gpcRecord] = await log(site);
    expect(gpcRecord).toMatchObject({ method: 'gpc', gpc: true, refused: ['advertising'], granted: [] });
    expect(await page.getByText(/Global Privacy Control signal/).count()).toBe(1);
    // The server honours Sec-GPC too: the advertising tag is not in the page at all.
    expect(await page.locator('script[data-category="advertising"]').count()).toBe(0);
    expect(await runs(page)).toEqual({});
    await checkAccessibility(page, 'cookie-banner-gpc');

    await page.getByRole('button', { name: 'Accept all', exact: true }).click();
    const records = await waitForLog(site, 2);
    expect(records[1]).toMatchObject({ method: 'accept_all', gpc: true, consent_id: gpcRecord?.consent_id });
    expect(records[1]?.granted).toEqual(expect.arrayContaining(['advertising', 'analytics']));
    expect(records[0]).toMatchObject({ method: 'gpc' });
    await expect.poll(() => runs(page)).toEqual({ analytics: 1 });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a new notice version asks again, even after the visitor chose', async () => {
    const { context, page } = await open(sites.contact);
    await page.getByRole('button', { name: 'Accept all', exact: true }).click();
    await expect.poll(() => runs(page)).toEqual({ advertising: 1, analytics: 1 });
    await page.reload();
    expect(await page.getByRole('dialog').count()).toBe(0);
    await expect.poll(() => runs(page)).toEqual({ advertising: 1, analytics: 1 });

    // Same host, so the same cookie jar: the choice cookie is there, but it was made under the old version.
    await page.goto(`${sites.contactNext.url}/demo-site`);
    await page.getByRole('dialog').waitFor();
    expect(await runs(page)).toEqual({});
    await page.getByRole('button', { name: 'Reject all', exact: true }).click();
    expect(nonEssential(await context.cookies())).toEqual([]);
    const [record] = await waitForLog(sites.contactNext, 1);
    expect(record?.notice_version).toBe(sites.contactNext.kernel.policyFile.file.version);
    await context.close();
  });

  it('VO-4: session and persistent cookies are listed, and a persistent profiling cookie is set only after consent to it', async () => {
    const site = sites.office;
    const table = await fetch(`${site.url}/cookies`).then((r) => r.text());
    expect(table).toContain(
      '<td>lv_sid</td><td>necessary</td><td>Session ID</td><td>Lanyard (first party)</td><td>When the browser closes</td>',
    );
    expect(table).toContain('<td>lv_pref</td><td>personalisation</td>');
    expect(table).toMatch(/<td>personalisation<\/td><td>[^<]*<\/td><td>Yes<\/td>/);

    const { context, page, errors } = await open(site);
    expect(nonEssential(await context.cookies())).toEqual([]);
    await page.getByRole('button', { name: 'Choose cookies' }).click();
    await page.getByRole('checkbox', { name: /Personalisation/ }).check();
    await page.getByRole('button', { name: 'Save my choices' }).click();
    await expect.poll(() => runs(page)).toEqual({ personalisation: 1 });
    const cookies = await context.cookies();
    const pref = cookies.find((c) => c.name === 'lv_pref');
    expect(pref?.expires).toBeGreaterThan(Date.now() / 1000);
    expect(cookies.find((c) => c.name === '_mtr')).toBeUndefined();
    const [record] = await waitForLog(site, 1);
    expect(record).toMatchObject({ method: 'custom', granted: ['personalisation'], refused: ['analytics'] });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a French browser gets the banner in French, loaded on demand; data-lang on the page picks German', async () => {
    const site = sites.answering;
    const { context, page, errors } = await open(site, { locale: 'fr-FR' });
    const dialog = page.getByRole('dialog');
    expect(await dialog.getAttribute('lang')).toBe('fr');
    expect(await page.getByRole('heading', { name: /^Cookies sur / }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Tout refuser', exact: true }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Accept all', exact: true }).count()).toBe(0);
    await page.getByRole('button', { name: 'Choisir les cookies' }).click();
    expect(await page.getByRole('checkbox', { name: /Mesure d’audience/ }).isChecked()).toBe(false);
    expect(await page.getByText('(toujours actifs)').count()).toBeGreaterThan(0);
    await checkAccessibility(page, 'cookie-banner-fr-preferences');
    await page.getByRole('button', { name: 'Tout refuser', exact: true }).click();
    expect(nonEssential(await context.cookies())).toEqual([]);
    expect((await waitForLog(site, 1)).at(-1)).toMatchObject({ method: 'reject_all', refused: ['analytics'] });
    expect(errors).toEqual([]);
    await context.close();

    // An English browser on a page that asks for German.
    const de = await browser.newContext();
    const dePage = await de.newPage();
    await dePage.route('**/demo-site', async (route) => {
      const res = await route.fetch();
      await route.fulfill({
        response: res,
        body: (await res.text()).replace('<html lang="en">', '<html lang="de" data-lang="de">'),
      });
    });
    await dePage.goto(`${site.url}/demo-site`);
    await dePage.getByRole('button', { name: 'Alle ablehnen', exact: true }).waitFor();
    expect(await dePage.getByRole('button', { name: 'Alle akzeptieren', exact: true }).count()).toBe(1);
    await de.close();
  });

  it('CP-9: analytics cookies are blocked until consent, and a refusal (reject all, or a later change of mind) is respected', async () => {
    const site = sites.phone;
    expect(site.kernel.policyFile.file.cookies.categories.map((c) => [c.id, c.consentRequired])).toEqual([
      ['necessary', false],
      ['analytics', true],
    ]);
    const { context, page, errors } = await open(site);
    // Before any choice: the analytics tag is inert and its cookie absent.
    expect(await page.locator('script[type="text/plain"][data-category="analytics"]').count()).toBe(1);
    expect(await runs(page)).toEqual({});
    expect(nonEssential(await context.cookies())).toEqual([]);

    await page.getByRole('button', { name: 'Reject all', exact: true }).click();
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    expect(await runs(page)).toEqual({});
    expect((await context.cookies()).map((c) => c.name)).not.toContain('_mtr');
    expect((await waitForLog(site, 1))[0]).toMatchObject({ method: 'reject_all', refused: ['analytics'], granted: [] });
    // The refusal holds on the next visit: no banner, no analytics.
    await page.reload();
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect(await runs(page)).toEqual({});
    expect(nonEssential(await context.cookies())).toEqual([]);

    // Consent given, then refused again: the cookie is cleared and the script does not run on later pages.
    await page.getByRole('link', { name: 'Cookie settings' }).click();
    await page.getByRole('button', { name: 'Accept all', exact: true }).click();
    await expect.poll(() => runs(page)).toEqual({ analytics: 1 });
    expect(nonEssential(await context.cookies())).toEqual(['_mtr']);
    await page.getByRole('link', { name: 'Cookie settings' }).click();
    await page.getByRole('button', { name: 'Reject all', exact: true }).click();
    expect(nonEssential(await context.cookies())).toEqual([]);
    await page.reload();
    expect(await runs(page)).toEqual({});
    expect(nonEssential(await context.cookies())).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();

    // A GPC browser with no choice made: GPC does not cover analytics in this notice, and never grants it, so the
    // analytics tag stays blocked until the visitor chooses.
    const gpc = await open(site, { gpc: true });
    expect(await runs(gpc.page)).toEqual({});
    expect(nonEssential(await gpc.context.cookies())).toEqual([]);
    await gpc.context.close();
  });
});
