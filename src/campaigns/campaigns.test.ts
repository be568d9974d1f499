/**
 * The campaign tool end to end: preview counts per exclusion reason, the send as a pg-boss job with progress, and
 * the send-time check winning over a preview made before an opt-out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshAddress } from '../../test/support/http.ts';
import { createTestKernel, type TestKernel } from '../../test/support/kernel.ts';
import { createClientAccount, ensureProviderAccount } from '../accounts/accounts.ts';
import { buildApp, SUBJECT_DATA_SOURCES } from '../app.ts';
import { createUser } from '../auth/auth.ts';
import { recordMarketingChoice } from '../consent/consent-records.ts';
import { unsubscribeByToken, unsubscribeUrl } from '../consent/marketing-mail.ts';
import { PROVIDER_ACCOUNT_ID } from '../kernel/db/schema.ts';
import type { App } from '../kernel/http/types.ts';
import { createSubject, eraseSubject } from '../subjects/subjects.ts';
import { CAMPAIGN_JOB, previewCampaign, readCampaign, runCampaign } from './campaigns.ts';

const PASSWORD = 'correct horse battery staple';
const SYSTEM = { id: null, role: 'system' };

describe('campaigns', () => {
  let kernel: TestKernel;
  let app: App;
  const people: Record<string, { accountId: string; subjectId: string }> = {};

  const consent = (key: string) => {
    const p = people[key] as { accountId: string; subjectId: string };
    return recordMarketingChoice(kernel, {
      ...p,
      channel: 'email',
      topic: 'marketing',
      state: 'given',
      basis: 'consent',
      method: 'web-form',
      actor: SYSTEM,
    });
  };

  beforeAll(async () => {
    kernel = await createTestKernel({ env: { PUBLIC_URL: 'https://desk.example.test' } });
    await ensureProviderAccount(kernel, 'Desk (test)');
    await createUser(kernel, {
      accountId: PROVIDER_ACCOUNT_ID,
      role: 'admin',
      name: 'Ada Admin',
      email: 'ada@desk.test',
      password: PASSWORD,
    });
    const live = await createClientAccount(kernel, { name: 'Live Co' });
    const gone = await createClientAccount(kernel, { name: 'Gone Co' });
    const user = async (key: string, accountId: string) => {
      const u = await createUser(kernel, {
        accountId,
        role: 'owner',
        name: key,
        email: `${key}@client.test`,
        password: PASSWORD,
      });
      people[key] = { accountId, subjectId: u.subjectId };
    };
    const sub = async (key: string) => {
      const subjectId = await kernel.db.tenant(PROVIDER_ACCOUNT_ID, (trx) =>
        createSubject(kernel, trx, {
          accountId: PROVIDER_ACCOUNT_ID,
          kind: 'subscriber',
          name: key,
          email: `${key}@people.test`,
          source: 'form',
          actor: SYSTEM,
          purpose: 'marketing',
        }),
      );
      people[key] = { accountId: PROVIDER_ACCOUNT_ID, subjectId };
    };
    await user('ann', live);
    await user('ben', live);
    await user('cat', live);
    await user('dan', gone);
    await sub('eve');
    await sub('fox');
    for (const key of ['ann', 'cat', 'dan', 'eve', 'fox']) await consent(key);
    await recordMarketingChoice(kernel, {
      ...(people.cat as { accountId: string; subjectId: string }),
      channel: 'email',
      topic: 'all',
      state: 'refused',
      basis: 'objection',
      method: 'letter',
      actor: SYSTEM,
    });
    await kernel.db.system((trx) =>
      trx.updateTable('accounts').set({ status: 'deactivated' }).where('id', '=', gone).execute(),
    );
    // Fox is erased, then comes back through a form with the same address: still suppressed.
    await kernel.db.tenant(PROVIDER_ACCOUNT_ID, (trx) =>
      eraseSubject(kernel, trx, SUBJECT_DATA_SOURCES, {
        accountId: PROVIDER_ACCOUNT_ID,
        subjectId: people.fox?.subjectId ?? '',
        actor: SYSTEM,
        reason: 'data_subject_request',
      }),
    );
    await sub('fox');
    await consent('fox');
    app = await buildApp(kernel);
  });

  afterAll(async () => {
    await app?.close();
    await kernel?.close();
  });

  it('previews who would be reached and how many are excluded for each reason', async () => {
    const preview = await previewCampaign(kernel, { template: 'monthly-news', audience: 'everyone' });
    expect(preview.total).toBe(6);
    expect(preview.eligible).toBe(2);
    expect(preview.excluded).toMatchObject({
      no_consent: 1,
      objected: 1,
      account_deactivated: 1,
      suppressed: 1,
      opted_out: 0,
    });
  });

  it('sends as a background job with progress; an opt-out after the preview still wins; a rerun sends nothing twice', async () => {
    const signIn = await app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { email: 'ada@desk.test', password: PASSWORD },
      remoteAddress: freshAddress(),
    });
    const cookie = String([signIn.headers['set-cookie']].flat()[0]).split(';')[0] ?? '';
    const headers = { cookie, 'x-csrf-token': (signIn.json() as { csrfToken: string }).csrfToken };

    const options = await app.inject({ method: 'GET', url: '/api/campaigns/options', headers });
    expect((options.json() as { templates: { id: string }[] }).templates.map((t) => t.id)).toContain('monthly-news');
    const preview = await app.inject({
      method: 'POST',
      url: '/api/campaigns/preview',
      headers,
      payload: { template: 'monthly-news', audience: 'everyone' },
    });
    expect(preview.json()).toMatchObject({ eligible: 2 });

    // Eve unsubscribes between the preview and the send.
    await unsubscribeByToken(
      kernel,
      new URL(unsubscribeUrl(kernel, PROVIDER_ACCOUNT_ID, people.eve?.subjectId ?? '')).pathname.slice(3),
    );

    await kernel.jobs.start();
    await kernel.jobs.work<{ campaignId: string }>(CAMPAIGN_JOB, async ({ campaignId }) =>
      runCampaign(kernel, campaignId),
    );
    const started = await app.inject({
      method: 'POST',
      url: '/api/campaigns',
      headers,
      payload: { template: 'monthly-news', audience: 'everyone' },
    });
    expect(started.statusCode).toBe(202);
    const { campaignId } = started.json() as { campaignId: string };
    await expect
      .poll(async () => (await app.inject({ method: 'GET', url: `/api/campaigns/${campaignId}`, headers })).json(), {
        timeout: 30_000,
        interval: 200,
      })
      .toMatchObject({ status: 'done', total: 6, sent: 1, excluded: 5 });
    expect(kernel.sent.filter((m) => m.class === 'marketing').map((m) => m.to)).toEqual(['ann@client.test']);
    expect(kernel.sent[0]?.headers?.['List-Unsubscribe']).toMatch(/^<https:\/\/desk\.example\.test\/u\//);

    await runCampaign(kernel, campaignId);
    expect(kernel.sent).toHaveLength(1);
    expect(await readCampaign(kernel, campaignId)).toMatchObject({ sent: 1, excluded: 5 });

    const receptionistLike = await app.inject({ method: 'GET', url: '/api/campaigns', headers: {} });
    expect(receptionistLike.statusCode).toBe(401);
  });
});
