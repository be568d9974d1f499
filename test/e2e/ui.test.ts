/**
 * @module The web app in a real browser against the real server: the staff path from recording a contact note to
 * erasing the person, the client portal, two-step sign-in, and an axe-core accessibility check of every screen at
 * desktop and phone sizes. Screenshots land in .tmp/screenshots for a human to look at.
 */
import fs from 'node:fs';
import * as OTPAuth from 'otpauth';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkPage as check,
  DESKTOP,
  pageHeading as heading,
  launchBrowser,
  MOBILE,
  openPage,
  signInThroughForm as signIn,
} from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('web app in Chromium', () => {
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

  const newPage = (viewport: { width: number; height: number }) => openPage(browser, server.url, { viewport });

  it('staff record a note, find, export and erase the person; the client owner sees the portal', async () => {
    const { context, page, errors } = await newPage(DESKTOP);

    await page.goto('/staff');
    await page.waitForURL('**/sign-in');
    await heading(page, 'Sign in').waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await check(page, 'desktop-01-sign-in');

    await signIn(page, { email: server.seed.staff.email, password: 'not the password' });
    await page.getByRole('alert').filter({ hasText: 'Could not sign you in' }).waitFor();
    await check(page, 'desktop-02-sign-in-error');

    await signIn(page, server.seed.staff);
    // The visitor asked for /staff before signing in, so that is where sign-in lands.
    await heading(page, 'Accounts').waitFor();
    expect(new URL(page.url()).pathname).toBe('/staff');
    await page.getByRole('table', { name: 'Client accounts' }).waitFor();
    await check(page, 'desktop-03-accounts');

    const accountLink = page.locator(`a[href="/staff/accounts/${server.seed.accountId}"]`);
    const accountName = ((await accountLink.textContent()) ?? '').trim();
    await accountLink.click();
    await heading(page, accountName).waitFor();
    await check(page, 'desktop-04-account');

    // The form refuses a note with neither e-mail nor phone before it reaches the server.
    const note = page.getByRole('form', { name: 'Record a contact note' });
    await note.getByLabel('Person’s name').fill('Marnie Castellan');
    await note.getByLabel('Note', { exact: true }).fill('Asked for a call back about the lease renewal.');
    await note.getByRole('button', { name: 'Record note' }).click();
    await note.getByText('Enter an e-mail address or a phone number.').waitFor();
    expect(await note.getByLabel('E-mail').getAttribute('aria-invalid')).toBe('true');
    await check(page, 'desktop-05-note-validation');

    await note.getByLabel('E-mail').fill('marnie.castellan@example.test');
    await note.getByLabel('Phone').fill('+44 20 7946 0321');
    await note.getByRole('button', { name: 'Record note' }).click();
    await page.getByRole('status').filter({ hasText: 'Note recorded' }).first().waitFor();

    const search = page.getByRole('search', { name: 'Find a person' });
    await search.getByLabel('Search by').selectOption('email');
    await search.getByLabel('E-mail').fill('marnie.castellan@example.test');
    await search.getByRole('button', { name: 'Search' }).click();
    const results = page.getByRole('table', { name: 'People matching your search' });
    await results.waitFor();
    expect(await results.getByRole('row').count()).toBe(2);
    await check(page, 'desktop-06-note-recorded-and-found');

    await results.getByRole('link', { name: 'Marnie Castellan' }).click();
    await heading(page, 'Marnie Castellan').waitFor();
    await page.getByText('Asked for a call back about the lease renewal.').waitFor();
    await check(page, 'desktop-07-person');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export data (JSON)' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.json$/);
    const exported = JSON.parse(fs.readFileSync(await download.path(), 'utf8')) as {
      subject: { name: string; email: string };
    };
    expect(exported.subject).toMatchObject({ name: 'Marnie Castellan', email: 'marnie.castellan@example.test' });

    // The confirm dialog holds focus and Escape backs out without erasing.
    const eraseButton = page.getByRole('button', { name: 'Erase person' });
    await eraseButton.click();
    const dialog = page.getByRole('dialog', { name: 'Erase Marnie Castellan?' });
    await dialog.waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('confirm');
    for (let i = 0; i < 6; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => Boolean(document.activeElement?.closest('dialog')))).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Erase person');

    await eraseButton.click();
    await dialog.waitFor();
    const confirmErase = dialog.getByRole('button', { name: 'Erase permanently' });
    expect(await confirmErase.isDisabled()).toBe(true);
    await dialog.getByLabel('Type ERASE to confirm').fill('ERASE');
    await check(page, 'desktop-08-erase-dialog', { fullPage: false });
    await confirmErase.click();
    await page.getByText('Marnie Castellan was erased').waitFor();
    await heading(page, accountName).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/staff/accounts/${server.seed.accountId}`);

    await search.getByLabel('E-mail').fill('marnie.castellan@example.test');
    await search.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('heading', { name: 'No one matches' }).waitFor();

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Audit/ }).click();
    await heading(page, 'Audit').waitFor();
    await check(page, 'desktop-09-coming-soon');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading(page, 'Sign in').waitFor();
    await page.getByText('You have signed out').waitFor();

    await signIn(page, server.seed.owner);
    await heading(page, /^Good to see you/).waitFor();
    expect(new URL(page.url()).pathname).toBe('/portal');
    const people = page.getByRole('region', { name: 'People on file' });
    await people.locator('.stat-value').filter({ hasText: /^\d+$/ }).waitFor();
    await check(page, 'desktop-10-portal');

    // A client cannot wander into the staff area; the app sends them back to their portal.
    await page.goto('/staff');
    await page.waitForURL('**/portal');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Inbox/ }).click();
    await heading(page, 'Inbox').waitFor();
    await check(page, 'desktop-11-portal-coming-soon');

    expect(errors).toEqual([]);
    await context.close();
  });

  it('asks for the authenticator code when two-step sign-in is on', async () => {
    // Turn on TOTP for the receptionist through the API (enrolment is staff-only, and has no screen yet).
    const who = server.seed.receptionist;
    const res = await fetch(`${server.url}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(who),
    });
    expect(res.status).toBe(200);
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    const headers = {
      cookie: (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '',
      'x-csrf-token': csrfToken,
      'content-type': 'application/json',
    };
    const setupResponse = await fetch(`${server.url}/api/auth/totp/setup`, { method: 'POST', headers, body: '{}' });
    expect(setupResponse.status).toBe(200);
    const setup = (await setupResponse.json()) as { secret: string };
    const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(setup.secret) });
    // The test kernel's clock is fixed, so codes are computed for its time, not the wall clock.
    const code = () => totp.generate({ timestamp: server.kernel.clock.now().getTime() });
    const enabled = await fetch(`${server.url}/api/auth/totp/enable`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ code: code() }),
    });
    expect(enabled.status).toBe(204);

    const { context, page, errors } = await newPage(DESKTOP);
    await page.goto('/sign-in');
    await signIn(page, who);
    await heading(page, 'Two-step verification').waitFor();
    const codeField = page.getByLabel('Verification code');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('code');
    await check(page, 'desktop-12-two-step');

    await codeField.fill('000000');
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.getByText('That code is not right').waitFor();
    expect(await codeField.getAttribute('aria-invalid')).toBe('true');
    await check(page, 'desktop-13-two-step-wrong-code');

    await codeField.fill(code());
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await heading(page, 'Accounts').waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('works at phone size with a collapsible menu', async () => {
    const { context, page, errors } = await newPage(MOBILE);
    await page.goto('/sign-in');
    await heading(page, 'Sign in').waitFor();
    await check(page, 'mobile-01-sign-in');

    await signIn(page, server.seed.staff);
    await heading(page, 'Accounts').waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.isVisible()).toBe(false);
    await check(page, 'mobile-02-accounts');

    await page.getByRole('button', { name: 'Open menu' }).click();
    await nav.waitFor({ state: 'visible' });
    await check(page, 'mobile-03-menu-open', { fullPage: false });
    await page.keyboard.press('Escape');
    await nav.waitFor({ state: 'hidden' });

    await page.locator(`a[href="/staff/accounts/${server.seed.accountId}"]`).click();
    await page.getByRole('heading', { name: 'Record a contact note' }).waitFor();
    await check(page, 'mobile-04-account');

    // A person from the demo seed; name search is exact, like e-mail and phone.
    const search = page.getByRole('search', { name: 'Find a person' });
    await search.getByLabel('Search by').selectOption('name');
    await search.getByLabel('Name').fill('Tobias Wren');
    await search.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('table', { name: 'People matching your search' }).waitFor();
    await check(page, 'mobile-05-search-results');
    await page.getByRole('link', { name: 'Tobias Wren' }).click();
    await heading(page, 'Tobias Wren').waitFor();
    await check(page, 'mobile-06-person');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, server.seed.owner);
    await heading(page, /^Good to see you/).waitFor();
    await check(page, 'mobile-07-portal');

    expect(errors).toEqual([]);
    await context.close();
  });
});
