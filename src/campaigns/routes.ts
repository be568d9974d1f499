/**
 * @module Campaign routes for staff: templates and audiences, a preview of exclusions, start, progress.
 */
import { z } from 'zod';
import { authContext } from '../auth/routes.ts';
import { EXCLUSION_REASONS } from '../consent/marketing-check.ts';
import type { App } from '../kernel/http/types.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { listCampaignViews, previewCampaign, readCampaign, startCampaign } from './campaigns.ts';
import { AUDIENCES, availableTemplates } from './templates.ts';

const ZAudience = z.enum(Object.keys(AUDIENCES) as ['customers', 'subscribers', 'everyone']);
const ZCampaign = z.object({
  id: z.uuid(),
  template: z.string(),
  audience: z.string(),
  status: z.enum(['queued', 'sending', 'done', 'failed']),
  total: z.number(),
  sent: z.number(),
  excluded: z.number(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});

export const campaignRoutes = (app: App, kernel: Kernel) => {
  app.get(
    '/api/campaigns/options',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'The marketing templates this notice allows, and the audiences',
        response: {
          200: z.object({
            templates: z.array(z.object({ id: z.string(), name: z.string(), topic: z.string(), subject: z.string() })),
            audiences: z.array(z.object({ id: z.string(), name: z.string() })),
            reasons: z.array(z.string()),
          }),
        },
      },
    },
    async () => ({
      templates: availableTemplates(kernel).map(({ id, name, topic, subject }) => ({ id, name, topic, subject })),
      audiences: Object.entries(AUDIENCES).map(([id, a]) => ({ id, name: a.name })),
      reasons: [...EXCLUSION_REASONS],
    }),
  );

  app.post(
    '/api/campaigns/preview',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'How many people a campaign would reach, and how many are excluded for each reason',
        body: z.object({ template: z.string().max(80), audience: ZAudience }),
        response: {
          200: z.object({ total: z.number(), eligible: z.number(), excluded: z.record(z.string(), z.number()) }),
        },
      },
    },
    async (request) => previewCampaign(kernel, request.body),
  );

  app.post(
    '/api/campaigns',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'Send a campaign as a background job; every recipient is checked again at send time',
        body: z.object({ template: z.string().max(80), audience: ZAudience }),
        response: { 202: z.object({ campaignId: z.uuid() }) },
      },
    },
    async (request, reply) => {
      const auth = authContext(request);

      return reply
        .status(202)
        .send(await startCampaign(kernel, { ...request.body, actor: { id: auth.id, role: auth.role } }));
    },
  );

  app.get(
    '/api/campaigns',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'Recent campaigns with their progress',
        response: { 200: z.object({ campaigns: z.array(ZCampaign) }) },
      },
    },
    async () => ({ campaigns: await listCampaignViews(kernel) }),
  );

  app.get(
    '/api/campaigns/:campaignId',
    {
      schema: {
        tags: ['campaigns'],
        summary: "A campaign's progress",
        params: z.object({ campaignId: z.uuid() }),
        response: { 200: ZCampaign },
      },
    },
    async (request) => readCampaign(kernel, request.params.campaignId),
  );
};
