/**
 * @module Consent and marketing routes: one-click unsubscribe (`/u/:token`, public, RFC 8058), a person's
 * preferences for staff (a phone call logged) and for the client portal, consent receipts, and list import.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { authContext } from '../auth/routes.ts';
import { PROVIDER_ACCOUNT_ID } from '../kernel/db/schema.ts';
import { AppError } from '../kernel/errors.ts';
import type { App } from '../kernel/http/types.ts';
import type { Kernel } from '../kernel/kernel.ts';
import {
  CHANNELS,
  readConsentRecord,
  readPreferences,
  recordMarketingChoice,
  toIso27560,
  toKantaraReceipt,
} from './consent-records.ts';
import { importMarketingList, ZImportPerson } from './import-list.ts';
import { unsubscribeByToken, unsubscribeUrlWarning } from './marketing-mail.ts';
import { verifyUnsubscribeToken } from './unsubscribe-token.ts';

const HTML = 'text/html; charset=utf-8';
const ZChannel = z.enum(CHANNELS as unknown as ['email', 'sms', 'phone', 'post', 'fax', 'social']);
const ZChoice = z.object({
  channel: ZChannel,
  topic: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/)
    .max(80),
  state: z.enum(['given', 'refused', 'withdrawn']),
  basis: z.enum(['consent', 'soft_opt_in', 'objection', 'corporate_subscriber']).default('consent'),
  inCourseOfSale: z.boolean().optional(),
  optOutOffered: z.boolean().optional(),
});
const ZPreference = z.object({
  channel: z.string(),
  topic: z.string(),
  state: z.enum(['given', 'refused', 'withdrawn', 'none']),
  basis: z.string().nullable(),
  at: z.string().nullable(),
});

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><link rel="stylesheet" href="/consent.css"></head>
<body class="cc-page"><main><h1>${esc(title)}</h1>${body}</main></body></html>`;

export const consentRoutes = (app: App, kernel: Kernel) => {
  const warning = unsubscribeUrlWarning(kernel.config);
  if (warning) {
    // Once, when the server starts listening (not for every `inject` in tests).
    app.addHook('onListen', async () => {
      app.log.warn(warning);
    });
  }
  // RFC 8058 receivers POST multipart/form-data or application/x-www-form-urlencoded; the body is only
  // "List-Unsubscribe=One-Click", so it is read and discarded. Scoped to these two routes.
  void app.register((scope: FastifyInstance, _options: unknown, registered: (error?: Error) => void) => {
    const drain = (
      _request: unknown,
      payload: NodeJS.ReadableStream,
      done: (err: Error | null, body?: unknown) => void,
    ) => {
      payload.on('data', () => {});
      payload.on('end', () => done(null, {}));
      payload.on('error', (error: Error) => done(error));
    };
    scope.addContentTypeParser('application/x-www-form-urlencoded', drain);
    scope.addContentTypeParser('multipart/form-data', drain);
    const typed = scope as unknown as App;
    const params = z.object({ token: z.string().max(200) });

    typed.get('/u/:token', { schema: { hide: true, params } }, async (request, reply) => {
      const valid = verifyUnsubscribeToken(kernel.keyring, request.params.token, kernel.clock.now()) !== null;
      reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').type(HTML);
      if (!valid) {
        return reply
          .status(400)
          .send(
            page(
              'This link is not valid',
              `<p>This unsubscribe link is not valid or has expired. ${esc(kernel.policyFile.file.marketing.optOut)}</p>`,
            ),
          );
      }

      return reply.send(
        page(
          'Unsubscribe from marketing e-mail',
          `<p>Press the button to stop all marketing e-mail from ${esc(kernel.policyFile.file.controller.name)}. Service messages about your account continue.</p>
<form method="post" action="/u/${esc(request.params.token)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit" class="cc-btn">Unsubscribe</button></form>`,
        ),
      );
    });

    typed.post(
      '/u/:token',
      { schema: { hide: true, params }, config: { rateLimit: { max: 60, timeWindow: '1 minute' } } },
      async (request, reply) => {
        reply.header('cache-control', 'no-store').type(HTML);
        try {
          await unsubscribeByToken(kernel, request.params.token);
        } catch (error) {
          if (error instanceof AppError && error.code === 'BAD_REQUEST') {
            return reply
              .status(400)
              .send(
                page(
                  'This link is not valid',
                  `<p>${esc(error.message)}. ${esc(kernel.policyFile.file.marketing.optOut)}</p>`,
                ),
              );
          }
          throw error;
        }

        return reply
          .status(200)
          .send(page('You are unsubscribed', '<p>You will get no more marketing e-mail from us.</p>'));
      },
    );
    registered();
  });

  app.get(
    '/api/accounts/:accountId/subjects/:subjectId/marketing-preferences',
    {
      schema: {
        tags: ['consent'],
        summary: "A person's marketing preferences per channel and topic",
        params: z.object({ accountId: z.uuid(), subjectId: z.uuid() }),
        response: { 200: z.object({ preferences: z.array(ZPreference) }) },
      },
    },
    async (request) => {
      const { accountId, subjectId } = request.params;
      const preferences = await kernel.db.tenant(accountId, (trx) =>
        readPreferences(kernel, trx, accountId, subjectId),
      );

      return { preferences };
    },
  );

  app.post(
    '/api/accounts/:accountId/subjects/:subjectId/marketing-preferences',
    {
      schema: {
        tags: ['consent'],
        summary: 'Record a marketing choice a person made (for example by phone); it applies before the next send',
        params: z.object({ accountId: z.uuid(), subjectId: z.uuid() }),
        body: ZChoice.extend({ method: z.enum(['phone', 'letter', 'in-person', 'e-mail']).default('phone') }),
        response: { 201: z.object({ recordIds: z.array(z.uuid()) }) },
      },
    },
    async (request, reply) => {
      const auth = authContext(request);
      const recordIds = await recordMarketingChoice(kernel, {
        ...request.body,
        accountId: request.params.accountId,
        subjectId: request.params.subjectId,
        actor: { id: auth.id, role: auth.role },
      });

      return reply.status(201).send({ recordIds });
    },
  );

  app.get(
    '/api/portal/marketing-preferences',
    {
      schema: {
        tags: ['consent'],
        summary: 'Your own marketing preferences',
        response: { 200: z.object({ preferences: z.array(ZPreference) }) },
      },
    },
    async (request) => {
      const auth = authContext(request);
      const preferences = await kernel.db.tenant(auth.accountId, (trx) =>
        readPreferences(kernel, trx, auth.accountId, auth.subjectId),
      );

      return { preferences };
    },
  );

  app.post(
    '/api/portal/marketing-preferences',
    {
      schema: {
        tags: ['consent'],
        summary: 'Change your own marketing preferences',
        body: ZChoice.omit({ basis: true, inCourseOfSale: true, optOutOffered: true }),
        response: { 201: z.object({ recordIds: z.array(z.uuid()) }) },
      },
    },
    async (request, reply) => {
      const auth = authContext(request);
      const recordIds = await recordMarketingChoice(kernel, {
        ...request.body,
        basis: 'consent',
        method: 'portal',
        accountId: auth.accountId,
        subjectId: auth.subjectId,
        actor: { id: auth.id, role: 'data_subject' },
      });

      return reply.status(201).send({ recordIds });
    },
  );

  app.get(
    '/api/accounts/:accountId/consent-records/:recordId/receipt',
    {
      schema: {
        tags: ['consent'],
        summary: 'A consent record as a Kantara Consent Receipt v1.1 (default) or in the ISO/IEC TS 27560 shape',
        params: z.object({ accountId: z.uuid(), recordId: z.uuid() }),
        querystring: z.object({ format: z.enum(['kantara', 'iso27560']).default('kantara') }),
      },
    },
    async (request) => {
      const record = await readConsentRecord(kernel, request.params.accountId, request.params.recordId);

      return request.query.format === 'kantara' ? toKantaraReceipt(kernel, record) : toIso27560(kernel, record);
    },
  );

  app.post(
    '/api/consent/import',
    {
      schema: {
        tags: ['consent'],
        summary: 'Import a marketing list; suppressed addresses (opted out, objected, erased) are skipped',
        body: z.object({
          accountId: z.uuid().default(PROVIDER_ACCOUNT_ID),
          source: z.string().trim().min(1).max(200),
          people: z.array(ZImportPerson).min(1).max(5000),
        }),
        response: {
          200: z.object({
            imported: z.number(),
            matched: z.number(),
            suppressed: z.number(),
            consentsRecorded: z.number(),
          }),
        },
      },
    },
    async (request) => {
      const auth = authContext(request);

      return importMarketingList(kernel, { ...request.body, actor: { id: auth.id, role: auth.role } });
    },
  );
};
