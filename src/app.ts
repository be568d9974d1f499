/**
 * @module The composition root: the kernel plus every feature's routes, as one Fastify app.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { accountRoutes } from './accounts/routes.ts';
import { purgeExpiredSessions, resolveSession } from './auth/auth.ts';
import { authRoutes } from './auth/routes.ts';
import { SESSION_COOKIE } from './auth/sessions.ts';
import { buildServer } from './kernel/http/server.ts';
import type { App } from './kernel/http/types.ts';
import type { Kernel } from './kernel/kernel.ts';
import { contactNotesSource } from './notes/contact-notes.ts';
import { noteRoutes } from './notes/routes.ts';
import { policyAgreementsSource } from './policy/policy-versions.ts';
import { policyRoutes } from './policy/routes.ts';
import { portalRoutes } from './portal/routes.ts';
import { subjectRoutes } from './subjects/routes.ts';
import type { SubjectDataSource } from './subjects/subjects.ts';
import { sql } from 'kysely';

export const WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'web');

/** Every feature that holds data about a person, so export and erasure reach all of it. */
export const SUBJECT_DATA_SOURCES: readonly SubjectDataSource[] = [contactNotesSource, policyAgreementsSource];

export const buildApp = (kernel: Kernel): Promise<App> =>
  buildServer({
    logLevel: kernel.config.logLevel,
    cookieSecure: kernel.config.cookieSecure,
    sessionCookie: SESSION_COOKIE,
    resolveSession: (token) => resolveSession(kernel, token),
    webRoot: WEB_ROOT,
    healthcheck: async () => {
      await kernel.db.system((trx) => sql`select 1`.execute(trx));

      return { database: kernel.db.kind };
    },
    routes: (app) => {
      authRoutes(app, kernel);
      accountRoutes(app, kernel);
      noteRoutes(app, kernel);
      subjectRoutes(app, kernel, SUBJECT_DATA_SOURCES);
      portalRoutes(app, kernel);
      policyRoutes(app, kernel);
    },
  });

const HOUR = 3_600_000;

/**
 * Starts the job workers and the timers that enqueue periodic jobs. A singleton key per period makes a job
 * enqueued twice (two processes, a restart) run once.
 */
export const startBackgroundWork = async (kernel: Kernel): Promise<() => void> => {
  await kernel.jobs.start();
  await kernel.jobs.work('auth.purge-expired-sessions', async () => {
    await purgeExpiredSessions(kernel);
  });
  const enqueue = () =>
    kernel.jobs
      .send(
        'auth.purge-expired-sessions',
        {},
        { singletonKey: `purge-${Math.floor(kernel.clock.now().getTime() / HOUR)}`, singletonSeconds: HOUR / 1000 },
      )
      .catch(() => null);
  await enqueue();
  const timer = setInterval(() => void enqueue(), HOUR);
  timer.unref();

  return () => clearInterval(timer);
};
