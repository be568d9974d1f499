/**
 * @module Issue 5's walk, in Chromium over real SMTP: a caller who left phone messages for two client businesses and
 * also subscribed to the provider's newsletter asks for a copy of their data in the privacy center, proves their
 * address with the e-mailed code, and the request splits: the phone messages go to each client (the controller of
 * them), the newsletter part stays with the provider. The privacy officer answers the provider's part in the staff
 * screens; each client's owner reviews and answers theirs. The person then downloads every package from the status
 * page, and the records in them are compared with what is held about them, beside look-alikes (the same name with
 * another address, the same phone number with another name, a near-identical address): recall and precision are
 * both 1.0.
 */
import { readFile } from 'node:fs/promises';
import { strFromU8, unzipSync } from 'fflate';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordMarketingChoice } from '../../src/consent/consent-records.ts';
import { PROVIDER_ACCOUNT_ID } from '../../src/kernel/db/schema.ts';
import { createSubject } from '../../src/subjects/subjects.ts';
import { checkPage, DESKTOP, launchBrowser, openPage, pageHeading, signInThroughForm } from '../support/browser.ts';
import { as, freshAddress, type Session, signIn } from '../support/http.ts';
import { seedMessage } from '../support/office-fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { startSmtpSink } from '../support/smtp.ts';

const JUNO = { name: 'Juno Halloway', email: 'juno.halloway@example.test', phone: '07700 900777' };
const CODE = /Your code: (\d{6})/;
const PERSON = { id: null, role: 'data_subject' };

let server: TestServer;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let browser: Browser;
/** Ids of every record held about Juno, and of the look-alikes' records. */
const truth = { juno: new Set<string>(), others: new Set<string>() };

const subscribe = async (person: { name: string; email: string }) => {
  const { kernel } = server;
  const subjectId = await kernel.db.tenant(PROVIDER_ACCOUNT_ID, (trx) =>
    createSubject(kernel, trx, {
      accountId: PROVIDER_ACCOUNT_ID,
      kind: 'subscriber',
      name: person.name,
      email: person.email,
      source: 'newsletter sign-up form',
      actor: PERSON,
      purpose: 'marketing',
    }),
  );
  const records = await recordMarketingChoice(kernel, {
    accountId: PROVIDER_ACCOUNT_ID,
    subjectId,
    channel: 'email',
    topic: 'all',
    state: 'given',
    basis: 'consent',
    method: 'web-form',
    actor: PERSON,
  });

  return { subjectId, records };
};

beforeAll(async () => {
  smtp = await startSmtpSink();
  server = await startTestServer({ cookieSecure: false, env: { SMTP_URL: smtp.url } });
  const { kernel, seed } = server;
  const message = async (
    accountId: string,
    caller: { name: string; email?: string; phone?: string },
    mine: boolean,
  ) => {
    const m = await seedMessage(kernel, {
      accountId,
      caller,
      body: `Please call back about the quote (${caller.name})`,
    });
    for (const id of [m.id, m.subjectId]) (mine ? truth.juno : truth.others).add(id);
  };
  await message(seed.accountId, JUNO, true);
  await message(seed.otherAccountId, JUNO, true);
  await message(seed.otherAccountId, { name: JUNO.name, email: JUNO.email }, true);
  // Look-alikes: the same name with another address; the same phone with another name and no address.
  await message(seed.accountId, { name: JUNO.name, email: 'juno.h@example.test' }, false);
  await message(seed.otherAccountId, { name: 'Jonah Halloway', phone: JUNO.phone }, false);
  const newsletter = await subscribe(JUNO);
  truth.juno.add(newsletter.subjectId);
  for (const id of newsletter.records) truth.juno.add(id);
  const nearly = await subscribe({ name: JUNO.name, email: 'juno.halloway@example.test.uk' });
  truth.others.add(nearly.subjectId);
  for (const id of nearly.records) truth.others.add(id);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await smtp?.close();
});

/** Every record id in a package: people, and each dataset's records. */
const idsIn = (zip: Uint8Array) => {
  const files = unzipSync(zip);
  const data = JSON.parse(strFromU8(files['data.json'] as Uint8Array)) as {
    people: { subjectId: string; datasets: Record<string, { id?: string }[]> }[];
  };
  const ids = new Set<string>();
  for (const person of data.people) {
    ids.add(person.subjectId);
    for (const rows of Object.values(person.datasets)) for (const r of rows) if (r.id) ids.add(r.id);
  }

  return ids;
};

const ownerOf = async (accountId: string): Promise<Session> => {
  for (const user of server.seed.users.filter((u) => u.role === 'owner')) {
    const session = await signIn(server.app, user);
    const me = await server.app.inject({ method: 'GET', url: '/api/auth/me', headers: as(session) });
    if ((me.json() as { user: { accountId: string } }).user.accountId === accountId) return session;
  }
  throw new Error('no owner for the account');
};

describe('a rights request split between the provider and two client businesses, in Chromium', () => {
  it('CC-11, AS-17: access is routed to both clients and the provider, answered, and the packages hold exactly her data', async () => {
    const { page, context, errors } = await openPage(browser, server.url, { viewport: DESKTOP, locale: 'en-GB' });

    // The person, in the public privacy center.
    await page.goto('/privacy/requests');
    await page.getByRole('radio', { name: 'Get a copy of my data' }).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('E-mail address').fill(JUNO.email);
    await page.getByLabel('Full name').fill(JUNO.name);
    const sent = smtp.received.length;
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await page.getByRole('heading', { name: 'Check your e-mail' }).waitFor();
    let code = '';
    await expect
      .poll(() => {
        const mail = smtp.received.slice(sent).find((m) => m.to.includes(JUNO.email) && CODE.test(m.raw));
        code = CODE.exec(mail?.raw ?? '')?.[1] ?? '';
        return code;
      })
      .toMatch(/^\d{6}$/);
    await page.getByLabel('Code from the e-mail').fill(code);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL(/\/privacy\/requests\/status#/);
    const token = new URL(page.url()).hash.slice(1);
    const names = await server.kernel.db.system((trx) =>
      trx.selectFrom('accounts').select(['id', 'name']).where('kind', '=', 'client').execute(),
    );
    const nameOf = (id: string) => names.find((n) => n.id === id)?.name ?? '';
    for (const client of [server.seed.accountId, server.seed.otherAccountId]) {
      await page.getByText(`${nameOf(client)} is the controller of the phone messages`).waitFor();
    }
    await checkPage(page, 'rights-walk-1-status');

    // The privacy officer answers the provider's own part (the newsletter) in the staff screens.
    const staffPage = await openPage(browser, server.url, { viewport: DESKTOP, locale: 'en-GB' });
    await staffPage.page.goto('/sign-in');
    await signInThroughForm(staffPage.page, server.seed.staff);
    await staffPage.page.waitForURL(/\/staff/);
    await staffPage.page.goto('/staff/rights-requests');
    await staffPage.page
      .getByRole('link', { name: new RegExp(JUNO.name) })
      .first()
      .click();
    await pageHeading(staffPage.page, 'Access request').waitFor();
    await staffPage.page.getByRole('button', { name: 'Complete…' }).click();
    const dialog = staffPage.page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Complete and tell them' }).click();
    await staffPage.page.getByText('Request completed; the person has been told').waitFor();
    await checkPage(staffPage.page, 'rights-walk-2-staff-completed');
    // The privacy officer can read what the person was sent, in a tab of its own.
    const [report] = await Promise.all([
      staffPage.context.waitForEvent('page'),
      staffPage.page.getByRole('link', { name: 'View the report sent' }).click(),
    ]);
    await report.getByRole('heading', { name: 'Why we hold your data' }).waitFor();
    await report.close();
    // And download the whole ZIP (checked byte for byte in access-package.test.ts).
    const [zip] = await Promise.all([
      staffPage.page.waitForEvent('download'),
      staffPage.page.getByRole('link', { name: 'Download the ZIP' }).click(),
    ]);
    expect(zip.suggestedFilename()).toMatch(/^access-package-[0-9a-f]{8}\.zip$/);
    expect((await readFile(await zip.path())).subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004');
    expect(staffPage.errors).toEqual([]);
    await staffPage.context.close();

    // Each client's owner reviews what the receptionist wrote and answers their part.
    for (const client of [server.seed.accountId, server.seed.otherAccountId]) {
      const owner = await ownerOf(client);
      const queue = await server.app.inject({ method: 'GET', url: '/api/portal/rights/requests', headers: as(owner) });
      const part = (queue.json() as { requests: { id: string; routed: boolean; status: string }[] }).requests.find(
        (r) => r.routed && r.status === 'received',
      );
      expect(part).toBeDefined();
      const review = await server.app.inject({
        method: 'GET',
        url: `/api/portal/rights/requests/${part?.id}/review`,
        headers: as(owner),
      });
      expect(review.json().fields.length).toBeGreaterThan(0);
      const done = await server.app.inject({
        method: 'POST',
        url: `/api/portal/rights/requests/${part?.id}/complete`,
        headers: as(owner),
        payload: { reviewedForOtherPeople: true },
      });
      expect(done.statusCode, done.body).toBe(200);
    }

    // The person downloads every package from the status page.
    await page.reload();
    const links = page.getByRole('link', { name: /data \(ZIP\)/ });
    await expect.poll(() => links.count()).toBe(3);
    const found = new Set<string>();
    for (let i = 0; i < 3; i += 1) {
      const href = (await links.nth(i).getAttribute('href')) as string;
      expect(href).toContain(`token=${token}`);
      const res = await server.app.inject({ method: 'GET', url: href, remoteAddress: freshAddress() });
      expect(res.statusCode).toBe(200);
      for (const id of idsIn(res.rawPayload)) found.add(id);
    }
    const hits = [...found].filter((id) => truth.juno.has(id)).length;
    const recall = hits / truth.juno.size;
    const precision = hits / found.size;
    expect({ recall, precision }).toEqual({ recall: 1, precision: 1 });
    expect([...found].filter((id) => truth.others.has(id))).toEqual([]);
    await checkPage(page, 'rights-walk-3-downloads');
    expect(errors).toEqual([]);
    await context.close();
  });
});
