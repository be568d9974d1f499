/**
 * @module The campaign tool: a marketing template and an audience; a preview that counts who would be excluded
 * and why; and the send, as a background job that checks every recipient again at the moment of sending (an opt-out
 * recorded after the preview still wins) and reports progress.
 *
 * @example
 * const preview = await previewCampaign(kernel, { template: 'monthly-news', audience: 'customers' })
 * const { campaignId } = await startCampaign(kernel, { template: 'monthly-news', audience: 'customers', actor })
 * await runCampaign(kernel, campaignId) // what the `campaigns.send` job does
 */
import crypto from 'node:crypto';
import { checkMarketingRecipient, EXCLUSION_REASONS, type ExclusionReason } from '../consent/marketing-check.ts';
import { sendMarketingEmailIn } from '../consent/marketing-mail.ts';
import { type Actor, recordAudit } from '../kernel/audit/audit.ts';
import { PROVIDER_ACCOUNT_ID } from '../kernel/db/schema.ts';
import { AppError } from '../kernel/errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import {
  bumpCampaign,
  claimRecipient,
  getCampaign,
  insertCampaign,
  listAudience,
  listCampaigns,
  updateCampaign,
} from './campaign-repository.ts';
import { AUDIENCES, type AudienceId, availableTemplates, type CampaignTemplate } from './templates.ts';

export const CAMPAIGN_JOB = 'campaigns.send';

type Deps = Pick<Kernel, 'db' | 'vault' | 'clock' | 'policy' | 'policyFile' | 'mailer' | 'keyring' | 'config' | 'jobs'>;

const templateFor = (deps: Pick<Kernel, 'policy'>, id: string): CampaignTemplate => {
  const template = availableTemplates(deps).find((t) => t.id === id);
  if (!template) throw new AppError('NOT_FOUND', 'No such marketing template for this notice');

  return template;
};

export type CampaignPreview = { total: number; eligible: number; excluded: Record<ExclusionReason, number> };

export const previewCampaign = async (
  deps: Deps,
  input: { template: string; audience: AudienceId },
): Promise<CampaignPreview> => {
  const template = templateFor(deps, input.template);
  const audience = await listAudience(deps.db, AUDIENCES[input.audience].kinds);
  const excluded = Object.fromEntries(EXCLUSION_REASONS.map((r) => [r, 0])) as Record<ExclusionReason, number>;
  let eligible = 0;
  for (const person of audience) {
    const verdict = await deps.db.tenant(person.account_id, (trx) =>
      checkMarketingRecipient(deps, trx, {
        accountId: person.account_id,
        subjectId: person.id,
        channel: 'email',
        topic: template.topic,
      }),
    );
    if (verdict.allowed) eligible += 1;
    else excluded[verdict.reason] += 1;
  }

  return { total: audience.length, eligible, excluded };
};

export const startCampaign = async (deps: Deps, input: { template: string; audience: AudienceId; actor: Actor }) => {
  templateFor(deps, input.template);
  const id = crypto.randomUUID();
  await deps.db.tenant(PROVIDER_ACCOUNT_ID, async (trx) => {
    await insertCampaign(trx, {
      id,
      accountId: PROVIDER_ACCOUNT_ID,
      template: input.template,
      audience: input.audience,
      total: 0,
      createdBy: input.actor.id,
      at: deps.clock.now(),
    });
    await recordAudit(trx, deps.clock, {
      accountId: PROVIDER_ACCOUNT_ID,
      actor: input.actor,
      action: 'campaign.start',
      entity: 'campaign',
      entityId: id,
      details: { template: input.template, audience: input.audience },
    });
  });
  await deps.jobs.send(CAMPAIGN_JOB, { campaignId: id }, { singletonKey: id, retryLimit: 3 });

  return { campaignId: id };
};

const PROGRESS_EVERY = 10;

/** The job: idempotent per recipient (`campaign_sends`), so a retried job neither resends nor double-counts. */
export const runCampaign = async (deps: Deps, campaignId: string) => {
  const campaign = await deps.db.tenant(PROVIDER_ACCOUNT_ID, (trx) => getCampaign(trx, campaignId));
  if (!campaign || campaign.status === 'done') return;
  const template = templateFor(deps, campaign.template);
  const audience = await listAudience(deps.db, AUDIENCES[campaign.audience as AudienceId].kinds);
  await deps.db.tenant(PROVIDER_ACCOUNT_ID, (trx) =>
    updateCampaign(trx, campaignId, { status: 'sending', total: audience.length }),
  );
  let sent = 0;
  let excluded = 0;
  const flush = async () => {
    if (sent + excluded === 0) return;
    await deps.db.tenant(PROVIDER_ACCOUNT_ID, (trx) => bumpCampaign(trx, campaignId, sent, excluded));
    sent = 0;
    excluded = 0;
  };
  for (const [index, person] of audience.entries()) {
    await deps.db.tenant(person.account_id, async (trx) => {
      const done = await trx
        .selectFrom('campaign_sends')
        .select('outcome')
        .where('campaign_id', '=', campaignId)
        .where('subject_id', '=', person.id)
        .executeTakeFirst();
      if (done) return;
      const verdict = await sendMarketingEmailIn(deps, trx, {
        accountId: person.account_id,
        subjectId: person.id,
        topic: template.topic,
        subject: template.subject,
        text: template.text,
      });
      await claimRecipient(trx, {
        campaignId,
        accountId: person.account_id,
        subjectId: person.id,
        outcome: verdict.allowed ? 'sent' : verdict.reason,
        at: deps.clock.now(),
      });
      if (verdict.allowed) sent += 1;
      else excluded += 1;
    });
    if ((index + 1) % PROGRESS_EVERY === 0) await flush();
  }
  await flush();
  await deps.db.tenant(PROVIDER_ACCOUNT_ID, (trx) =>
    updateCampaign(trx, campaignId, { status: 'done', finished_at: deps.clock.now() }),
  );
};

const view = (c: NonNullable<Awaited<ReturnType<typeof getCampaign>>>) => ({
  id: c.id,
  template: c.template,
  audience: c.audience,
  status: c.status,
  total: c.total,
  sent: c.sent,
  excluded: c.excluded,
  createdAt: c.created_at.toISOString(),
  finishedAt: c.finished_at?.toISOString() ?? null,
});

export const readCampaign = async (deps: Pick<Kernel, 'db'>, campaignId: string) => {
  const c = await deps.db.tenant(PROVIDER_ACCOUNT_ID, (trx) => getCampaign(trx, campaignId));
  if (!c) throw new AppError('NOT_FOUND', 'No such campaign');

  return view(c);
};

export const listCampaignViews = async (deps: Pick<Kernel, 'db'>) =>
  (await deps.db.tenant(PROVIDER_ACCOUNT_ID, (trx) => listCampaigns(trx))).map(view);
