import { z } from 'zod';
import { authContext } from '../auth/routes.ts';
import type { App } from '../kernel/http/types.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { countNotes } from '../notes/note-repository.ts';

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
    async (request) => {
      const auth = authContext(request);

      return kernel.db.tenant(auth.accountId, async (trx) => {
        const account = await trx.selectFrom('accounts').select(['id', 'name', 'status']).where('id', '=', auth.accountId).executeTakeFirstOrThrow();
        const people = await trx.selectFrom('subjects').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();

        return { account, counts: { people: Number(people.n), notes: await countNotes(trx, auth.accountId) } };
      });
    },
  );
};
