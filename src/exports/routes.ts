import { z } from 'zod';
import { authContext } from '../auth/routes.ts';
import type { App } from '../kernel/http/types.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { countExport, startExport } from './export-items.ts';

export const exportRoutes = (app: App, kernel: Kernel) => {
  const owner = (request: { auth: unknown }) => {
    const auth = authContext(request);

    return { id: auth.id, role: auth.role, accountId: auth.accountId };
  };

  app.get(
    '/api/portal/export/count',
    {
      schema: {
        tags: ['exports'],
        summary: 'How many items an export would hold (for the progress bar)',
        response: { 200: z.object({ messages: z.number(), post: z.number() }) },
      },
    },
    async (request) => countExport(kernel, owner(request)),
  );

  app.get(
    '/api/portal/export',
    {
      schema: {
        tags: ['exports'],
        summary: 'Every phone message and post item, streamed as XLSX (one sheet each), CSV or JSON (AS-3)',
        querystring: z.object({ format: z.enum(['xlsx', 'csv', 'json']).default('xlsx') }),
      },
    },
    async (request, reply) => {
      const out = await startExport(kernel, { user: owner(request), format: request.query.format });

      return reply
        .header('content-type', out.contentType)
        .header('content-disposition', `attachment; filename="${out.filename}"`)
        .header('cache-control', 'no-store')
        .header('x-export-items', String(out.items))
        .header('x-export-estimated-bytes', String(out.estimatedBytes))
        .send(out.stream);
    },
  );
};
