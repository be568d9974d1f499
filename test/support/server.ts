/**
 * A real server on an ephemeral port over an isolated database, seeded with the demo tenant.
 */
import type { AddressInfo } from 'node:net';
import { buildApp } from '../../src/app.ts';
import { seedDemo } from '../../src/demo/seed-demo.ts';
import type { App } from '../../src/kernel/http/types.ts';
import type { Mailer } from '../../src/kernel/mail/mailer.ts';
import { createTestKernel, type TestKernel } from './kernel.ts';

export const TEST_PASSWORD = 'correct horse battery staple';

export type TestServer = {
  url: string;
  /** The Fastify app itself, for `app.inject` (which can set the client address that rate limits key on). */
  app: App;
  kernel: TestKernel;
  close(): Promise<void>;
  seed: {
    staff: { email: string; password: string };
    receptionist: { email: string; password: string };
    owner: { email: string; password: string };
    colleague: { email: string; password: string };
    accountId: string;
    otherAccountId: string;
    /** Every demo user: admin, receptionist, mailroom, privacy_officer, and the client accounts' owners and colleague. */
    users: { email: string; role: string; password: string }[];
  };
};

export const startTestServer = async (
  options: {
    mailer?: Mailer;
    cookieSecure?: boolean;
    /** Extra environment (e.g. SMTP_URL for a real SMTP sink, SMS_WEBHOOK_URL). */
    env?: Record<string, string>;
    /** PGlite writes under DATA_DIR/pgdata, so a test can grep the database files. */
    pgliteOnDisk?: boolean;
  } = {},
): Promise<TestServer> => {
  const kernel = await createTestKernel({
    mailer: options.mailer,
    pgliteOnDisk: options.pgliteOnDisk,
    env: { COOKIE_SECURE: options.cookieSecure === false ? '0' : '1', ...options.env },
  });
  const demo = await seedDemo(kernel, { password: TEST_PASSWORD });
  const app = await buildApp(kernel);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const login = (role: string) => ({
    email: demo.users.find((u) => u.role === role)?.email ?? '',
    password: TEST_PASSWORD,
  });

  return {
    url: `http://127.0.0.1:${port}`,
    app,
    kernel,
    close: async () => {
      await app.close();
      await kernel.close();
    },
    seed: {
      staff: login('privacy_officer'),
      receptionist: login('receptionist'),
      owner: login('owner'),
      colleague: login('colleague'),
      accountId: demo.accounts[0]?.id ?? '',
      otherAccountId: demo.accounts[1]?.id ?? '',
      users: demo.users.map((u) => ({ email: u.email, role: u.role, password: u.password })),
    },
  };
};
