/**
 * @module `custodian` on the command line. Each command validates its flags and names the bad one on error.
 *
 * @example
 * npx custodian user:create --email avery@example.test --name "Avery Quinn" --role admin
 */
import path from 'node:path';
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { z } from 'zod';
import { ensureProviderAccount } from '../accounts/accounts.ts';
import { buildApp, startBackgroundWork } from '../app.ts';
import { createUser, randomPassword } from '../auth/auth.ts';
import { createBackup, readLedgerFromBackup, restoreBackup } from '../backup/backup.ts';
import { runConsentCommand } from '../consent/consent-cli.ts';
import { DEMO_PROVIDER_NAME, type DemoCredentials, seedDemo } from '../demo/seed-demo.ts';
import { verifyAuditChains } from '../kernel/audit/audit.ts';
import { type Config, ConfigError, loadConfig } from '../kernel/config.ts';
import { openDatabase } from '../kernel/db/database.ts';
import { migrate } from '../kernel/db/migrate.ts';
import { PROVIDER_ACCOUNT_ID } from '../kernel/db/schema.ts';
import { isAppError } from '../kernel/errors.ts';
import { createKernel } from '../kernel/kernel.ts';
import { runPolicyCommand } from '../policy/policy-cli.ts';
import { ensureBaselineVersion } from '../policy/policy-versions.ts';
import { runRightsCommand } from '../rights/rights-cli.ts';

type Env = Record<string, string | undefined>;
type Out = { log: (line: string) => void; error: (line: string) => void };

const HELP = `custodian — run an answering service or virtual office that keeps its privacy promises

Usage: custodian <command> [options]

Commands:
  start [--demo] [--port N] [--policy FILE]
                                Serve the app (default http://127.0.0.1:3000); --demo seeds a demo tenant;
                                --policy picks the policy file (default policies/answering-service.yaml)
  migrate                       Apply database migrations and exit
  demo                          Create the demo tenant and print its sign-in e-mails and passwords
  user:create                   Create a user: --email E --name N --role R [--account ID] [--password P]
                                (staff roles: admin, receptionist, mailroom, billing, support, privacy_officer;
                                 client roles, with --account: owner, colleague)
  audit:verify                  Check every account's audit hash chain; names the first broken event
  backup --out DIR [--keys-out DIR]
                                Write a data backup (no keys); the key store only with --keys-out, kept apart
  restore --from DIR [--keys-from DIR] [--ledger-from DIR]
                                Restore into an empty database; erasures in the newer backup's ledger are replayed
  policy check FILE             Validate a policy file (exit 1 with every problem listed)
  policy ropa FILE --format xlsx|csv [--out PATH]
                                Write the record of processing (Art. 30)
  policy publish FILE           Publish FILE as the next privacy-notice version; material changes are e-mailed
  consent import FILE.csv --account ID [--source TEXT]
                                Import a marketing list (columns name, email, phone, channels, topics); suppressed
                                addresses are skipped; a bad row is named by line and nothing is written
  rights queue [--status S] [--kind K]
                                The rights-request queue, soonest due first (ids, kinds, dates; no personal data)
  rights log --kind K --email E --channel phone|email|post [--verified-by phone|document --note TEXT]
                                Log a request received by phone, e-mail or post, with the identity check made
  rights sweep                  Send due reminders, retry routing, purge unverified requests and expired packages
  help                          Show this text

Environment: PORT, HOST, DATA_DIR (./data), DATABASE_URL (PostgreSQL; PGlite under DATA_DIR when unset),
  CUSTODIAN_DEMO=1, SMTP_URL (mail goes to DATA_DIR/outbox when unset), MAIL_FROM, PUBLIC_URL,
  CUSTODIAN_MASTER_KEY and CUSTODIAN_BLIND_INDEX_KEY (base64, 32 bytes; created under DATA_DIR/keys when unset),
  LOG_LEVEL, SESSION_TTL_HOURS, POLICY_FILE (the policy file; policies/answering-service.yaml when unset).`;

export const main = async (argv: string[], env: Env, out: Out = console): Promise<number> => {
  const [command = 'help', ...rest] = argv;
  try {
    switch (command) {
      case 'help':
      case '--help':
      case '-h':
        out.log(HELP);

        return 0;
      case 'start':
        return await start(rest, env, out);
      case 'migrate':
        return await runMigrate(env, out);
      case 'demo':
        return await runDemo(env, out);
      case 'user:create':
        return await userCreate(rest, env, out);
      case 'backup':
        return await runBackup(rest, env, out);
      case 'restore':
        return await runRestore(rest, env, out);
      case 'audit:verify':
        return await auditVerify(env, out);
      case 'policy':
        return await runPolicyCommand(rest, env, out);
      case 'consent':
        return await runConsentCommand(rest, env, out);
      case 'rights':
        return await runRightsCommand(rest, env, out);
      default:
        out.error(`Unknown command "${command}". Run \`custodian --help\` for the list.`);

        return 2;
    }
  } catch (error) {
    if (error instanceof ConfigError) out.error(`Configuration error: ${error.message}`);
    else if (isAppError(error)) out.error(`${error.message}${fieldsOf(error.details)}`);
    else if (error instanceof CliError) out.error(error.message);
    else out.error(`Failed: ${error instanceof Error ? error.message : String(error)}`);

    return 1;
  }
};

class CliError extends Error {}

const fieldsOf = (details: Record<string, unknown>) => {
  const fields = details.fields as Record<string, string> | undefined;

  return fields
    ? ` (${Object.entries(fields)
        .map(([k, v]) => `--${k}: ${v}`)
        .join('; ')})`
    : '';
};

const flags = <T extends z.ZodRawShape>(args: string[], shape: T, options: ParseArgsOptionsConfig) => {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
  const parsed = z.object(shape).safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0]);
    throw new CliError(`--${name}: ${values[name] === undefined ? 'is required' : issue?.message}`);
  }

  return parsed.data;
};

const start = async (args: string[], env: Env, out: Out) => {
  const opts = flags(
    args,
    {
      demo: z.boolean().optional(),
      port: z.coerce.number().int().min(0).max(65535).optional(),
      policy: z.string().min(1).optional(),
    },
    { demo: { type: 'boolean' }, port: { type: 'string' }, policy: { type: 'string' } },
  );
  const config = loadConfig(env, {
    ...(opts.port === undefined ? {} : { port: opts.port }),
    ...(opts.policy === undefined ? {} : { policyFile: path.resolve(opts.policy) }),
  });
  const kernel = await createKernel(config);
  await ensureBaselineVersion(kernel);
  await ensureProviderAccount(kernel, DEMO_PROVIDER_NAME);
  if (opts.demo || config.demo) printDemo(out, await seedDemo(kernel, { officeSamples: true }));
  const app = await buildApp(kernel);
  await app.listen({ host: config.host, port: config.port });
  const stopBackground = config.jobs ? await startBackgroundWork(kernel) : () => {};
  out.log(
    `Custodian is running at ${config.publicUrl} (database: ${kernel.db.kind}${kernel.db.kind === 'pglite' ? ` in ${config.dataDir}` : ''})`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  stopBackground();
  await app.close();
  await kernel.close();

  return 0;
};

const withDatabase = async <T>(config: Config, fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>) => {
  const db = await openDatabase(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
};

const runMigrate = async (env: Env, out: Out) => {
  const applied = await withDatabase(loadConfig(env), (db) => migrate(db));
  out.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');

  return 0;
};

const runDemo = async (env: Env, out: Out) => {
  const kernel = await createKernel(loadConfig(env));
  try {
    await ensureProviderAccount(kernel, DEMO_PROVIDER_NAME);
    printDemo(out, await seedDemo(kernel, { officeSamples: true }));
  } finally {
    await kernel.close();
  }

  return 0;
};

const printDemo = (out: Out, demo: DemoCredentials) => {
  if (!demo.created) {
    out.log('The demo tenant exists already; its passwords were printed when it was created.');

    return;
  }
  out.log('Demo tenant created. Sign in with:');
  for (const u of demo.users) out.log(`  ${u.role.padEnd(16)} ${u.email.padEnd(28)} ${u.password}   (${u.account})`);
};

const userCreate = async (args: string[], env: Env, out: Out) => {
  const opts = flags(
    args,
    {
      email: z.email('must be an e-mail address'),
      name: z.string().trim().min(1, 'is required'),
      role: z.enum([
        'admin',
        'receptionist',
        'mailroom',
        'billing',
        'support',
        'privacy_officer',
        'owner',
        'colleague',
      ]),
      account: z.uuid('must be an account id').optional(),
      password: z.string().min(12, 'needs at least 12 characters').optional(),
    },
    {
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      account: { type: 'string' },
      password: { type: 'string' },
    },
  );
  const kernel = await createKernel(loadConfig(env));
  try {
    await ensureProviderAccount(kernel, DEMO_PROVIDER_NAME);
    const password = opts.password ?? randomPassword();
    const { userId } = await createUser(kernel, {
      accountId: opts.account ?? PROVIDER_ACCOUNT_ID,
      role: opts.role,
      name: opts.name,
      email: opts.email,
      password,
    });
    out.log(`Created ${opts.role} ${userId}${opts.password ? '' : `; password: ${password}`}`);
  } finally {
    await kernel.close();
  }

  return 0;
};

const auditVerify = async (env: Env, out: Out) => {
  const reports = await withDatabase(loadConfig(env), (db) => verifyAuditChains(db));
  let broken = 0;
  for (const r of reports) {
    if (r.ok) out.log(`ok      ${r.accountId}  ${r.events} events`);
    else {
      broken += 1;
      out.error(`BROKEN  ${r.accountId}  at event ${r.brokenAt?.seq}: ${r.brokenAt?.reason}`);
    }
  }
  out.log(broken ? `${broken} of ${reports.length} chains are broken.` : `All ${reports.length} chains verify.`);

  return broken ? 1 : 0;
};

const runBackup = async (args: string[], env: Env, out: Out) => {
  const opts = flags(
    args,
    { out: z.string().min(1, 'is required'), 'keys-out': z.string().min(1).optional() },
    {
      out: { type: 'string' },
      'keys-out': { type: 'string' },
    },
  );
  const kernel = await createKernel(loadConfig(env));
  try {
    const { data, keys } = await createBackup(kernel, {
      dataDir: path.resolve(opts.out),
      keysDir: opts['keys-out'] && path.resolve(opts['keys-out']),
    });
    out.log(
      `Data backup: ${data.tables.length} tables, ${data.tables.reduce((n, t) => n + t.rows, 0)} rows in ${path.resolve(opts.out)}`,
    );
    if (keys)
      out.log(
        `Key store: ${keys.tables[0]?.rows ?? 0} keys in ${path.resolve(opts['keys-out'] ?? '')} (store apart, keep briefly)`,
      );
  } finally {
    await kernel.close();
  }

  return 0;
};

const runRestore = async (args: string[], env: Env, out: Out) => {
  const opts = flags(
    args,
    {
      from: z.string().min(1, 'is required'),
      'keys-from': z.string().min(1).optional(),
      'ledger-from': z.string().min(1).optional(),
    },
    { from: { type: 'string' }, 'keys-from': { type: 'string' }, 'ledger-from': { type: 'string' } },
  );
  const kernel = await createKernel(loadConfig(env));
  try {
    const result = await restoreBackup(kernel, {
      dataDir: path.resolve(opts.from),
      keysDir: opts['keys-from'] && path.resolve(opts['keys-from']),
      replayLedger: opts['ledger-from'] ? await readLedgerFromBackup(path.resolve(opts['ledger-from'])) : [],
    });
    out.log(`Restored ${result.rows} rows in ${result.tables} tables; replayed ${result.replayed} later erasures.`);
  } finally {
    await kernel.close();
  }

  return 0;
};
