/**
 * @module The staff campaign page in Chromium: an administrator previews a campaign (exclusions by reason), sends it
 * as a background job and sees it finish; axe-core finds no serious or critical problem at desktop and phone sizes.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAMPAIGN_JOB, runCampaign } from '../../src/campaigns/campaigns.ts';
import { recordMarketingChoice } from '../../src/consent/consent-records.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = path.join(ROOT, '.tmp', 'screenshots');

const newestMtime = (dir: string): number =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .map((e) => (e.isDirectory() ? newestMtime(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).mtimeMs))
    .reduce((a, b) => Math.max(a, b), 0);

const ensureWebBuild = () => {
  const index = path.join(ROOT, 'dist', 'web', 'index.html');
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs >= newestMtime(path.join(ROOT, 'web'))) return;
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'],
    {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: 'inherit',
    },
  );
};

type AxeViolation = { id: string; impact: string | null; help: string };

const axeBlocking = async (page: Page) => {
  await page.waitForFunction(() => !document.querySelector('.skeleton, [aria-busy="true"]'));
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (o: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run({ resultTypes: ['violations'] })).violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
    }));
  });

  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`);
};

describe('campaign page in Chromium', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    ensureWebBuild();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startTestServer();
    const kernel = server.kernel;
    // The client owners agreed to marketing e-mail; everyone else in the demo did not.
    const owners = await kernel.db.system((trx) =>
      trx
        .selectFrom('users')
        .innerJoin('subjects', 'subjects.id', 'users.subject_id')
        .select(['subjects.id', 'subjects.account_id'])
        .where('users.role', '=', 'owner')
        .execute(),
    );
    for (const o of owners) {
      await recordMarketingChoice(kernel, {
        accountId: o.account_id,
        subjectId: o.id,
        channel: 'email',
        topic: 'marketing',
        state: 'given',
        basis: 'consent',
        method: 'web-form',
        actor: { id: null, role: 'data_subject' },
      });
    }
    await kernel.jobs.start();
    await kernel.jobs.work<{ campaignId: string }>(CAMPAIGN_JOB, async ({ campaignId }) =>
      runCampaign(kernel, campaignId),
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('previews exclusions by reason, sends as a job and shows its progress, axe-clean', async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      baseURL: server.url,
      reducedMotion: 'reduce',
    });
    const page = await context.newPage();
    const admin = server.seed.users.find((u) => u.role === 'admin');
    await page.goto('/staff/campaigns');
    await page.getByLabel('E-mail address').fill(admin?.email ?? '');
    await page.getByLabel('Password').fill(admin?.password ?? '');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Campaigns', level: 1 }).waitFor();
    await page.getByLabel('Audience').selectOption('customers');
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByRole('table', { name: 'People excluded, by reason' });
    await preview.waitFor();
    expect(await preview.getByRole('row', { name: /No consent or soft opt-in/ }).count()).toBe(1);
    expect(await axeBlocking(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'desktop-campaigns-preview.png'), fullPage: true });

    await page.getByRole('button', { name: /^Send to 2$/ }).click();
    const recent = page.getByRole('table', { name: 'Recent campaigns' });
    await expect.poll(async () => recent.getByRole('row', { name: /done/ }).count(), { timeout: 30_000 }).toBe(1);
    expect(server.kernel.sent.filter((m) => m.class === 'marketing')).toHaveLength(2);
    expect(await axeBlocking(page)).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await axeBlocking(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'mobile-campaigns-sent.png'), fullPage: true });
    await context.close();
  });
});
