import { z } from 'zod';
import { authContext } from '../auth/routes.ts';
import type { App } from '../kernel/http/types.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { getPortalSummary } from './portal-summary.ts';

export const portalRoutes = (app: App, kernel: Kernel) => {
  app.get(
    '/api/portal/summary',
    {
      schema: {
        tags: ['portal'],
        summary: "The signed-in client's account at a glance",
        response: {
          200: z.object({
            account: z.object({ id: z.uuid(), name: z.string(), status: z.string() }),
            counts: z.object({ people: z.number(), notes: z.number() }),
          }),
        },
      },
    },
    async (request) => getPortalSummary(kernel, authContext(request).accountId),
  );
};
