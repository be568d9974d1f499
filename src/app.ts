/**
 * @module The composition root: the kernel plus every feature's routes, as one Fastify app.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { accountRoutes } from './accounts/routes.ts';
import { purgeExpiredSessions, resolveSession } from './auth/auth.ts';
import { authRoutes } from './auth/routes.ts';
import { SESSION_COOKIE } from './auth/sessions.ts';
import { callerVerificationRoutes } from './caller-verification/routes.ts';
import { CAMPAIGN_JOB, runCampaign } from './campaigns/campaigns.ts';
import { campaignRoutes } from './campaigns/routes.ts';
import { colleagueRoutes } from './colleagues/routes.ts';
import { consentRoutes } from './consent/routes.ts';
import { consentSubjectSource } from './consent/suppression.ts';
import { cookieRoutes } from './cookies/routes.ts';
import { deleteAllRoutes } from './delete-all/routes.ts';
import { exportRoutes } from './exports/routes.ts';
import { buildServer } from './kernel/http/server.ts';
import type { App } from './kernel/http/types.ts';
import type { Kernel } from './kernel/kernel.ts';
import { deliverPendingNotifications } from './messages/deliver-notifications.ts';
import { phoneMessagesSource } from './messages/read-messages.ts';
import { messageRoutes } from './messages/routes.ts';
import { contactNotesSource } from './notes/contact-notes.ts';
import { noteRoutes } from './notes/routes.ts';
import { sendDailyDigests } from './notifications/notifications.ts';
import { notificationRoutes } from './notifications/routes.ts';
import { policyAgreementsSource } from './policy/policy-versions.ts';
import { policyRoutes } from './policy/routes.ts';
import { portalRoutes } from './portal/routes.ts';
import { postItemsSource } from './post/read-post.ts';
import { postRoutes } from './post/routes.ts';
import { sweepRightsRequests } from './rights/rights-jobs.ts';
import { rightsRoutes } from './rights/routes.ts';
import { subjectRoutes } from './subjects/routes.ts';
import type { SubjectDataSource } from './subjects/subjects.ts';

export const WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'web');

/** Every feature that holds data about a person, so export and erasure reach all of it. */
export const SUBJECT_DATA_SOURCES: readonly SubjectDataSource[] = [
  contactNotesSource,
  policyAgreementsSource,
  phoneMessagesSource,
  postItemsSource,
  consentSubjectSource,
];

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
      colleagueRoutes(app, kernel);
      notificationRoutes(app, kernel);
      exportRoutes(app, kernel);
      deleteAllRoutes(app, kernel);
      policyRoutes(app, kernel);
      consentRoutes(app, kernel);
      campaignRoutes(app, kernel);
      cookieRoutes(app, kernel);
      messageRoutes(app, kernel);
      postRoutes(app, kernel);
      callerVerificationRoutes(app, kernel);
      rightsRoutes(app, kernel, SUBJECT_DATA_SOURCES);
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
  await kernel.jobs.work<{ campaignId: string }>(CAMPAIGN_JOB, async ({ campaignId }) => {
    await runCampaign(kernel, campaignId);
  });
  const enqueue = () =>
    kernel.jobs
      .send(
        'auth.purge-expired-sessions',
        {},
        { singletonKey: `purge-${Math.floor(kernel.clock.now().getTime() / HOUR)}`, singletonSeconds: HOUR / 1000 },
      )
      .catch(() => null);
  // Rights requests: reminders before due dates, routing retried, unverified requests shredded (hourly, idempotent).
  await kernel.jobs.work('rights.sweep', async () => {
    await sweepRightsRequests(kernel);
  });
  const enqueueRightsSweep = () =>
    kernel.jobs
      .send(
        'rights.sweep',
        {},
        { singletonKey: `rights-${Math.floor(kernel.clock.now().getTime() / HOUR)}`, singletonSeconds: HOUR / 1000 },
      )
      .catch(() => null);
  await kernel.jobs.work('notifications.daily-digest', async () => {
    await sendDailyDigests(kernel);
  });
  // Hourly, one job per day: the digest goes out at the first tick after 07:00 UTC (AS notifications).
  const enqueueDigest = () => {
    const now = kernel.clock.now();
    if (now.getUTCHours() < 7) return Promise.resolve(null);

    return kernel.jobs
      .send(
        'notifications.daily-digest',
        {},
        { singletonKey: `digest-${now.toISOString().slice(0, 10)}`, singletonSeconds: 24 * 3600 },
      )
      .catch(() => null);
  };
  // Urgent-message e-mails are sent right after the request commits; this sweeps up any a crash or an SMTP
  // failure left behind (each row is claimed before sending, so nothing goes twice).
  await kernel.jobs.work('messages.deliver-pending', async () => {
    await deliverPendingNotifications(kernel);
  });
  const sweepTimer = setInterval(() => {
    void kernel.jobs
      .send(
        'messages.deliver-pending',
        {},
        { singletonKey: `sweep-${Math.floor(kernel.clock.now().getTime() / 60_000)}`, singletonSeconds: 60 },
      )
      .catch(() => null);
  }, 60_000);
  sweepTimer.unref();
  await enqueue();
  await enqueueDigest();
  await enqueueRightsSweep();
  const timer = setInterval(() => {
    void enqueue();
    void enqueueDigest();
    void enqueueRightsSweep();
  }, HOUR);
  timer.unref();

  return () => {
    clearInterval(timer);
    clearInterval(sweepTimer);
  };
};
