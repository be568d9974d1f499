import { z } from 'zod';
import { changeAccountStatus, getAccountLifecycle } from '../accounts/account-lifecycle.ts';
import type { AuthContext } from '../auth/auth.ts';
import { authContext } from '../auth/routes.ts';
import type { ClientUser } from '../colleagues/colleague-access.ts';
import { AppError } from '../kernel/errors.ts';
import type { App } from '../kernel/http/types.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { listInbox, readScan, setItemActioned, setItemRead, viewItem } from './inbox.ts';
import { getPortalSummary } from './portal-summary.ts';

export const clientUser = (auth: AuthContext): ClientUser => ({
  id: auth.id,
  role: auth.role,
  accountId: auth.accountId,
});

const ZLevel = z.enum(['none', 'view', 'act']);
const ZState = z.enum(['unread', 'read', 'actioned']);
const ZItemParams = z.object({ kind: z.enum(['message', 'post']), itemId: z.uuid() });
const ZEntry = z.object({
  kind: z.enum(['message', 'post']),
  id: z.uuid(),
  at: z.string(),
  urgency: z.enum(['normal', 'urgent']),
  state: ZState,
  actionedBy: z.string().nullable(),
  title: z.string().nullable(),
  company: z.string().nullable(),
  summary: z.string().nullable(),
  itemType: z.string().nullable(),
  status: z.string().nullable(),
  callbackRequested: z.boolean(),
  files: z.number(),
});
const ZMessage = z.object({
  kind: z.literal('message'),
  id: z.uuid(),
  at: z.string(),
  urgency: z.enum(['normal', 'urgent']),
  state: ZState,
  actionedAt: z.string().nullable(),
  caller: z.object({ name: z.string().nullable(), phone: z.string().nullable(), email: z.string().nullable() }),
  company: z.string().nullable(),
  reason: z.string().nullable(),
  body: z.string().nullable(),
  callbackRequested: z.boolean(),
  canAct: z.boolean(),
});
const ZPost = z.object({
  kind: z.literal('post'),
  id: z.uuid(),
  at: z.string(),
  state: ZState,
  actionedAt: z.string().nullable(),
  sender: z.string().nullable(),
  itemType: z.string(),
  trackingNumber: z.string().nullable(),
  status: z.string(),
  history: z.array(z.object({ status: z.string(), at: z.string() })),
  files: z.array(z.object({ id: z.uuid(), mediaType: z.string(), sizeBytes: z.number() })),
  canAct: z.boolean(),
});
const ZLifecycle = z.object({
  id: z.uuid(),
  name: z.string(),
  status: z.enum(['trial', 'subscribed', 'cancelled', 'deactivated']),
  createdAt: z.string(),
  trialStartedAt: z.string().nullable(),
  subscribedAt: z.string().nullable(),
  cancelledAt: z.string().nullable(),
  deactivatedAt: z.string().nullable(),
  history: z.array(z.object({ status: z.string(), at: z.string() })),
});

const DEACTIVATE_CONFIRMATION = 'DEACTIVATE';

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

  app.get(
    '/api/portal/inbox',
    {
      schema: {
        tags: ['portal'],
        summary: 'Phone messages and post in one timeline, newest first, cut by your access',
        querystring: z.object({
          type: z.enum(['all', 'message', 'post']).optional(),
          state: ZState.optional(),
          urgency: z.enum(['normal', 'urgent']).optional(),
          from: z.iso.date().optional(),
          to: z.iso.date().optional(),
          colleague: z.uuid().optional(),
          q: z.string().trim().max(200).optional(),
          before: z
            .string()
            .regex(/^[^|]+\|[0-9a-f-]{36}$/)
            .optional(),
          limit: z.coerce.number().int().min(1).max(200).optional(),
        }),
        response: {
          200: z.object({
            access: z.object({ messages: ZLevel, post: ZLevel }),
            items: z.array(ZEntry),
            next: z.string().nullable(),
            unread: z.object({ messages: z.number(), post: z.number() }).nullable(),
          }),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const [beforeAt, beforeId] = q.before ? q.before.split('|') : [];
      const day = (d: string, plus = 0) => new Date(new Date(`${d}T00:00:00Z`).getTime() + plus * 86_400_000);

      return listInbox(kernel, {
        user: clientUser(authContext(request)),
        filter: {
          type: q.type,
          state: q.state,
          urgency: q.urgency,
          from: q.from ? day(q.from) : undefined,
          to: q.to ? day(q.to, 1) : undefined,
          colleague: q.colleague,
          q: q.q || undefined,
          before: beforeAt && beforeId ? { at: new Date(beforeAt), id: beforeId } : undefined,
          limit: q.limit,
        },
      });
    },
  );

  app.get(
    '/api/portal/items/:kind/:itemId',
    {
      schema: {
        tags: ['portal'],
        summary: 'One phone message or post item, in full (an audited read; marks it read for you)',
        params: ZItemParams,
        response: { 200: z.discriminatedUnion('kind', [ZMessage, ZPost]) },
      },
    },
    async (request) =>
      viewItem(kernel, {
        user: clientUser(authContext(request)),
        kind: request.params.kind,
        id: request.params.itemId,
      }),
  );

  app.post(
    '/api/portal/items/:kind/:itemId/read',
    {
      schema: {
        tags: ['portal'],
        summary: 'Mark an item read or unread, for you only',
        params: ZItemParams,
        body: z.object({ read: z.boolean() }),
        response: { 200: z.object({ read: z.boolean() }) },
      },
    },
    async (request) =>
      setItemRead(kernel, {
        user: clientUser(authContext(request)),
        kind: request.params.kind,
        id: request.params.itemId,
        read: request.body.read,
      }),
  );

  app.post(
    '/api/portal/items/:kind/:itemId/actioned',
    {
      schema: {
        tags: ['portal'],
        summary: 'Mark an item done (or not) for the whole account: needs "act" access',
        params: ZItemParams,
        body: z.object({ actioned: z.boolean() }),
        response: { 200: z.object({ actioned: z.boolean(), actionedAt: z.string().nullable() }) },
      },
    },
    async (request) =>
      setItemActioned(kernel, {
        user: clientUser(authContext(request)),
        kind: request.params.kind,
        id: request.params.itemId,
        actioned: request.body.actioned,
      }),
  );

  app.get(
    '/api/portal/files/:fileId',
    {
      schema: {
        tags: ['portal'],
        summary: 'A scan or photo of a post item (an audited read)',
        params: z.object({ fileId: z.uuid() }),
      },
    },
    async (request, reply) => {
      const file = await readScan(kernel, { user: clientUser(authContext(request)), fileId: request.params.fileId });

      return reply
        .header('content-type', file.mediaType)
        .header('cache-control', 'private, no-store')
        .header('content-disposition', 'inline')
        .header('x-content-type-options', 'nosniff')
        .send(file.bytes);
    },
  );

  app.get(
    '/api/portal/account',
    {
      schema: {
        tags: ['portal'],
        summary: "Your account's status and the dates of each step",
        response: { 200: ZLifecycle },
      },
    },
    async (request) => getAccountLifecycle(kernel, authContext(request).accountId),
  );

  app.post(
    '/api/portal/account/status',
    {
      schema: {
        tags: ['portal'],
        summary: 'Subscribe, cancel, or deactivate your account (owner only; deactivation needs typed confirmation)',
        body: z.object({
          to: z.enum(['subscribed', 'cancelled', 'deactivated']),
          confirmation: z.string().max(100).optional(),
        }),
        response: { 200: ZLifecycle },
      },
    },
    async (request) => {
      const auth = authContext(request);
      if (request.body.to === 'deactivated' && request.body.confirmation?.trim() !== DEACTIVATE_CONFIRMATION) {
        throw new AppError('VALIDATION_FAILED', `Type ${DEACTIVATE_CONFIRMATION} to confirm`, {
          fields: { confirmation: `type ${DEACTIVATE_CONFIRMATION}` },
        });
      }
      await changeAccountStatus(kernel, {
        accountId: auth.accountId,
        to: request.body.to,
        actor: { id: auth.id, role: auth.role },
      });

      return getAccountLifecycle(kernel, auth.accountId);
    },
  );

  app.post(
    '/api/accounts/:accountId/status',
    {
      schema: {
        tags: ['accounts'],
        summary: "Change a client account's lifecycle status (billing)",
        params: z.object({ accountId: z.uuid() }),
        body: z.object({ to: z.enum(['subscribed', 'cancelled', 'deactivated']) }),
        response: { 200: ZLifecycle },
      },
    },
    async (request) => {
      const auth = authContext(request);
      await changeAccountStatus(kernel, {
        accountId: request.params.accountId,
        to: request.body.to,
        actor: { id: auth.id, role: auth.role },
      });

      return getAccountLifecycle(kernel, request.params.accountId);
    },
  );
};
