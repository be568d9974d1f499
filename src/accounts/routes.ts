import { z } from 'zod';
import type { App } from '../kernel/http/types.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { listClientAccounts } from './accounts.ts';

export const ZAccount = z.object({ id: z.uuid(), name: z.string(), status: z.string() });

export const accountRoutes = (app: App, kernel: Kernel) => {
  app.get(
    '/api/accounts',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Client accounts the provider serves',
        response: { 200: z.object({ accounts: z.array(ZAccount) }) },
      },
    },
    async () => ({ accounts: await listClientAccounts(kernel) }),
  );
};
