/**
 * @module The public privacy center in Chromium: a visitor picks "Get a copy of my data", gives an address, enters a
 * wrong code (and is told how many tries are left), then the right one from the e-mail received over real SMTP, and
 * lands on the status page with its due date and the part a client business answers. The answered and refused
 * states, a forged status link, and a signed-in client user's "My privacy" page are shown too. axe-core checks every
 * screen at desktop and phone sizes; screenshots go to .tmp/screenshots and /tmp/shots for a human to look at.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkPage,
  DESKTOP,
  pageHeading as heading,
  launchBrowser,
  MOBILE,
  openPage,
  signInThroughForm,
} from '../support/browser.ts';
import { as, freshAddress, type Session, signIn } from '../support/http.ts';
import { seedMessage } from '../support/office-fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { startSmtpSink } from '../support/smtp.ts';

const SCREENSHOTS = path.resolve(import.meta.dirname, '..', '..', '.tmp', 'screenshots');
const SHOTS = '/tmp/shots';
const CODE = /Your code: (\d{6})/;

const DESKTOP_VISITOR = { name: 'Wren Hollis', email: 'wren.hollis@example.test', phone: '020 7946 0451' };
const PHONE_VISITOR = { name: 'Ines Marlow', email: 'ines.marlow@example.test' };

const dayFormat = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
const formatDay = (day: string) => {
  const [y, m, d] = day.split('-').map(Number);
  return dayFormat.format(new Date(y ?? 0, (m ?? 1) - 1, d ?? 1));
};

describe('privacy center: a rights request from a visitor, in Chromium', () => {
  let server: TestServer;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let browser: Browser;
  let staff: Session;
  let owner: Session;
  let clientName = '';

  beforeAll(async () => {
    smtp = await startSmtpSink();
    server = await startTestServer({ cookieSecure: false, env: { SMTP_URL: smtp.url } });
    // The desktop visitor once left a phone message with a client business, so part of the request goes to it.
    await seedMessage(server.kernel, {
      accountId: server.seed.accountId,
      caller: DESKTOP_VISITOR,
      body: 'Please send the signed lease back by Friday.',
    });
    clientName = await server.kernel.db.system(async (trx) => {
      const row = await trx
        .selectFrom('accounts')
        .select('name')
        .where('id', '=', server.seed.accountId)
        .executeTakeFirstOrThrow();
      return row.name;
    });
    staff = await signIn(server.app, server.seed.staff);
    owner = await signIn(server.app, server.seed.owner);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await smtp?.close();
  });

  const newPage = (viewport: { width: number; height: number }) =>
    openPage(browser, server.url, { viewport, locale: 'en-GB', timezoneId: 'Europe/London' });

  /** axe and a screenshot, kept where the reviewer looks for them too. */
  const shot = async (page: Page, name: string) => {
    await checkPage(page, name);
    fs.mkdirSync(SHOTS, { recursive: true });
    fs.copyFileSync(path.join(SCREENSHOTS, `${name}.png`), path.join(SHOTS, `${name}.png`));
  };

  const latestCode = async (email: string, after: number): Promise<string> => {
    let code = '';
    await expect
      .poll(
        () => {
          const mail = smtp.received.slice(after).findLast((m) => m.to.includes(email) && CODE.test(m.raw));
          code = CODE.exec(mail?.raw ?? '')?.[1] ?? '';
          return code;
        },
        { timeout: 15_000 },
      )
      .toMatch(/^\d{6}$/);
    return code;
  };

  const statusOf = async (token: string) => {
    const res = await server.app.inject({
      method: 'GET',
      url: `/api/privacy/requests/status?token=${encodeURIComponent(token)}`,
      remoteAddress: freshAddress(),
    });
    expect(res.statusCode).toBe(200);
    return res.json() as { id: string; dueOn: string; status: string };
  };

  /** Steps 1–3 up to the status page; returns the status token from the URL fragment. */
  const makeRequest = async (
    page: Page,
    visitor: { name: string; email: string; phone?: string },
    prefix: string,
  ): Promise<string> => {
    await page.goto('/privacy/requests');
    await page.getByRole('radio').nth(7).waitFor();
    expect(await page.getByRole('radio').count()).toBe(8);
    await shot(page, `${prefix}-1-choose`);

    // Continuing without a choice says what is missing, on the page.
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('Choose what you would like to do.').waitFor();
    await page.getByRole('radio', { name: 'Get a copy of my data' }).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Your details' }).waitFor();

    // A missing address is flagged inline before anything is sent.
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await page.getByText('Enter your e-mail address.').waitFor();
    await page.getByLabel('E-mail address').fill(visitor.email);
    await page.getByLabel('Full name').fill(visitor.name);
    if (visitor.phone) await page.getByLabel('Phone number').fill(visitor.phone);
    await page.getByLabel('Details').fill('I called about a lease in October.');
    expect(await page.getByText('34 / 4,000').isVisible()).toBe(true);
    await shot(page, `${prefix}-2-details`);

    const before = smtp.received.length;
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await page.getByRole('heading', { name: 'Check your e-mail' }).waitFor();
    const code = await latestCode(visitor.email, before);
    const codeInput = page.getByLabel('Code from the e-mail');
    expect(await codeInput.getAttribute('inputmode')).toBe('numeric');
    expect(await codeInput.getAttribute('autocomplete')).toBe('one-time-code');

    await codeInput.fill(code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('4 attempts left').waitFor();
    await shot(page, `${prefix}-3-wrong-code`);

    await codeInput.fill(code);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL(/\/privacy\/requests\/status#[A-Za-z0-9_-]{43}$/);
    await heading(page, 'Get a copy of my data').waitFor();
    return new URL(page.url()).hash.slice(1);
  };

  it('CV-9: choose, details, a wrong then the right code, then the status page with its due date (desktop)', async () => {
    const { context, page, errors } = await newPage(DESKTOP);
    // The privacy notice leads here.
    await page.goto('/privacy');
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.locator('#rights').screenshot({ path: path.join(SHOTS, 'privacy-notice-rights.png') });
    await page.getByRole('link', { name: 'Exercise your rights' }).first().click();
    await page.waitForURL(/\/privacy\/requests$/);
    await heading(page, 'Your privacy rights').waitFor();
    const token = await makeRequest(page, DESKTOP_VISITOR, 'privacy-desktop');
    // The token never travels in a path or query of the page itself, only in the fragment.
    expect(new URL(page.url()).search).toBe('');

    const status = await statusOf(token);
    await page.getByText(formatDay(status.dueOn)).first().waitFor();
    expect(
      await page
        .getByText(/\d+ days left/)
        .first()
        .isVisible(),
    ).toBe(true);
    expect(await page.getByText(`${clientName} is the controller of the phone messages`).isVisible()).toBe(true);
    await shot(page, 'privacy-desktop-4-status');

    // Both parts answered: what was done, and the downloads for the person's own part and the client's.
    const own = await server.app.inject({
      method: 'POST',
      url: `/api/rights/requests/${status.id}/complete`,
      headers: as(staff),
      payload: {},
    });
    expect(own.statusCode, own.body).toBe(200);
    const queue = await server.app.inject({ method: 'GET', url: '/api/portal/rights/requests', headers: as(owner) });
    const part = (queue.json() as { requests: { id: string; status: string }[] }).requests.find(
      (r) => r.status !== 'completed',
    );
    const partDone = await server.app.inject({
      method: 'POST',
      url: `/api/portal/rights/requests/${part?.id}/complete`,
      headers: as(owner),
      // The owner has read the caller's messages for other people's data (nothing to redact in this one).
      payload: { reviewedForOtherPeople: true },
    });
    expect(partDone.statusCode, partDone.body).toBe(200);
    await page.reload();
    await page.getByRole('heading', { name: 'What we did' }).waitFor();
    // A link for every part whose answer carries a package: the person's own and the client business's.
    const answered = (await statusOf(token)) as unknown as {
      outcome: { packageId?: string | null } | null;
      parts: { outcome: { packageId?: string | null } | null }[];
    };
    const packages = [answered.outcome, ...answered.parts.map((p) => p.outcome)].filter((o) => o?.packageId);
    expect(packages.length).toBeGreaterThan(0);
    const downloads = page.getByRole('link', { name: /data \(ZIP\)/ });
    expect(await downloads.count()).toBe(packages.length);
    expect(await downloads.first().getAttribute('href')).toMatch(
      /^\/api\/privacy\/requests\/package\?token=[A-Za-z0-9_-]{43}&package=/,
    );
    expect(await page.getByRole('link', { name: 'Open the readable report' }).first().getAttribute('href')).toMatch(
      /^\/api\/privacy\/requests\/report\?token=/,
    );
    await shot(page, 'privacy-desktop-5-answered');

    await page.goto(`/privacy/requests/status#${'A'.repeat(43)}`);
    await page.getByRole('heading', { name: 'We could not find this request' }).waitFor();
    await shot(page, 'privacy-desktop-6-invalid-link');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the same journey on a phone, a refusal with how to complain, and a forged link', async () => {
    const { context, page, errors } = await newPage(MOBILE);
    const token = await makeRequest(page, PHONE_VISITOR, 'privacy-phone');
    const status = await statusOf(token);
    await page.getByText(formatDay(status.dueOn)).first().waitFor();
    await shot(page, 'privacy-phone-4-status');

    const refused = await server.app.inject({
      method: 'POST',
      url: `/api/rights/requests/${status.id}/actions`,
      headers: as(staff),
      payload: {
        type: 'refuse',
        reason: 'manifestly_excessive',
        explanation: 'This repeats the request you made last week, which we answered in full on Monday.',
      },
    });
    expect(refused.statusCode).toBe(200);
    await page.reload();
    await page.getByRole('heading', { name: 'Why we refused' }).waitFor();
    expect(await page.getByText('The request is manifestly excessive.').isVisible()).toBe(true);
    const authority = page.locator('.complaint-box a');
    expect(await authority.getAttribute('href')).toMatch(/^https:\/\//);
    await shot(page, 'privacy-phone-5-refused');

    await page.goto(`/privacy/requests/status#${'B'.repeat(43)}`);
    await page.getByRole('heading', { name: 'We could not find this request' }).waitFor();
    await shot(page, 'privacy-phone-6-invalid-link');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a signed-in colleague asks about their own data from "My privacy", with no code, and follows it', async () => {
    for (const [viewport, size] of [
      [DESKTOP, 'desktop'],
      [MOBILE, 'phone'],
    ] as const) {
      const { context, page, errors } = await newPage(viewport);
      await page.goto('/sign-in');
      await signInThroughForm(page, server.seed.colleague);
      await page.waitForURL(/\/portal$/);
      await page.goto('/portal/privacy');
      await page.getByRole('radio').nth(7).waitFor();
      await shot(page, `privacy-portal-${size}-1-choose`);

      await page.getByRole('radio', { name: 'Correct my data' }).check();
      await page.getByLabel('Details').fill('My surname is spelt Ellery, not Ellory, on my user profile.');
      await page.getByRole('button', { name: 'Send request' }).click();
      await page.getByText('Your request is on its way').waitFor();
      await shot(page, `privacy-portal-${size}-2-sent`);

      await page.getByRole('link', { name: 'Follow your request' }).click();
      await page.waitForURL(/\/privacy\/requests\/status#/);
      await heading(page, 'Correct my data').waitFor();
      expect(
        await page
          .getByText(/days left/)
          .first()
          .isVisible(),
      ).toBe(true);
      expect(errors).toEqual([]);
      await context.close();
    }
  });
});
