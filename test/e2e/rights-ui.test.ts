/**
 * @module The rights request screens in Chromium against the real server (issue 5). Requests are made through the API
 * at earlier dates (the test clock travels), so the queue holds one overdue, one due within the week, one paused and
 * closed ones. A privacy officer reads the queue and its clock badges, filters it, logs a request by hand, starts it,
 * extends it, refuses another, and reads the dashboard; the owner of the business a request was routed to answers
 * their part in the portal (CC-11). axe-core checks each screen at desktop and phone widths; screenshots land in
 * .tmp/screenshots.
 */
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
import { signIn as apiSignIn, as } from '../support/http.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const NOW = new Date('2026-11-23T09:00:00Z');

describe('rights request screens in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  const ids: Record<string, string> = {};

  /** Logs a request through the staff API as the privacy officer, at the test clock's current time. */
  const logRequest = async (body: Record<string, unknown>): Promise<string> => {
    const session = await apiSignIn(server.app, server.seed.staff);
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/rights/requests',
      headers: as(session),
      payload: body,
    });
    expect(res.statusCode, res.body).toBe(201);
    return (res.json() as { requestId: string }).requestId;
  };

  const act = async (id: string, action: Record<string, unknown>): Promise<void> => {
    const session = await apiSignIn(server.app, server.seed.staff);
    const res = await server.app.inject({
      method: 'POST',
      url: `/api/rights/requests/${id}/actions`,
      headers: as(session),
      payload: action,
    });
    expect(res.statusCode, res.body).toBe(200);
  };

  beforeAll(async () => {
    server = await startTestServer();
    const clock = server.kernel.clock;
    // Six weeks ago, by post with a document: matches a caller of Harbour Lane, so a part is routed to its owner.
    clock.set(new Date('2026-10-09T10:00:00Z'));
    ids.overdue = await logRequest({
      kind: 'access',
      email: 'tobias.wren@example.test',
      name: 'Tobias Wren',
      channel: 'post',
      details: 'Please send me a copy of every message you took for me.',
      verification: { method: 'document', note: 'Utility bill matching name and address' },
    });
    // Four weeks ago: due within the week.
    clock.set(new Date('2026-10-27T10:00:00Z'));
    ids.soon = await logRequest({
      kind: 'erasure',
      email: 'mara.quill@example.test',
      name: 'Mara Quill',
      channel: 'phone',
      verification: { method: 'phone', note: 'Answered the security questions' },
    });
    // Last week: a question is out, so the clock is paused.
    clock.set(new Date('2026-11-16T10:00:00Z'));
    ids.paused = await logRequest({
      kind: 'objection',
      email: 'elio.brandt@example.test',
      name: 'Elio Brandt',
      channel: 'email',
      verification: { method: 'document', note: 'Passport copy seen' },
    });
    await act(ids.paused, {
      type: 'request_clarification',
      question: 'Which of our services did you contact us about?',
    });
    ids.refused = await logRequest({
      kind: 'rectification',
      email: 'noor.ashby@example.test',
      name: 'Noor Ashby',
      channel: 'email',
      verification: { method: 'document', note: 'Driving licence copy seen' },
    });
    await act(ids.refused, {
      type: 'refuse',
      reason: 'identity_not_confirmed',
      explanation: 'The document sent did not match the name on the request.',
    });
    clock.set(NOW);
    // Today, not yet checked: waits in "Identity check", outside the open queue. The address is a staff member's,
    // so once checked the request covers a record in the provider's own account.
    ids.unverified = await logRequest({
      kind: 'restriction',
      email: 'reception@northgate.test',
      name: 'Rosa Delgado',
      channel: 'phone',
      verification: null,
    });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const signIn = async (page: Page, who: { email: string; password: string }, home: string): Promise<void> => {
    await page.goto('/sign-in');
    await signInThroughForm(page, who);
    await page.waitForURL(`**${home}`);
  };

  const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });
  const queueRows = (page: Page) =>
    page.getByRole('table', { name: 'Rights requests, soonest due first' }).locator('tbody tr');

  it('a privacy officer works the queue: clock badges, filters, logging, starting, extending and refusing', async () => {
    const { context, page, errors } = await openPage(browser, server.url, { viewport: DESKTOP });
    await signIn(page, server.seed.staff, '/staff');

    await nav(page).getByRole('link', { name: 'Rights requests' }).click();
    await heading(page, 'Rights requests').waitFor();
    const rows = queueRows(page);
    await rows.first().waitFor();
    // Open requests only, soonest due first: overdue, then due within the week, then the paused one.
    expect(await rows.count()).toBe(3);
    await expect.poll(() => rows.nth(0).textContent()).toMatch(/Tobias Wren.*Overdue \d+ days/);
    expect(await rows.nth(0).locator('.badge-danger').textContent()).toMatch(/^Overdue \d+ days$/);
    expect(await rows.nth(1).textContent()).toContain('Mara Quill');
    expect(await rows.nth(1).locator('.badge-warning').textContent()).toMatch(/^[1-7] days? left$/);
    expect(await rows.nth(2).textContent()).toContain('Elio Brandt');
    expect(await rows.nth(2).getByText('Paused', { exact: true }).count()).toBe(1);
    await page.getByText('1 overdue').waitFor();
    await check(page, 'desktop-rights-01-queue');

    // All statuses shows the refused request and the one waiting for its identity check.
    await page.getByLabel('Status').selectOption('');
    await expect.poll(() => rows.count()).toBe(5);
    await rows.filter({ hasText: 'Rosa Delgado' }).locator('.badge:visible', { hasText: 'Identity check' }).waitFor();
    await rows.filter({ hasText: 'Noor Ashby' }).locator('.badge:visible', { hasText: 'Refused' }).waitFor();
    // A kind with nothing open has its own empty state.
    await page.getByLabel('Status').selectOption('open');
    await page.getByLabel('Kind').selectOption('portability');
    await page.getByRole('heading', { name: 'No requests match these filters' }).waitFor();
    await page.getByLabel('Kind').selectOption('');
    await expect.poll(() => rows.count()).toBe(3);

    // Logging a request received by post, checked from a document: it opens on its own page with the clock running.
    await page.getByRole('button', { name: 'Log a request' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Log a rights request' });
    await dialog.waitFor();
    await dialog.getByLabel('What they asked for').selectOption('erasure');
    await dialog.getByRole('radio', { name: 'Post', exact: true }).check();
    await dialog.getByLabel('Name').fill('Wilma Strand');
    await dialog.getByLabel('E-mail address').fill('not-an-address');
    await dialog.getByRole('button', { name: 'Log request' }).click();
    await dialog.getByText('Enter the e-mail address to reply to').waitFor();
    await dialog.getByLabel('E-mail address').fill('wilma.strand@example.test');
    await dialog.getByLabel('Checked a document').check();
    await dialog.getByLabel('How you checked').fill('Copy of a council tax bill');
    await check(page, 'desktop-rights-02-log-dialog', { fullPage: false });
    await dialog.getByRole('button', { name: 'Log request' }).click();
    await heading(page, 'Erasure request').waitFor();
    await page.getByText('Request logged', { exact: true }).waitFor();
    const header = page.locator('.page-header');
    await header.getByText('Received', { exact: true }).waitFor();
    expect(await header.locator('.clock-badge').textContent()).toMatch(/^\d+ days left$/);
    await page.getByRole('img', { name: /days? of \d+ used/ }).waitFor();
    expect(await page.getByRole('region', { name: 'Person' }).textContent()).toContain('wilma.strand@example.test');
    await check(page, 'desktop-rights-03-detail-new');

    // Start work: one click, a toast, the status and the history change.
    await page.getByRole('button', { name: 'Start work' }).click();
    await page.getByText('Marked as in progress').waitFor();
    await header.getByText('In progress', { exact: true }).waitFor();
    await page.getByRole('region', { name: 'History' }).getByText('Work started').waitFor();

    // Extend: a reason the person reads; afterwards the step says it is done and cannot be repeated.
    const sentBefore = server.kernel.sent.length;
    await page.getByRole('button', { name: 'Extend…' }).click();
    const extend = page.getByRole('dialog', { name: 'Extend the deadline' });
    await extend.waitFor();
    const confirmExtend = extend.getByRole('button', { name: 'Extend and tell them' });
    expect(await confirmExtend.isDisabled()).toBe(true);
    await extend.getByLabel('Why you need longer').fill('Your request covers records held for three businesses.');
    await confirmExtend.click();
    await page.getByText('Deadline extended; the person has been told').waitFor();
    await page.getByText('Already extended', { exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Extend…' }).isDisabled()).toBe(true);
    expect(server.kernel.sent.slice(sentBefore).some((m) => m.to === 'wilma.strand@example.test')).toBe(true);

    // Completing an erasure asks for an explicit confirmation; nothing was on file, so nothing was kept.
    await page.getByRole('button', { name: 'Complete…' }).click();
    const erase = page.getByRole('dialog', { name: 'Complete this erasure request' });
    await erase.getByText('No records were found for this person').waitFor();
    const confirmErase = erase.getByRole('button', { name: 'Erase and complete' });
    expect(await confirmErase.isDisabled()).toBe(true);
    await erase.getByLabel('I understand their data is deleted for good and cannot be restored.').check();
    await confirmErase.click();
    await page.getByText('Request completed; the person has been told').waitFor();
    await page.getByRole('region', { name: 'Outcome' }).waitFor();
    await header.getByText('Completed', { exact: true }).waitFor();

    // The overdue request: too late to extend, and the step says why; the part routed to Harbour Lane is listed.
    await page.goto(`/staff/rights-requests/${ids.overdue}`);
    await heading(page, 'Access request').waitFor();
    const extendOverdue = page.getByRole('button', { name: 'Extend…' });
    expect(await extendOverdue.isDisabled()).toBe(true);
    expect(await page.locator(`#${await extendOverdue.getAttribute('aria-describedby')}`).textContent()).toMatch(
      /^Too late: the person had to be told by/,
    );
    const parts = page.getByRole('region', { name: 'Routed to client businesses' });
    await parts.getByText('Harbour Lane', { exact: false }).waitFor();
    await page.getByRole('img', { name: /Overdue by \d+ days/ }).waitFor();
    await check(page, 'desktop-rights-04-detail-overdue');

    // Refusing the paused objection: a danger dialog, then the outcome the person was told.
    await page.goto(`/staff/rights-requests/${ids.paused}`);
    await heading(page, 'Objection request').waitFor();
    await page.getByText(/Paused: waiting for the person to clarify/).waitFor();
    expect(await page.getByRole('button', { name: 'Complete…' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Refuse…' }).click();
    const refuse = page.getByRole('dialog', { name: 'Refuse this request?' });
    await refuse.waitFor();
    await refuse.getByLabel('Reason').selectOption('manifestly_excessive');
    await refuse
      .getByLabel('Explanation for the person')
      .fill('This is the fifth identical request this month; we answered the first in full.');
    await check(page, 'desktop-rights-05-refuse-dialog', { fullPage: false });
    await refuse.getByRole('button', { name: 'Refuse request' }).click();
    await page.getByText('Request refused; the person has been told').waitFor();
    const outcome = page.getByRole('region', { name: 'Outcome' });
    await outcome.getByText('Refused: Manifestly excessive.').waitFor();
    await header.getByText('Refused', { exact: true }).waitFor();
    await check(page, 'desktop-rights-06-detail-refused');

    // The dashboard: the figures and the charts, each chart an image with a sentence and a data table.
    await page.goto('/staff/rights-requests');
    await nav(page).getByRole('link', { name: 'Rights requests' }).waitFor();
    await page
      .getByRole('navigation', { name: 'Rights requests views' })
      .getByRole('link', { name: 'Dashboard' })
      .click();
    await page.getByRole('img', { name: /^Requests per month, by kind: \d+ requests/ }).waitFor();
    expect(await page.getByRole('region', { name: 'Overdue' }).locator('.stat-value').textContent()).toBe('1');
    expect(await page.getByRole('region', { name: 'Open' }).locator('.stat-value').textContent()).toBe('2');
    await page.getByRole('img', { name: /^Requests per month, by status/ }).waitFor();
    await page.getByRole('img', { name: /^Answered on time: \d+ percent$/ }).waitFor();
    expect(await page.getByRole('table', { name: 'Requests per month, by kind' }).locator('tbody tr').count()).toBe(12);
    await check(page, 'desktop-rights-07-dashboard');

    expect(errors).toEqual([]);
    await context.close();
  });

  it('a privacy officer records an identity check, completes a restriction and lifts it', async () => {
    const { context, page, errors } = await openPage(browser, server.url, { viewport: DESKTOP });
    await signIn(page, server.seed.staff, '/staff');
    await page.goto(`/staff/rights-requests/${ids.unverified}`);
    await heading(page, 'Restriction request').waitFor();
    await page.getByText("The clock starts once the person's identity is confirmed.").waitFor();
    await page.getByRole('button', { name: 'Record check' }).click();
    const verify = page.getByRole('dialog', { name: 'Record the identity check' });
    await verify.getByLabel('A document').check();
    await verify.getByLabel('What you checked').fill('Staff ID card seen in person');
    await verify.getByRole('button', { name: 'Record check' }).click();
    await page.getByText('Identity check recorded; the clock has started').waitFor();
    const covered = page.getByRole('region', { name: 'People covered' });
    await covered.locator('.covered-name').first().waitFor();

    await page.getByRole('button', { name: 'Complete…' }).click();
    const complete = page.getByRole('dialog', { name: 'Complete this restriction request' });
    await complete.getByText(/marked restricted/).waitFor();
    await check(page, 'desktop-rights-10-complete-dialog', { fullPage: false });
    await complete.getByRole('button', { name: 'Complete and tell them' }).click();
    await page.getByText('Request completed; the person has been told').waitFor();
    await page.getByRole('region', { name: 'Outcome' }).waitFor();
    await page.locator('.page-header').getByText('Completed', { exact: true }).waitFor();

    // Art. 19: those the staff member's data went to are listed, and each is recorded as told.
    const recipients = page.getByRole('region', { name: 'Recipients to tell' });
    const toTell = await recipients.getByRole('button', { name: 'Record as told' }).count();
    expect(toTell).toBeGreaterThan(0);
    await recipients.getByRole('button', { name: 'Record as told' }).first().click();
    const tell = page.getByRole('dialog', { name: /^Record as told: / });
    await tell.getByLabel('How they were told').fill('E-mailed their privacy team');
    await check(page, 'desktop-rights-16-recipient-told-dialog', { fullPage: false });
    await tell.getByRole('button', { name: 'Record' }).click();
    await page.getByText(/ recorded as told$/).waitFor();
    await recipients.getByText(/E-mailed their privacy team/).waitFor();
    expect(await recipients.getByRole('button', { name: 'Record as told' }).count()).toBe(toTell - 1);
    await check(page, 'desktop-rights-17-recipients');

    await page.getByRole('button', { name: 'Lift…' }).click();
    const lift = page.getByRole('dialog', { name: 'Lift the restriction?' });
    await lift.getByRole('button', { name: 'Tell them and lift' }).click();
    await page.getByText('Restriction lifted for 1 record').waitFor();
    await page.getByRole('region', { name: 'History' }).getByText('Restriction lifted').waitFor();
    expect(await page.getByRole('button', { name: 'Lift…' }).count()).toBe(0);
    await check(page, 'desktop-rights-11-restriction-lifted');

    // A correction for another staff member's record: enter only what changes.
    const correctionId = await logRequest({
      kind: 'rectification',
      email: 'mailroom@northgate.test',
      name: 'Milo Hart',
      channel: 'email',
      details: 'My surname is spelt Harte, with an e.',
      verification: { method: 'document', note: 'Staff ID card seen in person' },
    });
    await page.goto(`/staff/rights-requests/${correctionId}`);
    await heading(page, 'Correction request').waitFor();
    await page.getByRole('button', { name: 'Complete…' }).click();
    const correct = page.getByRole('dialog', { name: 'Complete this correction request' });
    await correct.getByText(/^.+ · Staff, matched by e-mail$/).waitFor();
    const completeCorrection = correct.getByRole('button', { name: 'Complete and tell them' });
    expect(await completeCorrection.isDisabled()).toBe(true);
    await correct.getByLabel('Corrected name').fill('Milo Harte');
    await check(page, 'desktop-rights-13-correction-dialog', { fullPage: false });
    await completeCorrection.click();
    await page.getByText('Request completed; the person has been told').waitFor();
    await page.getByRole('region', { name: 'Outcome' }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the same screens work on a phone', async () => {
    const { context, page, errors } = await openPage(browser, server.url, { viewport: MOBILE });
    await signIn(page, server.seed.staff, '/staff');
    await page.goto('/staff/rights-requests');
    await heading(page, 'Rights requests').waitFor();
    await queueRows(page).first().waitFor();
    await check(page, 'mobile-rights-01-queue');
    await queueRows(page).first().getByRole('link').click();
    await heading(page, 'Access request').waitFor();
    await check(page, 'mobile-rights-02-detail');
    await page.goto('/staff/rights-requests/dashboard');
    await page.getByRole('img', { name: /^Requests per month, by kind/ }).waitFor();
    await check(page, 'mobile-rights-03-dashboard');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('CC-11: the owner of a client business answers the part routed to them in the portal', async () => {
    const { context, page, errors } = await openPage(browser, server.url, { viewport: DESKTOP });
    await signIn(page, server.seed.owner, '/portal');
    await nav(page).getByRole('link', { name: 'Rights requests' }).click();
    await heading(page, 'Rights requests').waitFor();
    await page.getByText('Your business is the controller for these requests').waitFor();
    const rows = queueRows(page);
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toMatch(/Tobias Wren.*Overdue/);
    // No dashboard and no logging for owners: those are the provider's.
    expect(await page.getByRole('button', { name: 'Log a request' }).count()).toBe(0);
    await check(page, 'desktop-rights-08-portal-queue');

    await rows.first().getByRole('link').click();
    await heading(page, 'Access request').waitFor();
    await page.getByText('Your business is the controller for this request').waitFor();
    await page.getByRole('button', { name: 'Start work' }).click();
    await page.getByText('Marked as in progress').waitFor();
    await page.locator('.page-header').getByText('In progress', { exact: true }).waitFor();
    await check(page, 'desktop-rights-09-portal-detail');
    const covered = page.getByRole('region', { name: 'People covered' });
    await covered.locator('.covered-name').first().waitFor();
    // A legal hold on the caller's record: placed with a reason and review date, shown, then lifted again.
    await covered.getByRole('button', { name: /^Place a legal hold on / }).click();
    const hold = page.getByRole('dialog', { name: /^Place a legal hold on / });
    await hold.getByLabel('Basis').selectOption('staff_hold');
    await hold.getByLabel('Reason').fill('An open complaint about a missed message is still being looked into.');
    await check(page, 'desktop-rights-12-portal-hold-dialog', { fullPage: false });
    await hold.getByRole('button', { name: 'Place hold' }).click();
    await page.getByText('Legal hold placed').waitFor();
    await covered.getByText('An open complaint about a missed message is still being looked into.').waitFor();
    await covered.getByRole('button', { name: /^Lift the hold on / }).click();
    await page
      .getByRole('dialog', { name: 'Lift this legal hold?' })
      .getByRole('button', { name: 'Lift hold' })
      .click();
    await page.getByText('Legal hold lifted').waitFor();
    expect(await covered.getByText('Legal hold', { exact: true }).count()).toBe(0);

    // Completing the copy: first read what others wrote about the person and black out anyone else's details.
    await page.getByRole('button', { name: 'Complete…' }).click();
    const copy = page.getByRole('dialog', { name: 'Complete this access request' });
    await copy.getByText(/^Check for other people \(\d+\)$/).waitFor();
    const send = copy.getByRole('button', { name: 'Complete and tell them' });
    expect(await send.isDisabled()).toBe(true);
    const note = copy.locator('.review-item', { hasText: 'prefers mornings' });
    await note.getByRole('textbox').fill('not in the passage');
    await note.getByRole('button', { name: 'Black out' }).click();
    await note.getByText('Copy the words exactly as they appear in the passage').waitFor();
    await note.getByRole('textbox').fill('prefers mornings');
    await note.getByRole('button', { name: 'Black out' }).click();
    await note.getByRole('button', { name: 'Keep “prefers mornings”' }).waitFor();
    await copy.getByLabel('I have read every passage and marked what to black out.').check();
    await check(page, 'desktop-rights-14-portal-copy-review', { fullPage: false });
    await send.click();
    await page.getByText('Request completed; the person has been told').waitFor();
    const outcome = page.getByRole('region', { name: 'Outcome' });
    await outcome.getByText('Package').waitFor();
    await page.locator('.page-header').getByText('Completed', { exact: true }).waitFor();
    await check(page, 'desktop-rights-15-portal-completed');
    expect(errors).toEqual([]);
    await context.close();

    // A colleague has no entry, and the API refuses them.
    const colleague = await openPage(browser, server.url, { viewport: MOBILE });
    await signIn(colleague.page, server.seed.colleague, '/portal');
    await heading(colleague.page, /^Good to see you/).waitFor();
    expect(await colleague.page.getByRole('link', { name: 'Rights requests' }).count()).toBe(0);
    await colleague.context.close();
    const session = await apiSignIn(server.app, server.seed.colleague);
    const res = await server.app.inject({ method: 'GET', url: '/api/portal/rights/requests', headers: as(session) });
    expect(res.statusCode).toBe(403);
  });
});
