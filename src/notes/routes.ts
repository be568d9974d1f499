import { z } from 'zod';
import { requireClientAccount } from '../accounts/accounts.ts';
import { authContext } from '../auth/routes.ts';
import type { App } from '../kernel/http/types.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { recordContactNote } from './contact-notes.ts';

export const noteRoutes = (app: App, kernel: Kernel) => {
  app.post(
    '/api/accounts/:accountId/contact-notes',
    {
      schema: {
        tags: ['notes'],
        summary: 'Record a short contact note about a person for a client account',
        params: z.object({ accountId: z.uuid() }),
        body: z.object({
          person: z
            .object({
              name: z.string().trim().min(1).max(200),
              email: z.email().max(320).optional(),
              phone: z
                .string()
                .trim()
                .regex(/^\+?[\d\s().-]{6,30}$/, 'a phone number')
                .optional(),
            })
            .refine((p) => p.email || p.phone, {
              message: 'give an e-mail or a phone number, so the person can be reached',
            }),
          body: z.string().trim().min(1).max(4000),
        }),
        response: { 201: z.object({ noteId: z.uuid(), subjectId: z.uuid(), linkedExisting: z.boolean() }) },
      },
    },
    async (request, reply) => {
      const { accountId } = request.params;
      await requireClientAccount(kernel, accountId);
      const auth = authContext(request);
      const result = await recordContactNote(kernel, {
        accountId,
        actor: { id: auth.id, role: auth.role },
        person: request.body.person,
        body: request.body.body,
      });

      return reply.status(201).send(result);
    },
  );
};
