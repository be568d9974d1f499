import { z } from 'zod';
import { requireClientAccount } from '../accounts/accounts.ts';
import { authContext } from '../auth/routes.ts';
import type { App } from '../kernel/http/types.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { listDeliveries } from './deliver-notifications.ts';
import { findCaller } from './find-caller.ts';
import { takeMessage } from './take-message.ts';

const ZPhone = z
  .string()
  .trim()
  .regex(/^\+?[\d\s().-]{6,30}$/, 'a phone number');

const ZMessageView = z.object({
  id: z.uuid(),
  company: z.string().nullable(),
  reason: z.string().nullable(),
  body: z.string().nullable(),
  urgency: z.enum(['normal', 'urgent']),
  callbackRequested: z.boolean(),
  callAt: z.string(),
  takenBy: z.string(),
  actionedAt: z.string().nullable(),
  createdAt: z.string(),
});

const ZCaller = z.object({
  subjectId: z.uuid(),
  name: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
});

const ZReceipt = z.object({
  messageId: z.uuid(),
  callerSubjectId: z.uuid(),
  linkedExisting: z.boolean(),
  urgency: z.enum(['normal', 'urgent']),
  notifications: z.number(),
  replayed: z.boolean(),
});

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const messageRoutes = (app: App, kernel: Kernel) => {
  app.post(
    '/api/accounts/:accountId/messages',
    {
      schema: {
        tags: ['messages'],
        summary: 'Take a phone message for a client; a repeat of the same form (idempotency key) records it once',
        params: z.object({ accountId: z.uuid() }),
        body: z.object({
          callerName: z.string().trim().min(1).max(200),
          company: z.preprocess(emptyToUndefined, z.string().trim().max(200).optional()),
          phone: z.preprocess(emptyToUndefined, ZPhone.optional()),
          email: z.preprocess(emptyToUndefined, z.email().max(320).optional()),
          reason: z.preprocess(emptyToUndefined, z.string().trim().max(200).optional()),
          message: z.string().trim().min(1).max(8000),
          urgency: z.enum(['normal', 'urgent']),
          callbackRequested: z.boolean().default(false),
          callAt: z.iso.datetime({ offset: true }).optional(),
          idempotencyKey: z.string().trim().min(8).max(100),
        }),
        response: { 200: ZReceipt, 201: ZReceipt },
      },
    },
    async (request, reply) => {
      const { accountId } = request.params;
      // takeMessage checks that the account is a client business inside its own transaction (one round trip less).
      const auth = authContext(request);
      const { callAt, ...body } = request.body;
      const receipt = await takeMessage(kernel, {
        accountId,
        actor: { id: auth.id, role: auth.role },
        ...body,
        callAt: callAt ? new Date(callAt) : undefined,
      });

      return reply.status(receipt.replayed ? 200 : 201).send(receipt);
    },
  );

  app.get(
    '/api/accounts/:accountId/callers',
    {
      schema: {
        tags: ['messages'],
        summary:
          "The caller this client already knows by phone or e-mail, and that caller's earlier messages (audited)",
        params: z.object({ accountId: z.uuid() }),
        querystring: z
          .object({
            phone: z.preprocess(emptyToUndefined, ZPhone.optional()),
            email: z.preprocess(emptyToUndefined, z.email().optional()),
          })
          .refine((q) => q.phone || q.email, { message: 'give phone or email' }),
        response: { 200: z.object({ caller: ZCaller.nullable(), messages: z.array(ZMessageView) }) },
      },
    },
    async (request) => {
      const { accountId } = request.params;
      await requireClientAccount(kernel, accountId);
      const auth = authContext(request);

      return findCaller(kernel, { accountId, actor: { id: auth.id, role: auth.role }, ...request.query });
    },
  );

  app.get(
    '/api/accounts/:accountId/messages/:messageId/deliveries',
    {
      schema: {
        tags: ['messages'],
        summary: 'How the notifications of a message went: one row per recipient and channel',
        params: z.object({ accountId: z.uuid(), messageId: z.uuid() }),
        response: {
          200: z.object({
            deliveries: z.array(
              z.object({
                id: z.uuid(),
                recipient: z.string().nullable(),
                role: z.string().nullable(),
                channel: z.enum(['email', 'sms']),
                status: z.enum(['queued', 'sent', 'failed']),
                attempts: z.number(),
                sentAt: z.string().nullable(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const { accountId, messageId } = request.params;
      await requireClientAccount(kernel, accountId);

      return { deliveries: await listDeliveries(kernel, { accountId, messageId }) };
    },
  );
};
