/**
 * @module The public notice (`/privacy`, `/privacy/v/N`), the record of processing for staff, publishing a new
 * version, and a person's answer to a new purpose.
 */
import { z } from 'zod';
import { authContext } from '../auth/routes.ts';
import type { App } from '../kernel/http/types.ts';
import type { Kernel } from '../kernel/kernel.ts';
import {
  describePolicyPublishing,
  listPolicyVersions,
  publishPolicy,
  readPolicyVersion,
  recordPolicyAgreement,
} from './policy-versions.ts';
import { renderNotice } from './render-notice.ts';
import { ropaCsv, ropaXlsxBuffer } from './ropa.ts';

const HTML = 'text/html; charset=utf-8';

const namedPurposes = z.array(z.object({ id: z.string(), name: z.string() }));

export const policyRoutes = (app: App, kernel: Kernel) => {
  app.get('/privacy', { schema: { hide: true } }, async (_request, reply) => {
    const versions = await listPolicyVersions(kernel);

    return reply
      .type(HTML)
      .header('cache-control', 'no-cache')
      .send(renderNotice(kernel.policyFile.file, { versions }));
  });

  app.get(
    '/privacy/v/:version',
    { schema: { hide: true, params: z.object({ version: z.coerce.number().int().min(1).max(1_000_000) }) } },
    async (request, reply) => {
      const { file, previous } = await readPolicyVersion(kernel, request.params.version);
      const versions = await listPolicyVersions(kernel);
      const latest = versions[0]?.version;

      return reply.type(HTML).send(
        renderNotice(file, {
          versions,
          archived: latest !== undefined && latest !== file.version,
          diff: previous ? { from: previous.version, changes: previous.changes } : null,
        }),
      );
    },
  );

  app.get(
    '/api/policy/ropa',
    {
      schema: {
        tags: ['policy'],
        summary: 'The record of processing (Art. 30, controller and processor parts) from the loaded policy file',
        querystring: z.object({ format: z.enum(['xlsx', 'csv']).default('xlsx') }),
      },
    },
    async (request, reply) => {
      const file = kernel.policyFile.file;
      const base = `ropa-${file.id}-v${file.version}`;
      if (request.query.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${base}.csv"`)
          .send(ropaCsv(file));
      }

      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="${base}.xlsx"`)
        .send(await ropaXlsxBuffer(file));
    },
  );

  app.get(
    '/api/policy/versions',
    {
      schema: {
        tags: ['policy'],
        summary: 'The loaded policy file, every published notice version, and whether the file can be published now',
        response: {
          200: z.object({
            loaded: z.object({
              id: z.string(),
              title: z.string(),
              version: z.number(),
              effectiveDate: z.string(),
              change: z.object({ material: z.boolean(), summary: z.string(), newPurposes: namedPurposes }).nullable(),
            }),
            publishState: z.enum(['ready', 'published', 'older', 'other-policy', 'no-change-entry']),
            publishedPolicyId: z.string().nullable(),
            recipients: z.number(),
            versions: z.array(
              z.object({
                version: z.number(),
                effectiveDate: z.string(),
                material: z.boolean(),
                summary: z.string(),
                newPurposes: namedPurposes,
                publishedAt: z.string(),
                notified: z.number(),
              }),
            ),
          }),
        },
      },
    },
    async () => describePolicyPublishing(kernel),
  );

  app.post(
    '/api/policy/publish',
    {
      schema: {
        tags: ['policy'],
        summary:
          'Publish the loaded policy file as a new notice version; material changes are e-mailed to every active user',
        response: {
          200: z.object({
            version: z.number(),
            material: z.boolean(),
            newPurposes: z.array(z.string()),
            notified: z.number(),
          }),
        },
      },
    },
    async (request) => {
      const auth = authContext(request);

      return publishPolicy(kernel, {
        source: kernel.policyFile.source,
        name: kernel.policyFile.path,
        actor: { id: auth.id, role: auth.role },
      });
    },
  );

  app.post(
    '/api/policy/agreements',
    {
      schema: {
        tags: ['policy'],
        summary: 'Agree (or not) to a purpose a new notice version added',
        body: z.object({ purpose: z.string().min(1).max(100), agreed: z.boolean() }),
        response: { 200: z.object({ ok: z.literal(true) }) },
      },
    },
    async (request) => {
      const auth = authContext(request);
      await recordPolicyAgreement(kernel, {
        accountId: auth.accountId,
        subjectId: auth.subjectId,
        purpose: request.body.purpose,
        agreed: request.body.agreed,
        actor: { id: auth.id, role: auth.role },
      });

      return { ok: true as const };
    },
  );
};
