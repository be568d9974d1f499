/**
 * A kernel for one test file: isolated database, random keys, a travelling clock, mail captured in memory
 * unless a real SMTP URL is given.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fixedClock, type TravelClock } from '../../src/kernel/clock.ts';
import { loadConfig } from '../../src/kernel/config.ts';
import { ephemeralKeyring, type Keyring } from '../../src/kernel/crypto/keyring.ts';
import { createKernel, type Kernel } from '../../src/kernel/kernel.ts';
import type { Mailer, OutgoingMail } from '../../src/kernel/mail/mailer.ts';
import { openTestDatabase, type TestDatabase } from './db.ts';

export type TestKernel = Kernel & { clock: TravelClock; db: TestDatabase; sent: OutgoingMail[]; dataDir: string };

export const createTestKernel = async (
  options: {
    env?: Record<string, string>;
    pgliteOnDisk?: boolean;
    start?: Date;
    mailer?: Mailer;
    keyring?: Keyring;
  } = {},
): Promise<TestKernel> => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-test-'));
  const db = await openTestDatabase(options.pgliteOnDisk ? { dataDir: path.join(dataDir, 'pgdata') } : {});
  const sent: OutgoingMail[] = [];
  // With SMTP_URL given (and no mailer), the kernel builds its real SMTP mailer; otherwise mail is captured here.
  const capture: Mailer = {
    send: async (mail) => {
      sent.push(mail);

      return { messageId: `<test-${sent.length}@custodian.test>` };
    },
    close: () => {},
  };
  const mailer = options.mailer ?? (options.env?.SMTP_URL ? undefined : capture);
  const clock = fixedClock(options.start ?? new Date('2026-11-23T09:00:00Z'));
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', COOKIE_SECURE: '0', ...options.env });
  const kernel = await createKernel(config, {
    db,
    clock,
    keyring: options.keyring ?? ephemeralKeyring(),
    ...(mailer ? { mailer } : {}),
  });

  return {
    ...kernel,
    clock,
    db,
    sent,
    dataDir,
    close: async () => {
      await kernel.close();
      await db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
};
