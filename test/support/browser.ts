/**
 * @module Browser-test helpers shared by the end-to-end tests: a fresh web build, Chromium, a page per signed-in
 * person, the sign-in form, and a screen check that waits for the UI to settle, takes a screenshot and fails on
 * serious or critical axe-core violations.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const WEB_BUILD = path.join(ROOT, 'dist', 'web', 'index.html');
const SCREENSHOTS = path.join(ROOT, '.tmp', 'screenshots');
const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const DESKTOP = { width: 1280, height: 800 };
export const MOBILE = { width: 390, height: 844 };

type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

const newestMtime = (dir: string): number =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .map((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs;
    })
    .reduce((a, b) => Math.max(a, b), 0);

/** `npm test` builds first; a direct `vitest run test/e2e` after editing web/ would otherwise test a stale build. */
export const ensureWebBuild = (): void => {
  const stale =
    !fs.existsSync(WEB_BUILD) ||
    fs.statSync(WEB_BUILD).mtimeMs <
      Math.max(newestMtime(path.join(ROOT, 'web')), fs.statSync(path.join(ROOT, 'vite.config.ts')).mtimeMs);
  if (!stale) return;
  // A child process, because vitest's NODE_ENV=test would make Vite bundle React's development build.
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'],
    { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production' }, stdio: 'inherit' },
  );
};

/** Builds the web app if stale, then starts headless Chromium. */
export const launchBrowser = (): Promise<Browser> => {
  ensureWebBuild();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });

  return chromium.launch({
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
};

/**
 * Which console errors count as page errors: by default every one except Chromium's "Failed to load resource" lines,
 * `'all'` every one, `'none'` none (page errors only).
 */
export type ConsoleErrors = 'except-failed-loads' | 'all' | 'none';

/** Collects a page's uncaught errors, and its console errors as `consoleErrors` says, into the returned array. */
export const collectErrors = (page: Page, consoleErrors: ConsoleErrors = 'except-failed-loads'): string[] => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  if (consoleErrors !== 'none') {
    page.on('console', (message) => {
      // The 401 from /api/auth/me before sign-in is expected and logged by Chromium as a failed resource.
      if (
        message.type() === 'error' &&
        (consoleErrors === 'all' || !message.text().startsWith('Failed to load resource'))
      )
        errors.push(message.text());
    });
  }

  return errors;
};

export type OpenPageOptions = BrowserContextOptions & {
  consoleErrors?: ConsoleErrors;
  /** Run in every page of the context before its own scripts. */
  initScript?: () => void;
};

/** A fresh browser context (its own cookies: one signed-in person) collecting page errors. */
export const openPage = async (
  browser: Browser,
  baseURL: string | undefined,
  options: OpenPageOptions = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> => {
  const { consoleErrors, initScript, viewport = DESKTOP, ...contextOptions } = options;
  const context = await browser.newContext({
    viewport,
    baseURL,
    acceptDownloads: true,
    reducedMotion: 'reduce',
    ...contextOptions,
  });
  if (initScript) await context.addInitScript(initScript);
  const page = await context.newPage();

  return { context, page, errors: collectErrors(page, consoleErrors) };
};

/** Fills and submits the sign-in form on the current page; the caller waits for whatever should follow. */
export const signInThroughForm = async (page: Page, who: { email: string; password: string }): Promise<void> => {
  await page.getByLabel('E-mail address').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
};

export const pageHeading = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name });

const waitForSettled = (page: Page) =>
  page.waitForFunction(
    () =>
      !document.querySelector('.skeleton, [aria-busy="true"]') &&
      document.getAnimations().every((animation) => animation.playState !== 'running'),
  );

const expectNoBlockingViolations = async (page: Page, name: string): Promise<void> => {
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
  expect(
    violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${name}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
  ).toEqual([]);
};

/** Runs axe on the current screen once it has settled, without a screenshot; `name` labels any violation. */
export const checkAccessibility = async (page: Page, name: string): Promise<void> => {
  await waitForSettled(page);
  await expectNoBlockingViolations(page, name);
};

/** Runs axe on the current screen, saves a screenshot, and fails on any serious or critical violation. */
export const checkPage = async (page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> => {
  await waitForSettled(page);
  const fullPage = options.fullPage ?? true;
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage });
  await expectNoBlockingViolations(page, name);
};
