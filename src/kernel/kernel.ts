/**
 * @module The kernel's services bundled as one dependency object, built once at start-up (or per test).
 * Use cases take `Kernel` (or a `Pick` of it) as their first argument.
 *
 * @example
 * const kernel = await createKernel(loadConfig(process.env))
 */
import { DEFAULT_POLICY_FILE, type LoadedPolicy, loadPolicyFile, toDecisionPolicy } from '../policy/policy-loader.ts';
import { type Clock, systemClock } from './clock.ts';
import type { Config } from './config.ts';
import { type Keyring, loadKeyring } from './crypto/keyring.ts';
import { createVault, type Vault } from './crypto/vault.ts';
import { type Database, openDatabase } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { createJobs, type Jobs } from './jobs/jobs.ts';
import { createMailer, type Mailer } from './mail/mailer.ts';
import type { Policy } from './policy/policy.ts';
import { createSmsSender, type SmsSender } from './sms/sms.ts';

export type Kernel = Readonly<{
  config: Config;
  db: Database;
  clock: Clock;
  vault: Vault;
  keyring: Keyring;
  policy: Policy;
  /** The policy file the decision function was derived from; `/privacy` and the ROPA render it. */
  policyFile: LoadedPolicy;
  mailer: Mailer;
  /** Null when no SMS provider is configured (`SMS_WEBHOOK_URL`): then no SMS is queued or sent. */
  sms: SmsSender | null;
  jobs: Jobs;
  close(): Promise<void>;
}>;

export type KernelOverrides = Partial<{
  db: Database;
  clock: Clock;
  keyring: Keyring;
  mailer: Mailer;
  sms: SmsSender | null;
  policy: Policy;
  policyFile: LoadedPolicy;
}>;

export const createKernel = async (config: Config, overrides: KernelOverrides = {}): Promise<Kernel> => {
  // Read before anything opens: an invalid policy file stops start-up with every problem listed.
  const policyFile = overrides.policyFile ?? loadPolicyFile(config.policyFile ?? DEFAULT_POLICY_FILE);
  const db =
    overrides.db ??
    (await openDatabase(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir }));
  await migrate(db);
  const keyring = overrides.keyring ?? loadKeyring({ ...config });
  const mailer =
    overrides.mailer ?? createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, dataDir: config.dataDir });
  const jobs = createJobs(db);
  let jobsStarted = false;

  return Object.freeze({
    config,
    db,
    clock: overrides.clock ?? systemClock,
    vault: createVault({ keyring }),
    keyring,
    policy: overrides.policy ?? toDecisionPolicy(policyFile.file),
    policyFile,
    mailer,
    sms:
      overrides.sms === undefined
        ? createSmsSender({ webhookUrl: config.smsWebhookUrl, token: config.smsWebhookToken })
        : overrides.sms,
    jobs: {
      ...jobs,
      start: async () => {
        await jobs.start();
        jobsStarted = true;
      },
    },
    close: async () => {
      if (jobsStarted) await jobs.stop();
      mailer.close();
      if (!overrides.db) await db.close();
    },
  });
};
