/**
 * @module The one place that reads the environment. Everything else receives a frozen `Config`.
 *
 * @example
 * const config = loadConfig(process.env) // throws ConfigError naming the bad variable
 */
import path from 'node:path';
import { z } from 'zod';

const booleanFlag = z
  .enum(['0', '1', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const ZEnv = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  CUSTODIAN_DEMO: booleanFlag.default(false),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  MAIL_FROM: z.string().min(3).default('Custodian <no-reply@custodian.invalid>'),
  PUBLIC_URL: z.string().url().optional(),
  /** 32 random bytes, base64. When absent a key file is created under DATA_DIR/keys. */
  CUSTODIAN_MASTER_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes encoded as base64')
    .optional(),
  CUSTODIAN_BLIND_INDEX_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes encoded as base64')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(12),
  /** Off only for tests over plain http that are not a browser. Browsers accept Secure cookies on 127.0.0.1. */
  COOKIE_SECURE: booleanFlag.default(true),
  JOBS: booleanFlag.default(true),
  /** The business's policy file (YAML); policies/answering-service.yaml when unset. */
  POLICY_FILE: z.string().min(1).optional(),
  /** Largest scan or photo accepted for a post item, in megabytes. */
  UPLOAD_LIMIT_MB: z.coerce.number().min(0.1).max(100).default(10),
  /** SMS gateway webhook for urgent messages; plain http only to this machine (a local relay, tests). */
  SMS_WEBHOOK_URL: z
    .string()
    .url('must be a URL')
    .refine(
      (v) => /^https:\/\//.test(v) || /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/.test(v),
      'must start with https:// (http:// only to 127.0.0.1, [::1] or localhost)',
    )
    .optional(),
  /** Sent as `Authorization: Bearer …` to SMS_WEBHOOK_URL. */
  SMS_WEBHOOK_TOKEN: z.string().min(8, 'must be at least 8 characters').optional(),
});

export type Config = Readonly<{
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  demo: boolean;
  smtpUrl: string | undefined;
  mailFrom: string;
  publicUrl: string;
  masterKey: string | undefined;
  blindIndexKey: string | undefined;
  logLevel: z.infer<typeof ZEnv>['LOG_LEVEL'];
  sessionTtlHours: number;
  cookieSecure: boolean;
  jobs: boolean;
  /** Absolute path of the policy file, or undefined for the default example policy. */
  policyFile: string | undefined;
  uploadLimitBytes: number;
  /** Where urgent-message SMS are posted; undefined means no SMS is sent. */
  smsWebhookUrl: string | undefined;
  smsWebhookToken: string | undefined;
}>;

export class ConfigError extends Error {
  readonly variable: string;

  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

/** Parses the environment once; the first invalid variable stops start-up with its name in the message. */
export const loadConfig = (env: Record<string, string | undefined>, overrides: Partial<Config> = {}): Config => {
  const relevant = Object.fromEntries(Object.keys(ZEnv.shape).map((key) => [key, emptyToUndefined(env[key])]));
  const parsed = ZEnv.safeParse(relevant);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(String(issue?.path[0] ?? 'environment'), issue?.message ?? 'invalid');
  }
  const e = parsed.data;
  if (e.SMS_WEBHOOK_TOKEN && !e.SMS_WEBHOOK_URL) {
    throw new ConfigError('SMS_WEBHOOK_TOKEN', 'is set but SMS_WEBHOOK_URL is not');
  }
  const port = overrides.port ?? e.PORT;
  const host = overrides.host ?? e.HOST;

  return Object.freeze({
    port,
    host,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    demo: e.CUSTODIAN_DEMO,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    publicUrl: e.PUBLIC_URL ?? `http://${host}:${port}`,
    masterKey: e.CUSTODIAN_MASTER_KEY,
    blindIndexKey: e.CUSTODIAN_BLIND_INDEX_KEY,
    logLevel: e.LOG_LEVEL,
    sessionTtlHours: e.SESSION_TTL_HOURS,
    cookieSecure: e.COOKIE_SECURE,
    jobs: e.JOBS,
    policyFile: e.POLICY_FILE === undefined ? undefined : path.resolve(e.POLICY_FILE),
    uploadLimitBytes: Math.round(e.UPLOAD_LIMIT_MB * 1_048_576),
    smsWebhookUrl: e.SMS_WEBHOOK_URL,
    smsWebhookToken: e.SMS_WEBHOOK_TOKEN,
    ...overrides,
  });
};

const emptyToUndefined = (value: string | undefined) => (value === '' ? undefined : value);
