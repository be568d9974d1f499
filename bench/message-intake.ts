/**
 * @module `node bench/message-intake.ts` (also run at the end of `npm run bench`): phone-message intake over HTTP
 * against a real server at 127.0.0.1, under bounded load (autocannon, a fixed number of connections, each waiting
 * for its answer), on embedded PGlite (on disk) and on a PostgreSQL server when one answers.
 *
 * Three variants in the same run, against the same database:
 * - app: `POST /api/accounts/:id/messages` through the whole stack (session, role × route, CSRF, zod, caller match
 *   by blind index, subject + data key for a new caller, purpose check, sealing, search terms, audit chain).
 * - app stack, no-op: `GET /api/auth/me` through the same stack, which reads the session (one statement) and does
 *   nothing else: the most any route of the app can do on this machine, whatever the route's own work.
 * - bare: a bare Fastify route doing one `pg` INSERT of the same row, in plaintext, into a table of the same shape.
 *
 * Callers come from a pool of 2 000 numbers, so most calls are from a known caller, as at a real front desk.
 *
 * @example
 * node bench/message-intake.ts                       # 10 s per variant, 16 connections, writes BENCHMARKS.md
 * node bench/message-intake.ts --seconds 5 --connections 32 --no-write
 * node bench/message-intake.ts --db postgres --no-write  # one back end only (pglite | postgres | both)
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import pg from 'pg';
import { createClientAccount, ensureProviderAccount } from '../src/accounts/accounts.ts';
import { buildApp } from '../src/app.ts';
import { createUser } from '../src/auth/auth.ts';
import { loadConfig } from '../src/kernel/config.ts';
import { ephemeralKeyring } from '../src/kernel/crypto/keyring.ts';
import { openDatabase } from '../src/kernel/db/database.ts';
import { PROVIDER_ACCOUNT_ID } from '../src/kernel/db/schema.ts';
import { createKernel } from '../src/kernel/kernel.ts';
import type { Mailer } from '../src/kernel/mail/mailer.ts';
import { runUnderServerFlags, serverNodeFlags } from './server-flags.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPORT = path.join(ROOT, 'BENCHMARKS.md');
const BEGIN = '<!-- bench:message-intake:begin -->';
const END = '<!-- bench:message-intake:end -->';
const PASSWORD = 'bench password long enough';
const CALLERS = 2_000;
const SPREAD = 50;

const noMail: Mailer = { send: async () => ({ messageId: 'bench' }), close: () => {} };
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });

type Row = {
  backend: string;
  variant: string;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU of this Node process (server and load generator) per request: moves far less with the machine's load. */
  cpuUs: number;
};

const openFresh = async (kind: 'pglite' | 'postgres', databaseUrl: string) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-bench-intake-'));
  if (kind === 'pglite')
    return {
      db: await openDatabase({ dataDir }),
      dataDir,
      url: undefined,
      drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
    };
  const admin = new pg.Client({ connectionString: databaseUrl });
  try {
    await admin.connect();
  } catch {
    fs.rmSync(dataDir, { recursive: true, force: true });
    return null;
  }
  const name = `custodian_bench_intake_${crypto.randomBytes(4).toString('hex')}`;
  await admin.query(`create database ${name}`);
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: url.toString(), poolSize: 20 });
  // Dropping the database ends connections the pool has already let go of; that FATAL is expected.
  db.pool.on('error', () => {});

  return {
    db,
    dataDir,
    url: url.toString(),
    drop: async () => {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

const messageBody = () => {
  const n = crypto.randomInt(CALLERS);

  return JSON.stringify({
    callerName: `Bench Caller ${n}`,
    company: `Company ${n % 97}`,
    phone: `+44 7700 9${String(n).padStart(5, '0')}`,
    reason: 'Call back',
    message: 'Please call back about the delivery tomorrow morning; the side gate will be open.',
    urgency: 'normal',
    callbackRequested: true,
    idempotencyKey: crypto.randomUUID(),
  });
};

const load = async (
  url: string,
  headers: Record<string, string>,
  seconds: number,
  connections: number,
  paths?: string[],
  method: 'POST' | 'GET' = 'POST',
) => {
  const cpu = process.cpuUsage();
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [
      method === 'GET'
        ? { method, headers }
        : {
            method,
            headers: { 'content-type': 'application/json', ...headers },
            setupRequest: (req) => ({
              ...req,
              ...(paths ? { path: paths[crypto.randomInt(paths.length)] } : {}),
              body: messageBody(),
            }),
          },
    ],
  });

  const used = process.cpuUsage(cpu);
  if (result.non2xx > 0) console.error(`${url}: ${result.non2xx} non-2xx answers`, result.statusCodeStats);

  return {
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx + result.timeouts,
    cpuUs: (used.user + used.system) / Math.max(1, result.requests.total),
  };
};

const benchBackend = async (
  kind: 'pglite' | 'postgres',
  options: { databaseUrl: string; seconds: number; connections: number },
): Promise<Row[] | null> => {
  const fresh = await openFresh(kind, options.databaseUrl);
  if (!fresh) return null;
  const config = loadConfig({ DATA_DIR: fresh.dataDir, LOG_LEVEL: 'silent', COOKIE_SECURE: '0', JOBS: '0' });
  const kernel = await createKernel(config, { db: fresh.db, keyring: ephemeralKeyring(), mailer: noMail });
  const rows: Row[] = [];
  try {
    await ensureProviderAccount(kernel, 'Bench provider');
    const accountId = await createClientAccount(kernel, { name: 'Bench client' });
    // A front desk answers for many clients at once; each client's audit chain is appended one event at a time.
    const spread = [accountId];
    for (let i = 1; i < SPREAD; i += 1) spread.push(await createClientAccount(kernel, { name: `Bench client ${i}` }));
    await createUser(kernel, {
      accountId: PROVIDER_ACCOUNT_ID,
      role: 'receptionist',
      name: 'Bench Desk',
      email: 'desk@bench.test',
      password: PASSWORD,
    });
    const app = await buildApp(kernel);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const signIn = await fetch(`${base}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'desk@bench.test', password: PASSWORD }),
    });
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const { csrfToken } = (await signIn.json()) as { csrfToken: string };
    const appUrl = `${base}/api/accounts/${accountId}/messages`;
    // Warm up caches and JIT, then measure.
    await load(appUrl, { cookie, 'x-csrf-token': csrfToken }, 2, options.connections);
    rows.push({
      backend: kind,
      variant: 'app, one client',
      ...(await load(appUrl, { cookie, 'x-csrf-token': csrfToken }, options.seconds, options.connections)),
    });
    const spreadPaths = spread.map((id) => `/api/accounts/${id}/messages`);
    rows.push({
      backend: kind,
      variant: `app, ${SPREAD} clients`,
      ...(await load(base, { cookie, 'x-csrf-token': csrfToken }, options.seconds, options.connections, spreadPaths)),
    });
    // The stack's own ceiling: the same session check, CSRF-free GET, one statement, no intake at all.
    rows.push({
      backend: kind,
      variant: 'app stack, signed-in no-op (GET /api/auth/me)',
      ...(await load(`${base}/api/auth/me`, { cookie }, options.seconds, options.connections, undefined, 'GET')),
    });
    const stored = await kernel.db.system((trx) =>
      trx
        .selectFrom('phone_messages')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow(),
    );
    await app.close();

    // The floor: bare Fastify, one INSERT of the same row in plaintext, through the same pool.
    await kernel.db.executeSql(`create table bench_messages (id uuid primary key, account_id uuid not null, caller_name text, company text,
      phone text, reason text, body text not null, urgency text not null, callback_requested boolean not null, call_at timestamptz not null,
      idempotency_key text, created_at timestamptz not null)`);
    const bare = Fastify({ logger: false });
    bare.post('/messages', async (request, reply) => {
      const b = request.body as Record<string, string | boolean>;
      const now = new Date();
      await kernel.db.pool.query(
        'insert into bench_messages values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)',
        [
          crypto.randomUUID(),
          accountId,
          b.callerName,
          b.company,
          b.phone,
          b.reason,
          b.message,
          b.urgency,
          b.callbackRequested,
          now,
          b.idempotencyKey,
          now,
        ],
      );

      return reply.status(201).send({ ok: true });
    });
    await bare.listen({ host: '127.0.0.1', port: 0 });
    const bareUrl = `http://127.0.0.1:${(bare.server.address() as AddressInfo).port}/messages`;
    await load(bareUrl, {}, 2, options.connections);
    rows.push({
      backend: kind,
      variant: 'bare Fastify + pg INSERT',
      ...(await load(bareUrl, {}, options.seconds, options.connections)),
    });
    await bare.close();
    console.error(`${kind}: ${stored.n} messages stored by the app variant`);
  } finally {
    await kernel.close();
    await fresh.db.close();
    await fresh.drop();
  }

  return rows;
};

export const messageIntakeBench = async (opts: {
  write: boolean;
  seconds?: number;
  connections?: number;
  databaseUrl?: string;
  dbs?: readonly ('pglite' | 'postgres')[];
}) => {
  const seconds = opts.seconds ?? 10;
  const connections = opts.connections ?? 16;
  const databaseUrl =
    opts.databaseUrl ?? process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const rows: Row[] = [];
  for (const kind of opts.dbs ?? (['pglite', 'postgres'] as const)) {
    const result = await benchBackend(kind, { databaseUrl, seconds, connections });
    if (result) rows.push(...result);
    else console.error(`${kind}: no server at ${databaseUrl}, skipped`);
  }
  const block = [
    BEGIN,
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} with \`node bench/message-intake.ts\`: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ` +
      `Node ${process.version} ${serverNodeFlags().join(' ')} (the server's flags); autocannon in the same process as the server, ${connections} connections, ${seconds} s per variant after a 2 s warm-up.`,
    '',
    '| back end | variant | requests | req/s | p50 ms | p99 ms | errors | Node CPU µs / request |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.backend} | ${r.variant} | ${fmt(r.requests)} | ${fmt(r.rps)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.errors)} | ${fmt(r.cpuUs)} |`,
    ),
    '',
    END,
  ];
  console.log(block.slice(2, -1).join('\n'));
  if (opts.write) {
    const current = fs.readFileSync(REPORT, 'utf8');
    const from = current.indexOf(BEGIN);
    const to = current.indexOf(END);
    const next =
      from >= 0 && to > from
        ? `${current.slice(0, from)}${block.join('\n')}${current.slice(to + END.length)}`
        : `${current.trimEnd()}\n\n## Message intake over HTTP (issue 4)\n\n${block.join('\n')}\n`;
    fs.writeFileSync(REPORT, next);
  }

  return rows;
};

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runUnderServerFlags(import.meta.url);
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '10' },
      connections: { type: 'string', default: '16' },
      'database-url': { type: 'string' },
      db: { type: 'string', default: 'both' },
      'no-write': { type: 'boolean', default: false },
    },
  });
  await messageIntakeBench({
    write: !values['no-write'],
    seconds: Number(values.seconds),
    connections: Number(values.connections),
    databaseUrl: values['database-url'],
    dbs: values.db === 'both' ? undefined : [values.db === 'pglite' ? 'pglite' : 'postgres'],
  });
}
