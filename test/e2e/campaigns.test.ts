/**
 * @module The staff campaign page in Chromium: an administrator previews a campaign (exclusions by reason), sends it
 * as a background job and sees it finish; axe-core finds no serious or critical problem at desktop and phone sizes.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAMPAIGN_JOB, runCampaign } from '../../src/campaigns/campaigns.ts';
import { recordMarketingChoice } from '../../src/consent/consent-records.ts';
import {
  checkAccessibility,
  checkPage,
  launchBrowser,
  MOBILE,
  openPage,
  pageHeading,
  signInThroughForm,
} from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('campaign page in Chromium', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
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
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('previews exclusions by reason, sends as a job and shows its progress, axe-clean', async () => {
    const { context, page } = await openPage(browser, server.url, { consoleErrors: 'none' });
    const admin = server.seed.users.find((u) => u.role === 'admin');
    await page.goto('/staff/campaigns');
    await signInThroughForm(page, { email: admin?.email ?? '', password: admin?.password ?? '' });
    await pageHeading(page, 'Campaigns').waitFor();
    await page.getByLabel('Audience').selectOption('customers');
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByRole('table', { name: 'People excluded, by reason' });
    await preview.waitFor();
    expect(await preview.getByRole('row', { name: /No consent or soft opt-in/ }).count()).toBe(1);
    await checkPage(page, 'desktop-campaigns-preview');

    await page.getByRole('button', { name: /^Send to 2$/ }).click();
    const recent = page.getByRole('table', { name: 'Recent campaigns' });
    await expect.poll(async () => recent.getByRole('row', { name: /done/ }).count(), { timeout: 30_000 }).toBe(1);
    expect(server.kernel.sent.filter((m) => m.class === 'marketing')).toHaveLength(2);
    await checkAccessibility(page, 'desktop-campaigns-sent');
    await page.setViewportSize(MOBILE);
    await checkPage(page, 'mobile-campaigns-sent');
    await context.close();
  });
});
