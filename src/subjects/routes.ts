import { z } from 'zod';
import { requireClientAccount } from '../accounts/accounts.ts';
import { authContext } from '../auth/routes.ts';
import type { App } from '../kernel/http/types.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { viewNotes } from '../notes/contact-notes.ts';
import {
  ERASURE_REASONS,
  eraseSubject,
  exportSubject,
  findSubjects,
  readSubject,
  type SubjectDataSource,
} from './subjects.ts';

const ZSubject = z.object({
  id: z.uuid(),
  kind: z.string(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  source: z.string(),
  createdAt: z.string(),
});
/** A code, not free text: the reason is kept in the audit trail and the erasure ledger, which hold no personal data. */
const ZErasureReason = z.enum(ERASURE_REASONS);
const ZAccountParams = z.object({ accountId: z.uuid() });
const ZSubjectParams = z.object({ accountId: z.uuid(), subjectId: z.uuid() });

const actorOf = (request: { auth: unknown }) => {
  const auth = authContext(request);

  return { id: auth.id, role: auth.role };
};

export const subjectRoutes = (app: App, kernel: Kernel, sources: readonly SubjectDataSource[]) => {
  app.get(
    '/api/accounts/:accountId/subjects',
    {
      schema: {
        tags: ['subjects'],
        summary: 'Find people by exact e-mail, phone or name (blind index)',
        params: ZAccountParams,
        querystring: z
          .object({
            email: z.string().min(3).max(320).optional(),
            phone: z.string().min(3).max(40).optional(),
            name: z.string().min(1).max(200).optional(),
          })
          .refine(
            (q) => [q.email, q.phone, q.name].filter(Boolean).length === 1,
            'give exactly one of email, phone or name',
          ),
        response: { 200: z.object({ subjects: z.array(ZSubject) }) },
      },
    },
    async (request) => {
      const { accountId } = request.params;
      await requireClientAccount(kernel, accountId);
      const q = request.query;
      const by = q.email ? 'email' : q.phone ? 'phone' : 'name';
      const value = (q.email ?? q.phone ?? q.name) as string;
      const subjects = await kernel.db.tenant(accountId, (trx) =>
        findSubjects(kernel, trx, { accountId, by, value, actor: actorOf(request), purpose: 'service_delivery' }),
      );

      return { subjects };
    },
  );

  app.get(
    '/api/accounts/:accountId/subjects/:subjectId',
    {
      schema: {
        tags: ['subjects'],
        summary: 'One person and their contact notes',
        params: ZSubjectParams,
        response: {
          200: z.object({
            subject: ZSubject,
            notes: z.array(
              z.object({ id: z.uuid(), body: z.string().nullable(), purpose: z.string(), createdAt: z.string() }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const { accountId, subjectId } = request.params;
      await requireClientAccount(kernel, accountId);

      return kernel.db.tenant(accountId, async (trx) => {
        const actor = actorOf(request);
        const subject = await readSubject(kernel, trx, { accountId, subjectId, actor, purpose: 'service_delivery' });

        return { subject, notes: await viewNotes(kernel, trx, { accountId, subjectId, actor }) };
      });
    },
  );

  app.get(
    '/api/accounts/:accountId/subjects/:subjectId/export',
    {
      schema: {
        tags: ['subjects'],
        summary: 'Everything held about a person, decrypted, as JSON (right of access)',
        params: ZSubjectParams,
      },
    },
    async (request, reply) => {
      const { accountId, subjectId } = request.params;
      await requireClientAccount(kernel, accountId);
      const data = await kernel.db.tenant(accountId, (trx) =>
        exportSubject(kernel, trx, sources, { accountId, subjectId, actor: actorOf(request) }),
      );

      return reply
        .header('content-disposition', `attachment; filename="subject-${subjectId}.json"`)
        .header('cache-control', 'no-store')
        .type('application/json')
        .send(JSON.stringify(data, null, 2));
    },
  );

  app.post(
    '/api/accounts/:accountId/subjects/:subjectId/erase',
    {
      schema: {
        tags: ['subjects'],
        summary: 'Erase a person: delete their rows and destroy their key',
        params: ZSubjectParams,
        body: z.object({ confirm: z.literal('ERASE'), reason: ZErasureReason.optional() }),
        response: { 200: z.object({ erased: z.literal(true), counts: z.record(z.string(), z.number()) }) },
      },
    },
    async (request) => {
      const { accountId, subjectId } = request.params;
      await requireClientAccount(kernel, accountId);

      return kernel.db.tenant(accountId, (trx) =>
        eraseSubject(kernel, trx, sources, {
          accountId,
          subjectId,
          actor: actorOf(request),
          reason: request.body.reason ?? 'data_subject_request',
        }),
      );
    },
  );
};
