/**
 * @module The HTTP shell: security headers, cookies, schema validation (which also yields the OpenAPI document),
 * the role × route check, CSRF, one error format, and the web app's static files.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { AppError, isAppError } from '../errors.ts';
import { ACCESS, routeKey } from './access.ts';
import type { App } from './types.ts';

export type SessionResolver<A> = (token: string) => Promise<A | null>;

export type ServerOptions<A extends { role: string; csrfToken: string }> = {
  logLevel: string;
  cookieSecure: boolean;
  sessionCookie: string;
  resolveSession: SessionResolver<A>;
  webRoot: string;
  routes: (app: App) => void;
  healthcheck: () => Promise<Record<string, unknown>>;
};

declare module 'fastify' {
  interface FastifyRequest {
    auth: unknown;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const buildServer = async <A extends { role: string; csrfToken: string }>(
  options: ServerOptions<A>,
): Promise<App> => {
  const app = Fastify({
    logger: {
      level: options.logLevel,
      // Paths only: query strings can carry e-mail addresses or phone numbers, and logs hold no personal data.
      serializers: {
        req: (req: FastifyRequest) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
      },
    },
    genReqId: () => crypto.randomUUID(),
    bodyLimit: 1_048_576,
    trustProxy: false,
  }).withTypeProvider() as unknown as App;

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('auth', null);

  const missing: string[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      if (!(routeKey(method, route.url) in ACCESS)) missing.push(routeKey(method, route.url));
    }
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        'default-src': ["'self'"],
        'img-src': ["'self'", 'data:', 'blob:'],
        'style-src': ["'self'", "'unsafe-inline'"],
      },
    },
  });
  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Custodian API', version: '0.1.0', description: 'Every route of the Custodian server.' },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: options.sessionCookie } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifyStatic, { root: options.webRoot, serve: false });

  app.addHook('onRequest', async (request) => {
    const token = request.cookies[options.sessionCookie];
    request.auth = token ? await options.resolveSession(token) : null;
  });

  // Before validation, so a caller without access learns nothing about the route's schema.
  app.addHook('preValidation', async (request) => {
    const url = request.routeOptions.url;
    if (!url) return;
    const access = ACCESS[routeKey(request.method === 'HEAD' ? 'GET' : request.method, url)];
    if (access === undefined) throw new AppError('FORBIDDEN', 'This route is not in the access table');
    if (access === 'public') return;
    const auth = request.auth as A | null;
    if (!auth) throw new AppError('UNAUTHENTICATED', 'Sign in first');
    if (access !== 'signed-in' && !(access as readonly string[]).includes(auth.role)) {
      throw new AppError('FORBIDDEN', 'Your role may not do this');
    }
    if (UNSAFE.has(request.method) && !sameToken(request.headers['x-csrf-token'], auth.csrfToken)) {
      throw new AppError('FORBIDDEN', 'Missing or wrong CSRF token (x-csrf-token header)', { csrf: true });
    }
  });

  // PostgreSQL text cannot hold a NUL character: refuse it here, naming the field, rather than fail in the database.
  app.addHook('preValidation', async (request) => {
    const fields: Record<string, string> = {};
    for (const [part, value] of [
      ['body', request.body],
      ['query', request.query],
      ['params', request.params],
    ] as const) {
      const where = nulAt(value, part);
      if (where) fields[where] = 'must not contain a NUL character';
    }
    if (Object.keys(fields).length > 0)
      throw new AppError('VALIDATION_FAILED', 'Some fields are not valid', { fields });
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isAppError(error)) return reply.status(error.status).send(error.toBody());
    if (hasZodFastifySchemaValidationErrors(error)) {
      const fields: Record<string, string> = {};
      for (const issue of error.validation) {
        const where = issue.instancePath.replace(/^\//, '').replace(/\//g, '.');
        fields[`${error.validationContext ?? 'body'}${where ? `.${where}` : ''}`] = issue.message ?? 'invalid';
      }

      return reply
        .status(400)
        .send({ code: 'VALIDATION_FAILED', message: 'Some fields are not valid', details: { fields } });
    }
    const status = error.statusCode ?? 500;
    if (status === 429) {
      return reply
        .status(429)
        .send({ code: 'RATE_LIMITED', message: 'Too many requests: slow down and try again', details: {} });
    }
    if (status === 413)
      return reply.status(413).send({ code: 'PAYLOAD_TOO_LARGE', message: 'The request is too large', details: {} });
    if (status >= 400 && status < 500) {
      return reply.status(status).send({ code: 'BAD_REQUEST', message: publicMessage(error), details: {} });
    }
    request.log.error({ err: { type: error.name, code: error.code, stack: error.stack } }, 'unhandled error');

    return reply.status(500).send({ code: 'INTERNAL', message: 'Something went wrong on our side', details: {} });
  });

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok', ...(await options.healthcheck()) }));
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  options.routes(app);

  const indexHtml = path.join(options.webRoot, 'index.html');
  app.setNotFoundHandler(async (request, reply) => {
    const pathname = decodeURIComponent(request.url.split('?')[0] ?? '/');
    if (pathname.startsWith('/api/') || request.method !== 'GET') {
      return reply.status(404).send({ code: 'NOT_FOUND', message: 'No such route', details: {} });
    }
    const file = path.normalize(path.join(options.webRoot, pathname));
    if (file.startsWith(options.webRoot + path.sep) && fs.existsSync(file) && fs.statSync(file).isFile()) {
      const immutable = pathname.startsWith('/assets/');

      return reply.sendFile(path.relative(options.webRoot, file), {
        maxAge: immutable ? 31_536_000_000 : 0,
        immutable,
      });
    }
    if (!fs.existsSync(indexHtml))
      return reply.type('text/plain').send('The web app is not built: run `npm run build`.');

    return reply.header('cache-control', 'no-store').sendFile('index.html');
  });

  await app.ready();
  if (missing.length > 0) throw new Error(`Routes missing from the access table: ${missing.join(', ')}`);

  return app;
};

/** The dotted path of the first string holding U+0000 in a parsed body, query or path, if any. */
const nulAt = (value: unknown, at: string): string | null => {
  if (typeof value === 'string') return value.includes('\u0000') ? at : null;
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return null;
  for (const [key, inner] of Object.entries(value)) {
    const found = nulAt(inner, `${at}.${key}`);
    if (found) return found;
  }

  return null;
};

const sameToken = (given: string | string[] | undefined, expected: string) => {
  if (typeof given !== 'string' || given.length !== expected.length) return false;

  return crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected));
};

const publicMessage = (error: FastifyError) => {
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 'Send the body as application/json';
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return 'The request body is empty';
  if (error.code?.startsWith('FST_ERR_CTP')) return 'The request body could not be read';

  return 'The request could not be handled';
};
