/**
 * @module The web app in a real browser against the real server: the staff path from recording a contact note to
 * erasing the person, the client portal, two-step sign-in, and an axe-core accessibility check of every screen at
 * desktop and phone sizes. Screenshots land in .tmp/screenshots for a human to look at.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as OTPAuth from 'otpauth';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const WEB_BUILD = path.join(ROOT, 'dist', 'web', 'index.html');
const SCREENSHOTS = path.join(ROOT, '.tmp', 'screenshots');
const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const DESKTOP = { width: 1280, height: 800 };
const MOBILE = { width: 390, height: 844 };

type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

/** The newest modification time under a folder, to tell whether dist/web is older than its sources. */
const newestMtime = (dir: string): number =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .map((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs;
    })
    .reduce((a, b) => Math.max(a, b), 0);

/** `npm test` builds first; a direct `vitest run test/e2e` after editing web/ would otherwise test a stale build. */
const ensureWebBuild = async (): Promise<void> => {
  const stale =
    !fs.existsSync(WEB_BUILD) ||
    fs.statSync(WEB_BUILD).mtimeMs <
      Math.max(newestMtime(path.join(ROOT, 'web')), fs.statSync(path.join(ROOT, 'vite.config.ts')).mtimeMs);
  if (!stale) return;
  // A child process, because vitest's NODE_ENV=test would make Vite bundle React's development build.
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

describe('web app in Chromium', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    await ensureWebBuild();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startTestServer();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const newPage = async (viewport: {
    width: number;
    height: number;
  }): Promise<{ context: BrowserContext; page: Page; errors: string[] }> => {
    const context = await browser.newContext({
      viewport,
      baseURL: server.url,
      acceptDownloads: true,
      reducedMotion: 'reduce',
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      // The 401 from /api/auth/me before sign-in is expected and logged by Chromium as a failed resource.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
        errors.push(message.text());
    });
    return { context, page, errors };
  };

  /** Runs axe on the current screen, saves a screenshot, and fails on any serious or critical violation. */
  const check = async (page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> => {
    // Let skeletons, transitions and animations settle so the screenshot and contrast checks see the final state.
    await page.waitForFunction(
      () =>
        !document.querySelector('.skeleton, [aria-busy="true"]') &&
        document.getAnimations().every((animation) => animation.playState !== 'running'),
    );
    // Full-page captures of a scrolled page paint sticky headers mid-page; start from the top. Modal screens
    // keep the viewport, since the top layer and backdrop cover only the window.
    const fullPage = options.fullPage ?? true;
    if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage });
    // Evaluated rather than added as a <script>: the app's CSP rightly refuses inline scripts.
    if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (options: object) => Promise<{ violations: AxeViolation[] }> } })
        .axe;
      const result = await axe.run({ resultTypes: ['violations'] });
      return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target })),
      }));
    });
    const blocking = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(
      blocking.map(
        (v) => `${name}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
      ),
    ).toEqual([]);
  };

  const signIn = async (page: Page, who: { email: string; password: string }): Promise<void> => {
    await page.getByLabel('E-mail address').fill(who.email);
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name });

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

    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: /Rights requests/ })
      .click();
    await heading(page, 'Rights requests').waitFor();
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
