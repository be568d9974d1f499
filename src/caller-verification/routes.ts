import { z } from 'zod';
import { requireClientAccount } from '../accounts/accounts.ts';
import { authContext } from '../auth/routes.ts';
import type { App } from '../kernel/http/types.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { accountDetailsAfterVerification, verificationSetup, verifyCaller } from './caller-verification.ts';

const ZFactor = z.enum(['email', 'phone']);

export const callerVerificationRoutes = (app: App, kernel: Kernel) => {
  app.get(
    '/api/accounts/:accountId/verifications/setup',
    {
      schema: {
        tags: ['verification'],
        summary: "CP-2: the policy's identity-verification wording, the factors to ask, and the client's users",
        params: z.object({ accountId: z.uuid() }),
        response: {
          200: z.object({
            policyText: z.array(z.string()),
            factors: z.array(z.object({ id: ZFactor, label: z.string() })),
            users: z.array(z.object({ userId: z.uuid(), name: z.string().nullable(), role: z.string() })),
          }),
        },
      },
    },
    async (request) => {
      const { accountId } = request.params;
      await requireClientAccount(kernel, accountId);
      const auth = authContext(request);

      return verificationSetup(kernel, { accountId, actor: { id: auth.id, role: auth.role } });
    },
  );

  app.post(
    '/api/accounts/:accountId/verifications',
    {
      schema: {
        tags: ['verification'],
        summary: 'CP-2: check a caller against the factors the policy names; pass or fail is audited, answers are not',
        params: z.object({ accountId: z.uuid() }),
        body: z.object({
          clientUserId: z.uuid(),
          answers: z.object({ email: z.string().max(320).optional(), phone: z.string().max(40).optional() }),
        }),
        response: {
          200: z.object({
            verificationId: z.uuid(),
            outcome: z.enum(['pass', 'fail']),
            factors: z.array(ZFactor),
            expiresAt: z.string().nullable(),
          }),
        },
      },
    },
    async (request) => {
      const { accountId } = request.params;
      await requireClientAccount(kernel, accountId);
      const auth = authContext(request);

      return verifyCaller(kernel, { accountId, actor: { id: auth.id, role: auth.role }, ...request.body });
    },
  );

  app.get(
    '/api/accounts/:accountId/account-details',
    {
      schema: {
        tags: ['verification'],
        summary: 'CP-2: account details for a caller, only with a passed verification from the last ten minutes',
        params: z.object({ accountId: z.uuid() }),
        querystring: z.object({ verification: z.uuid() }),
      },
    },
    async (request) => {
      const { accountId } = request.params;
      await requireClientAccount(kernel, accountId);
      const auth = authContext(request);

      return accountDetailsAfterVerification(kernel, {
        accountId,
        actor: { id: auth.id, role: auth.role },
        verificationId: request.query.verification,
      });
    },
  );
};
