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
  /** S3-compatible bucket for sealed scans (see s3Location); DATA_DIR/files when unset. */
  S3_URL: z
    .string()
    .transform((v, ctx) => {
      const parsed = s3Location(v);
      if (typeof parsed === 'string') {
        ctx.addIssue({ code: 'custom', message: parsed });

        return z.NEVER;
      }

      return parsed;
    })
    .optional(),
});

/** Where sealed files go when `S3_URL` is set. The secret is only ever used to sign, never sent or logged. */
export type S3Location = Readonly<{
  /** `https://host[:port]`, without credentials or path. */
  endpoint: string;
  bucket: string;
  /** Folder inside the bucket (no leading or trailing slash), or '' for the bucket's root. */
  prefix: string;
  region: string;
  /** true: `endpoint/bucket/key`; false: `bucket.host/key` (virtual-hosted). */
  pathStyle: boolean;
  accessKeyId: string;
  secretAccessKey: string;
}>;

const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const S3_QUERY = new Set(['region', 'path_style']);

/**
 * Parses `S3_URL` = `https://ACCESS_KEY_ID:SECRET@host[:port]/bucket[/prefix]?region=eu-west-2&path_style=true`
 * (key and secret percent-encoded). Returns the problem as text, which never repeats the value (it holds a secret).
 */
const s3Location = (value: string): S3Location | string => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be a URL like https://KEY_ID:SECRET@host/bucket?region=REGION';
  }
  const loopback = /^(127\.0\.0\.1|localhost|\[::1\])$/.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    return 'must start with https:// (http:// only to 127.0.0.1, [::1] or localhost)';
  }
  if (!url.username || !url.password) return 'must carry the access key id and secret as https://KEY_ID:SECRET@host/…';
  const [bucket = '', ...prefix] = url.pathname.split('/').slice(1);
  if (!S3_BUCKET.test(bucket)) return 'must name the bucket as the first path segment (3-63 of a-z 0-9 . -)';
  const folder = prefix.join('/').replace(/\/$/, '');
  if (folder.split('/').some((s) => s === '.' || s === '..' || (folder !== '' && s === ''))) {
    return 'has an invalid folder after the bucket name';
  }
  if (url.hash) return 'must not have a #fragment';
  for (const name of url.searchParams.keys()) {
    if (!S3_QUERY.has(name)) return `has an unknown option "${name}" (known: region, path_style)`;
  }
  const region = url.searchParams.get('region') ?? 'us-east-1';
  if (!/^[a-z0-9-]{1,40}$/.test(region)) return 'has an invalid region (e.g. region=eu-west-2)';
  const pathStyle = url.searchParams.get('path_style') ?? 'true';
  if (!['true', 'false', '1', '0'].includes(pathStyle)) return 'path_style must be true or false';
  try {
    return {
      endpoint: url.origin,
      bucket,
      prefix: decodeURIComponent(folder),
      region,
      pathStyle: pathStyle === 'true' || pathStyle === '1',
      accessKeyId: decodeURIComponent(url.username),
      secretAccessKey: decodeURIComponent(url.password),
    };
  } catch {
    return 'has a badly percent-encoded key id, secret or folder';
  }
};

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
  /** The S3-compatible bucket for sealed files; undefined keeps them under DATA_DIR/files. */
  s3: S3Location | undefined;
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
    s3: e.S3_URL,
    ...overrides,
  });
};

const emptyToUndefined = (value: string | undefined) => (value === '' ? undefined : value);
