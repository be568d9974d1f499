import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { AppError } from '../kernel/errors.ts';
import type { App } from '../kernel/http/types.ts';
import type { Kernel } from '../kernel/kernel.ts';
import {
  type AuthContext,
  completeTotp,
  enableTotp,
  resolveSession,
  type SessionUser,
  setupTotp,
  signIn,
  signOut,
} from './auth.ts';
import { SESSION_COOKIE } from './sessions.ts';

const ZUser = z.object({
  id: z.uuid(),
  role: z.string(),
  kind: z.enum(['staff', 'client']),
  accountId: z.uuid(),
  accountName: z.string(),
  displayName: z.string(),
});
const ZSignedIn = z.object({ user: ZUser, csrfToken: z.string() });

export const authContext = (request: { auth: unknown }): AuthContext => {
  if (!request.auth) throw new AppError('UNAUTHENTICATED', 'Sign in first');

  return request.auth as AuthContext;
};

const publicUser = (auth: AuthContext): SessionUser => ({
  id: auth.id,
  role: auth.role,
  kind: auth.kind,
  accountId: auth.accountId,
  accountName: auth.accountName,
  displayName: auth.displayName,
});

export const authRoutes = (app: App, kernel: Kernel) => {
  const setCookie = (reply: FastifyReply, token: string) =>
    reply.setCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      secure: kernel.config.cookieSecure,
      sameSite: 'strict',
      path: '/',
      maxAge: kernel.config.sessionTtlHours * 3600,
    });

  const signedIn = async (reply: FastifyReply, token: string, csrfToken: string) => {
    setCookie(reply, token);
    const auth = await resolveSession(kernel, token);
    if (!auth) throw new AppError('UNAUTHENTICATED', 'Sign in again');

    return { user: publicUser(auth), csrfToken };
  };

  app.post(
    '/api/auth/sign-in',
    {
      config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with e-mail and password',
        body: z.object({ email: z.string().trim().min(3).max(320), password: z.string().min(1).max(1024) }),
        response: { 200: ZSignedIn },
      },
    },
    async (request, reply) => {
      const result = await signIn(kernel, request.body);
      if (result.mfaRequired) {
        setCookie(reply, result.token);
        throw new AppError('MFA_REQUIRED', 'Enter the code from your authenticator app', { mfa: 'totp' });
      }

      return signedIn(reply, result.token, result.csrfToken);
    },
  );

  app.post(
    '/api/auth/totp',
    {
      config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        summary: 'Second step of sign-in: the TOTP code',
        body: z.object({ code: z.string().regex(/^\d{6}$/, 'six digits') }),
        response: { 200: ZSignedIn },
      },
    },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (!token) throw new AppError('UNAUTHENTICATED', 'Sign in again');
      const result = await completeTotp(kernel, { token, code: request.body.code });

      return signedIn(reply, result.token, result.csrfToken);
    },
  );

  app.post(
    '/api/auth/sign-out',
    { schema: { tags: ['auth'], summary: 'End this session' } },
    async (request, reply) => {
      await signOut(kernel, authContext(request));
      reply.clearCookie(SESSION_COOKIE, { path: '/' });

      return reply.status(204).send();
    },
  );

  app.get(
    '/api/auth/me',
    { schema: { tags: ['auth'], summary: 'The signed-in user', response: { 200: ZSignedIn } } },
    async (request) => {
      const auth = authContext(request);

      return { user: publicUser(auth), csrfToken: auth.csrfToken };
    },
  );

  app.post(
    '/api/auth/totp/setup',
    {
      schema: {
        tags: ['auth'],
        summary: 'Start TOTP enrolment',
        response: { 200: z.object({ secret: z.string(), uri: z.string() }) },
      },
    },
    async (request) => setupTotp(kernel, authContext(request)),
  );

  app.post(
    '/api/auth/totp/enable',
    {
      schema: {
        tags: ['auth'],
        summary: 'Confirm TOTP enrolment with a first code',
        body: z.object({ code: z.string().regex(/^\d{6}$/) }),
      },
    },
    async (request, reply) => {
      await enableTotp(kernel, authContext(request), request.body.code);

      return reply.status(204).send();
    },
  );
};
