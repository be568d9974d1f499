import { z } from 'zod';
import { authContext } from '../auth/routes.ts';
import type { App } from '../kernel/http/types.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { accessOf } from './colleague-access.ts';
import { acceptInvitation, inviteColleague, listColleagues, setColleagueAccess } from './colleagues.ts';

const ZLevel = z.enum(['none', 'view', 'act']);
const me = (request: { auth: unknown }) => {
  const auth = authContext(request);

  return { id: auth.id, role: auth.role, accountId: auth.accountId };
};

export const colleagueRoutes = (app: App, kernel: Kernel) => {
  app.get(
    '/api/portal/access',
    {
      schema: {
        tags: ['colleagues'],
        summary: 'What you may do with phone messages and with post (read afresh on every request)',
        response: { 200: z.object({ role: z.string(), messages: ZLevel, post: ZLevel }) },
      },
    },
    async (request) => {
      const user = me(request);

      return { role: user.role, ...(await kernel.db.tenant(user.accountId, (trx) => accessOf(trx, user))) };
    },
  );

  app.get(
    '/api/portal/colleagues',
    {
      schema: {
        tags: ['colleagues'],
        summary: "The account's users and open invitations, with each colleague's access",
        response: {
          200: z.object({
            colleagues: z.array(
              z.object({
                userId: z.uuid(),
                role: z.enum(['owner', 'colleague']),
                name: z.string().nullable(),
                email: z.string().nullable(),
                status: z.enum(['active', 'disabled']),
                messages: ZLevel,
                post: ZLevel,
              }),
            ),
            invitations: z.array(
              z.object({
                id: z.uuid(),
                name: z.string().nullable(),
                email: z.string().nullable(),
                messages: ZLevel,
                post: ZLevel,
                expiresAt: z.string(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => listColleagues(kernel, me(request)),
  );

  app.post(
    '/api/portal/colleagues/invitations',
    {
      schema: {
        tags: ['colleagues'],
        summary: 'Invite a colleague by e-mail, with their access to phone messages and to post',
        body: z.object({
          name: z.string().trim().min(1).max(200),
          email: z.email().max(320),
          messages: ZLevel,
          post: ZLevel,
        }),
        response: { 201: z.object({ invitationId: z.uuid(), expiresAt: z.string(), mailed: z.boolean() }) },
      },
    },
    async (request, reply) => {
      const result = await inviteColleague(kernel, { owner: me(request), ...request.body });

      return reply
        .status(201)
        .send({ invitationId: result.invitationId, expiresAt: result.expiresAt, mailed: result.mailed });
    },
  );

  app.put(
    '/api/portal/colleagues/:userId/access',
    {
      schema: {
        tags: ['colleagues'],
        summary: "Set a colleague's access (none, view or act), separately for phone messages and for post (AS-2)",
        params: z.object({ userId: z.uuid() }),
        body: z.object({ messages: ZLevel, post: ZLevel }),
        response: { 200: z.object({ userId: z.uuid(), messages: ZLevel, post: ZLevel }) },
      },
    },
    async (request) =>
      setColleagueAccess(kernel, { owner: me(request), userId: request.params.userId, ...request.body }),
  );

  app.post(
    '/api/colleagues/accept',
    {
      config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags: ['colleagues'],
        summary: 'Accept an invitation: choose a password for your new sign-in',
        body: z.object({ token: z.string().min(20).max(200), password: z.string().min(1).max(1024) }),
        response: { 201: z.object({ userId: z.uuid() }) },
      },
    },
    async (request, reply) => reply.status(201).send(await acceptInvitation(kernel, request.body)),
  );
};
