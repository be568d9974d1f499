import { z } from 'zod';
import { authContext } from '../auth/routes.ts';
import { PROVIDER_ACCOUNT_ID, RIGHTS_REQUEST_KINDS, RIGHTS_REQUEST_STATUSES } from '../kernel/db/schema.ts';
import { AppError } from '../kernel/errors.ts';
import type { App } from '../kernel/http/types.ts';
import type { Kernel } from '../kernel/kernel.ts';
import type { SubjectDataSource } from '../subjects/subjects.ts';
import { actOnRequest, ZRequestAction } from './act-on-request.ts';
import { completeRequest } from './complete-request.ts';
import { addPersonToRequest, findCandidates } from './find-people.ts';
import { LEGAL_HOLD_BASES, liftLegalHold, listLegalHolds, placeLegalHold } from './legal-holds.ts';
import { liftRestriction } from './lift-restriction.ts';
import { downloadPackage, packageReport, packageReportForStaff, packageZipForStaff } from './package-download.ts';
import { reviewPackage } from './review-package.ts';
import { rightsGuide } from './rights-guide.ts';
import { logStaffRequest, submitPortalRequest, submitRequest } from './submit-request.ts';
import { recordRecipientTold, ZRecipientTold } from './tell-recipients.ts';
import { markVerified, verifyByCode } from './verify-request.ts';
import { listQueue, requestStatus, rightsDashboard, viewRequest } from './view-request.ts';

const ZKind = z.enum(RIGHTS_REQUEST_KINDS);
const ZDetails = z.string().trim().max(4000, 'at most 4,000 characters').optional();
const ZPerson = {
  email: z.email('must be an e-mail address').max(320),
  name: z.string().trim().max(200).optional(),
  phone: z.string().trim().max(40).optional(),
  details: ZDetails,
};
const ZRequestParams = z.object({ requestId: z.uuid() });
const ZRecipientParams = z.object({ requestId: z.uuid(), recipientId: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/) });
const ZQueueQuery = z.object({
  status: z.union([z.literal('open'), z.enum(RIGHTS_REQUEST_STATUSES)]).optional(),
  kind: ZKind.optional(),
});

/** What staff or an owner gives when answering; each field is bounded so an oversized payload is refused whole. */
export const ZCompletionInput = z.strictObject({
  corrections: z
    .strictObject({
      subjectId: z.uuid(),
      name: z.string().trim().min(1).max(200).optional(),
      email: z.email().max(320).optional(),
      phone: z.string().trim().min(3).max(40).optional(),
    })
    .optional(),
  compellingGrounds: z
    .array(z.strictObject({ purpose: z.string().max(64), grounds: z.string().trim().min(10).max(2000) }))
    .max(20)
    .optional(),
  purposes: z.array(z.string().max(64)).max(50).optional(),
  reviewedForOtherPeople: z.boolean().optional(),
  redactions: z
    .array(z.strictObject({ recordId: z.uuid(), field: z.string().max(64), text: z.string().min(1).max(500) }))
    .max(1_000)
    .optional(),
});

const actorOf = (request: { auth: unknown }) => {
  const auth = authContext(request);

  return { id: auth.id, role: auth.role };
};

const TAGS = ['rights'];

export const rightsRoutes = (app: App, kernel: Kernel, sources: readonly SubjectDataSource[]) => {
  // The person's side: public, rate-limited, and answering the same whoever the address belongs to.
  app.get(
    '/api/privacy/rights',
    { schema: { tags: TAGS, summary: 'The rights a person has here, explained from the policy' } },
    async () => rightsGuide(kernel.policyFile.file),
  );

  app.post(
    '/api/privacy/requests',
    {
      schema: {
        tags: TAGS,
        summary: 'Make a rights request; a code is e-mailed to prove the address',
        body: z.strictObject({ kind: ZKind, ...ZPerson }),
        response: { 202: z.object({ requestId: z.uuid(), codeExpiresAt: z.string() }) },
      },
      config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const result = await submitRequest(kernel, { ...request.body, channel: 'web' });

      return reply.status(202).send(result);
    },
  );

  app.post(
    '/api/privacy/requests/:requestId/verify',
    {
      schema: {
        tags: TAGS,
        summary: 'Prove the address with the e-mailed code; answers the status link token',
        params: ZRequestParams,
        body: z.strictObject({ code: z.string().regex(/^\d{6}$/, 'must be the six digits from the e-mail') }),
        response: { 200: z.object({ statusToken: z.string() }) },
      },
      config: { rateLimit: { max: 20, timeWindow: '1 minute' } },
    },
    async (request) => verifyByCode(kernel, { requestId: request.params.requestId, code: request.body.code }),
  );

  app.get(
    '/api/privacy/requests/status',
    {
      schema: {
        tags: TAGS,
        summary: 'A request as its maker sees it, by the token from their status link',
        querystring: z.object({ token: z.string().max(100) }),
      },
      config: { rateLimit: { max: 60, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const status = await requestStatus(kernel, request.query.token);
      if (!status) throw new AppError('NOT_FOUND', 'This link is not valid. Use the link in your latest e-mail.');

      return reply.header('cache-control', 'no-store').send(status);
    },
  );

  const ZPackageQuery = z.object({ token: z.string().max(100), package: z.uuid() });
  app.get(
    '/api/privacy/requests/package',
    {
      schema: {
        tags: TAGS,
        summary: 'Download the access or portability package (ZIP) with the status link token',
        querystring: ZPackageQuery,
      },
      config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const file = await downloadPackage(kernel, {
        statusToken: request.query.token,
        packageId: request.query.package,
      });

      return reply
        .header('content-disposition', `attachment; filename="${file.fileName}"`)
        .header('cache-control', 'no-store')
        .type('application/zip')
        .send(Buffer.from(file.bytes));
    },
  );

  app.get(
    '/api/privacy/requests/report',
    {
      schema: {
        tags: TAGS,
        summary: 'The access package as a readable HTML report (printable to PDF)',
        querystring: ZPackageQuery,
      },
      config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const html = await packageReport(kernel, {
        statusToken: request.query.token,
        packageId: request.query.package,
      });

      return reply
        .header('cache-control', 'no-store')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
        .type('text/html; charset=utf-8')
        .send(html);
    },
  );

  app.post(
    '/api/portal/privacy-requests',
    {
      schema: {
        tags: TAGS,
        summary: 'A signed-in client user makes a rights request about themselves',
        body: z.strictObject({ kind: ZKind, details: ZDetails }),
        response: { 201: z.object({ requestId: z.uuid(), statusToken: z.string() }) },
      },
    },
    async (request, reply) => {
      const auth = authContext(request);
      const result = await submitPortalRequest(kernel, {
        kind: request.body.kind,
        details: request.body.details ?? null,
        actor: { id: auth.id, role: auth.role },
        subjectId: auth.subjectId,
        accountId: auth.accountId,
      });

      return reply.status(201).send(result);
    },
  );

  // Staff log requests that arrive by phone, e-mail or post, and record how they checked identity.
  app.post(
    '/api/rights/requests',
    {
      schema: {
        tags: TAGS,
        summary: 'Log a request received by phone, e-mail or post',
        body: z.strictObject({
          kind: ZKind,
          ...ZPerson,
          channel: z.enum(['phone', 'email', 'post']),
          verification: z
            .strictObject({ method: z.enum(['phone', 'document']), note: z.string().trim().min(3).max(500) })
            .nullable(),
        }),
        response: { 201: z.object({ requestId: z.uuid(), statusToken: z.string() }) },
      },
    },
    async (request, reply) => {
      const result = await logStaffRequest(kernel, { ...request.body, actor: actorOf(request) });

      return reply.status(201).send(result);
    },
  );

  app.post(
    '/api/rights/requests/:requestId/verify',
    {
      schema: {
        tags: TAGS,
        summary: 'Record an identity check made by phone or by document',
        params: ZRequestParams,
        body: z.strictObject({ method: z.enum(['phone', 'document']), note: z.string().trim().min(3).max(500) }),
      },
    },
    async (request) => {
      await markVerified(kernel, { requestId: request.params.requestId, ...request.body, actor: actorOf(request) });

      return { ok: true };
    },
  );

  app.get(
    '/api/rights/dashboard',
    {
      schema: {
        tags: TAGS,
        summary: 'Requests by month, kind and status; open, overdue and the on-time rate',
        querystring: z.object({ months: z.coerce.number().int().min(1).max(36).default(12) }),
      },
    },
    async (request) => rightsDashboard(kernel, { accountId: PROVIDER_ACCOUNT_ID, months: request.query.months }),
  );

  // The same tools for the provider's staff (its own requests) and a client's owner (the parts routed to them).
  const answering = (prefix: string, accountOf: (request: { auth: unknown }) => string) => {
    app.get(
      `${prefix}/requests`,
      { schema: { tags: TAGS, summary: 'The queue, soonest due first', querystring: ZQueueQuery } },
      async (request) => ({
        requests: await listQueue(kernel, {
          accountId: accountOf(request),
          actor: actorOf(request),
          filter: request.query,
        }),
      }),
    );

    app.get(
      `${prefix}/requests/:requestId`,
      { schema: { tags: TAGS, summary: 'One request: the person, the clock, the history', params: ZRequestParams } },
      async (request) =>
        viewRequest(kernel, {
          accountId: accountOf(request),
          requestId: request.params.requestId,
          actor: actorOf(request),
        }),
    );

    app.post(
      `${prefix}/requests/:requestId/actions`,
      {
        schema: {
          tags: TAGS,
          summary: 'Start, ask for clarification, extend, ask for a fee, refuse',
          params: ZRequestParams,
          body: ZRequestAction,
        },
      },
      async (request) =>
        actOnRequest(kernel, {
          accountId: accountOf(request),
          requestId: request.params.requestId,
          actor: actorOf(request),
          action: request.body,
        }),
    );

    app.post(
      `${prefix}/requests/:requestId/recipients/:recipientId/told`,
      {
        schema: {
          tags: TAGS,
          summary: 'Record that a recipient of the person’s data was told of the outcome (Art. 19)',
          params: ZRecipientParams,
          body: ZRecipientTold,
        },
      },
      async (request) =>
        recordRecipientTold(kernel, {
          accountId: accountOf(request),
          requestId: request.params.requestId,
          actor: actorOf(request),
          recipientId: request.params.recipientId,
          how: request.body.how,
        }),
    );

    app.post(
      `${prefix}/requests/:requestId/complete`,
      {
        schema: {
          tags: TAGS,
          summary: 'Carry out the request and tell the person',
          params: ZRequestParams,
          body: ZCompletionInput,
        },
      },
      async (request) =>
        completeRequest(kernel, sources, {
          accountId: accountOf(request),
          requestId: request.params.requestId,
          actor: actorOf(request),
          input: request.body,
        }),
    );

    app.get(
      `${prefix}/requests/:requestId/candidates`,
      {
        schema: {
          tags: TAGS,
          summary: 'Find people in this account by exact e-mail or phone, to add to the request',
          params: ZRequestParams,
          querystring: z
            .object({ email: z.string().min(3).max(320).optional(), phone: z.string().min(3).max(40).optional() })
            .refine((q) => (q.email === undefined) !== (q.phone === undefined), 'give exactly one of email or phone'),
        },
      },
      async (request) => {
        const { email, phone } = request.query;

        return findCandidates(kernel, {
          accountId: accountOf(request),
          requestId: request.params.requestId,
          by: email ? 'email' : 'phone',
          value: (email ?? phone) as string,
          actor: actorOf(request),
        });
      },
    );

    app.post(
      `${prefix}/requests/:requestId/subjects`,
      {
        schema: {
          tags: TAGS,
          summary: 'Add a person found in this account to the request',
          params: ZRequestParams,
          body: z.strictObject({ subjectId: z.uuid() }),
        },
      },
      async (request) =>
        addPersonToRequest(kernel, {
          accountId: accountOf(request),
          requestId: request.params.requestId,
          subjectId: request.body.subjectId,
          actor: actorOf(request),
        }),
    );

    app.get(
      `${prefix}/requests/:requestId/packages/:packageId/report`,
      {
        schema: {
          tags: TAGS,
          summary: 'The report of a package prepared for this request: what the person was sent',
          params: ZRequestParams.extend({ packageId: z.uuid() }),
        },
      },
      async (request, reply) => {
        const html = await packageReportForStaff(kernel, {
          accountId: accountOf(request),
          requestId: request.params.requestId,
          packageId: request.params.packageId,
          actor: actorOf(request),
        });

        return reply
          .header('cache-control', 'no-store')
          .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
          .type('text/html; charset=utf-8')
          .send(html);
      },
    );

    app.get(
      `${prefix}/requests/:requestId/packages/:packageId/zip`,
      {
        schema: {
          tags: TAGS,
          summary: 'The ZIP prepared for this request, as the person was sent it',
          params: ZRequestParams.extend({ packageId: z.uuid() }),
        },
      },
      async (request, reply) => {
        const file = await packageZipForStaff(kernel, {
          accountId: accountOf(request),
          requestId: request.params.requestId,
          packageId: request.params.packageId,
          actor: actorOf(request),
        });

        return reply
          .header('content-disposition', `attachment; filename="${file.fileName}"`)
          .header('cache-control', 'no-store')
          .type('application/zip')
          .send(Buffer.from(file.bytes));
      },
    );

    app.get(
      `${prefix}/requests/:requestId/review`,
      {
        schema: {
          tags: TAGS,
          summary: 'Free text others wrote about the person, to check for other people before a copy goes out',
          params: ZRequestParams,
        },
      },
      async (request) =>
        reviewPackage(kernel, sources, {
          accountId: accountOf(request),
          requestId: request.params.requestId,
          actor: actorOf(request),
        }),
    );

    app.post(
      `${prefix}/requests/:requestId/lift-restriction`,
      {
        schema: {
          tags: TAGS,
          summary: 'Lift a restriction the person asked for; they are e-mailed first',
          params: ZRequestParams,
        },
      },
      async (request) =>
        liftRestriction(kernel, {
          accountId: accountOf(request),
          requestId: request.params.requestId,
          actor: actorOf(request),
        }),
    );

    app.get(
      `${prefix}/legal-holds`,
      {
        schema: {
          tags: TAGS,
          summary: 'Legal holds keeping data from erasure, soonest review first',
          querystring: z.object({ subjectId: z.uuid().optional(), active: z.stringbool().optional() }),
        },
      },
      async (request) => ({
        holds: await listLegalHolds(kernel, { accountId: accountOf(request), ...request.query }),
      }),
    );

    app.post(
      `${prefix}/legal-holds`,
      {
        schema: {
          tags: TAGS,
          summary: "Keep a person's data from erasure, with a reason and a review date",
          body: z.strictObject({
            subjectId: z.uuid(),
            basis: z.enum(LEGAL_HOLD_BASES),
            reason: z.string().trim().min(10).max(500),
            reviewOn: z.iso.date(),
          }),
          response: { 201: z.object({ holdId: z.uuid() }) },
        },
      },
      async (request, reply) => {
        const result = await placeLegalHold(kernel, {
          accountId: accountOf(request),
          ...request.body,
          actor: actorOf(request),
        });

        return reply.status(201).send(result);
      },
    );

    app.post(
      `${prefix}/legal-holds/:holdId/lift`,
      { schema: { tags: TAGS, summary: 'Lift a legal hold', params: z.object({ holdId: z.uuid() }) } },
      async (request) =>
        liftLegalHold(kernel, {
          accountId: accountOf(request),
          holdId: request.params.holdId,
          actor: actorOf(request),
        }),
    );
  };
  answering('/api/rights', () => PROVIDER_ACCOUNT_ID);
  answering('/api/portal/rights', (request) => authContext(request).accountId);
};
