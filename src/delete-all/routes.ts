import { z } from 'zod';
import { authContext } from '../auth/routes.ts';
import type { App } from '../kernel/http/types.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { deleteAllData } from './delete-all.ts';

export const deleteAllRoutes = (app: App, kernel: Kernel) => {
  app.post(
    '/api/portal/delete-all',
    {
      schema: {
        tags: ['delete-all'],
        summary: 'Delete every phone message, post item and scan of the account and destroy their keys (AS-4)',
        body: z.object({ confirmation: z.string().max(100) }),
        response: {
          200: z.object({
            deletedAt: z.string(),
            counts: z.record(z.string(), z.number()),
            receipt: z.enum(['sent', 'failed', 'suppressed']),
          }),
        },
      },
    },
    async (request) => {
      const auth = authContext(request);

      return deleteAllData(kernel, {
        owner: { id: auth.id, role: auth.role, accountId: auth.accountId },
        confirmation: request.body.confirmation,
      });
    },
  );
};
