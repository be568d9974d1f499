import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireClientAccount } from '../accounts/accounts.ts';
import { authContext } from '../auth/routes.ts';
import { readFile } from '../files/files.ts';
import { recordAudit } from '../kernel/audit/audit.ts';
import { AppError } from '../kernel/errors.ts';
import type { App } from '../kernel/http/types.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { changePostStatus, POST_STATUSES } from './change-post-status.ts';
import { logPostItem, POST_PURPOSE } from './log-post-item.ts';
import { readRecentPost } from './read-post.ts';

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const ZPostForm = z.object({
  receivedAt: z.preprocess(emptyToUndefined, z.iso.datetime({ offset: true }).optional()),
  sender: z.string().trim().min(1).max(300),
  itemType: z.enum(['letter', 'parcel', 'recorded', 'legal']),
  trackingNumber: z.preprocess(emptyToUndefined, z.string().trim().max(100).optional()),
  idempotencyKey: z.string().trim().min(8).max(100),
  /** JSON callers may send the scan inline; browsers send it as the multipart part `scan`. */
  scanBase64: z.preprocess(emptyToUndefined, z.base64().optional()),
});

const ZFile = z.object({ id: z.uuid(), mediaType: z.string(), sizeBytes: z.number(), createdAt: z.string() });
const ZStatus = z.enum(POST_STATUSES);
const ZPostItem = z.object({
  id: z.uuid(),
  sender: z.string().nullable(),
  itemType: z.enum(['letter', 'parcel', 'recorded', 'legal']),
  trackingNumber: z.string().nullable(),
  receivedAt: z.string(),
  status: ZStatus,
  loggedBy: z.string(),
  actionedAt: z.string().nullable(),
  files: z.array(ZFile),
  events: z.array(z.object({ status: ZStatus, at: z.string(), by: z.string() })),
});

type Upload = { fields: Record<string, string>; scan?: { bytes: Buffer; declaredType: string } };

/** Multipart (browser) or JSON (scripts): the same fields, at most one file, the size limit from config. */
const readUpload = async (request: FastifyRequest, limit: number): Promise<Upload> => {
  if (!request.isMultipart()) {
    const body = (request.body ?? {}) as Record<string, unknown>;

    return {
      fields: Object.fromEntries(
        Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
      ),
    };
  }
  const upload: Upload = { fields: {} };
  for await (const part of request.parts({ limits: { fileSize: limit, files: 1, fields: 20, fieldSize: 16_384 } })) {
    if (part.type === 'file') {
      const bytes = await part.toBuffer();
      if (bytes.length > 0) upload.scan = { bytes, declaredType: part.mimetype };
    } else if (typeof part.value === 'string') {
      upload.fields[part.fieldname] = part.value;
    }
  }

  return upload;
};

export const postRoutes = (app: App, kernel: Kernel) => {
  const limit = kernel.config.uploadLimitBytes;

  // Multipart parsing only where uploads are taken; the callback form lets avvio load the plugin before the route runs.
  void app.register((scope: App, _options, done) => {
    void scope.register(multipart, { limits: { fileSize: limit, files: 1 }, throwFileSizeLimit: true });

    scope.post(
      '/api/accounts/:accountId/post',
      {
        bodyLimit: limit + 1_048_576,
        schema: {
          tags: ['post'],
          summary: 'Log a post item, with an optional scan or photo (multipart part `scan`: PDF, JPEG or PNG)',
          consumes: ['multipart/form-data', 'application/json'],
          params: z.object({ accountId: z.uuid() }),
          response: {
            200: z.object({ postItemId: z.uuid(), fileId: z.uuid().nullable(), replayed: z.boolean() }),
            201: z.object({ postItemId: z.uuid(), fileId: z.uuid().nullable(), replayed: z.boolean() }),
          },
        },
      },
      async (request, reply) => {
        const { accountId } = request.params;
        await requireClientAccount(kernel, accountId);
        const auth = authContext(request);
        const upload = await readUpload(request, limit);
        const parsed = ZPostForm.safeParse(upload.fields);
        if (!parsed.success) {
          const fields: Record<string, string> = {};
          for (const issue of parsed.error.issues) fields[`body.${issue.path.join('.')}`] = issue.message;
          throw new AppError('VALIDATION_FAILED', 'Some fields are not valid', { fields });
        }
        const { scanBase64, receivedAt, ...form } = parsed.data;
        const inline = scanBase64 ? Buffer.from(scanBase64, 'base64') : undefined;
        if (inline && inline.length > limit)
          throw new AppError('PAYLOAD_TOO_LARGE', 'The scan is larger than the upload limit');
        const receipt = await logPostItem(kernel, {
          accountId,
          actor: { id: auth.id, role: auth.role },
          ...form,
          receivedAt: receivedAt ? new Date(receivedAt) : undefined,
          scan: upload.scan ?? (inline ? { bytes: inline } : undefined),
        });

        return reply.status(receipt.replayed ? 200 : 201).send(receipt);
      },
    );
    done();
  });

  app.get(
    '/api/accounts/:accountId/post',
    {
      schema: {
        tags: ['post'],
        summary: 'Recent post items of a client, newest first (audited)',
        params: z.object({ accountId: z.uuid() }),
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
        response: { 200: z.object({ items: z.array(ZPostItem) }) },
      },
    },
    async (request) => {
      const { accountId } = request.params;
      await requireClientAccount(kernel, accountId);
      const auth = authContext(request);
      const items = await kernel.db.tenant(accountId, async (trx) => {
        const found = await readRecentPost(kernel, trx, accountId, request.query.limit);
        if (found.length > 0) {
          await recordAudit(trx, kernel.clock, {
            accountId,
            actor: { id: auth.id, role: auth.role },
            action: 'post.read',
            entity: 'post_item',
            fields: ['sender', 'tracking_number'],
            purpose: POST_PURPOSE,
            details: { count: found.length, via: 'staff-list' },
          });
        }

        return found;
      });

      return { items };
    },
  );

  app.post(
    '/api/accounts/:accountId/post/:postItemId/status',
    {
      schema: {
        tags: ['post'],
        summary: 'Move a post item along its lifecycle; steps it does not allow answer 409',
        params: z.object({ accountId: z.uuid(), postItemId: z.uuid() }),
        body: z.object({ status: ZStatus }),
        response: {
          200: z.object({ postItemId: z.uuid(), status: ZStatus, at: z.string(), allowedNext: z.array(ZStatus) }),
        },
      },
    },
    async (request) => {
      const { accountId, postItemId } = request.params;
      await requireClientAccount(kernel, accountId);
      const auth = authContext(request);

      return changePostStatus(kernel, {
        accountId,
        actor: { id: auth.id, role: auth.role },
        postItemId,
        status: request.body.status,
      });
    },
  );

  app.get(
    '/api/accounts/:accountId/post/:postItemId/files/:fileId',
    {
      schema: {
        tags: ['post'],
        summary: 'The decrypted scan or photo of a post item (audited)',
        params: z.object({ accountId: z.uuid(), postItemId: z.uuid(), fileId: z.uuid() }),
      },
    },
    async (request, reply) => {
      const { accountId, postItemId, fileId } = request.params;
      await requireClientAccount(kernel, accountId);
      const auth = authContext(request);
      const file = await kernel.db.tenant(accountId, async (trx) => {
        const found = await readFile(kernel, trx, fileId);
        if (!found || found.ownerId !== postItemId) throw new AppError('NOT_FOUND', 'No such file for this post item');
        await recordAudit(trx, kernel.clock, {
          accountId,
          actor: { id: auth.id, role: auth.role },
          action: 'post.file.read',
          entity: 'post_item',
          entityId: postItemId,
          fields: ['scan'],
          purpose: POST_PURPOSE,
          details: { fileId },
        });

        return found;
      });

      return reply
        .header('content-type', file.mediaType)
        .header('cache-control', 'no-store')
        .header('content-disposition', `inline; filename="scan-${fileId}${EXTENSIONS[file.mediaType] ?? ''}"`)
        .send(file.bytes);
    },
  );
};

const EXTENSIONS: Record<string, string> = { 'application/pdf': '.pdf', 'image/jpeg': '.jpg', 'image/png': '.png' };
