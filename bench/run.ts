/**
 * @module `npm run bench`: encrypted, audited contact notes written per second through the repository layer,
 * against raw `pg` inserts of the same records, on embedded PGlite (on disk) and on a PostgreSQL server.
 *
 * Variants, each into empty tables of one fresh database, one record after another on one connection:
 * - repository: `recordContactNote`, as the HTTP route calls it: one tenant transaction per record that looks the
 *   person up by blind index, creates them (data key, sealed fields, audit event) when new, checks the purpose,
 *   seals and inserts the note and appends its audit event to the account's hash chain.
 * - raw, per row: the same records as plaintext into tables of the same shape (subject when new, then the note),
 *   no look-up, no key, no audit; one transaction per record, so both pay the same number of commits.
 * - raw, batched: the same rows, 500 records per transaction, multi-row INSERTs (a ceiling, not a fair match).
 *
 * Results are printed and written between the markers in BENCHMARKS.md (unless --no-write).
 *
 * @example
 * npm run bench                                  # a 20 000-row slice of tier S, PGlite and PostgreSQL
 * npm run bench -- --tier S --db postgres        # all 400 000 rows of tier S
 * npm run bench -- --rows 2000 --db pglite --no-write
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createClientAccount } from '../src/accounts/accounts.ts';
import { verifyAuditChains } from '../src/kernel/audit/audit.ts';
import { systemClock } from '../src/kernel/clock.ts';
import { loadConfig } from '../src/kernel/config.ts';
import { ephemeralKeyring } from '../src/kernel/crypto/keyring.ts';
import { type Database, openDatabase } from '../src/kernel/db/database.ts';
import { createKernel, type Kernel } from '../src/kernel/kernel.ts';
import type { Mailer } from '../src/kernel/mail/mailer.ts';
import { recordContactNote } from '../src/notes/contact-notes.ts';
import {
  contactNoteRecords,
  type NoteRecord,
  personUuid,
  ROWS_PER_NEW_PERSON,
  ROWS_PER_NOTE,
  TIERS,
  type Tier,
  type TierName,
  tierRows,
} from './generate.ts';
import { runUnderServerFlags } from './server-flags.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPORT = path.join(ROOT, 'BENCHMARKS.md');
/** One block per scope in BENCHMARKS.md: slices of a tier share one, each whole tier has its own. */
const markers = (scope: string) => ({
  begin: `<!-- bench:contact-notes:${scope}:begin -->`,
  end: `<!-- bench:contact-notes:${scope}:end -->`,
});
/** The default run: a slice of tier S that keeps `npm run bench` to a couple of minutes on two cores. */
const DEFAULT_SLICE_ROWS = 20_000;
const BATCH = 500;

type DbKind = 'pglite' | 'postgres';

type Options = {
  tier: Tier;
  rows: number;
  sliced: boolean;
  dbs: DbKind[];
  seed: number;
  databaseUrl: string;
  write: boolean;
  command: string;
};

type Result = {
  db: DbKind;
  variant: 'repository' | 'raw, per row' | 'raw, batched';
  records: number;
  rows: number;
  seconds: number;
  /** Per-record latency in ms (per batch for the batched variant). */
  p50: number;
  p99: number;
};

const usage = `Usage: npm run bench -- [--tier S|M] [--rows N] [--db pglite|postgres|both] [--seed N]
                        [--database-url postgres://…/postgres] [--no-write]
  --tier      data tier (S ≈ 400 000 rows, M ≈ 25 000 000 rows); without --rows the whole tier is written
  --rows      rows to write through the repository layer (a prefix of the tier's stream);
              default: a ${DEFAULT_SLICE_ROWS.toLocaleString('en')}-row slice of tier S
  --db        which back ends to measure (default both)
  --database-url  a PostgreSQL server URL whose user may create databases (default $BENCH_DATABASE_URL or
              postgres://postgres@127.0.0.1:5432/postgres); a throwaway database is created and dropped
  --no-write  print only; leave BENCHMARKS.md alone`;

const parseOptions = (argv: string[]): Options => {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      tier: { type: 'string' },
      rows: { type: 'string' },
      db: { type: 'string', default: 'both' },
      seed: { type: 'string', default: '20261123' },
      'database-url': { type: 'string' },
      'no-write': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const fail = (message: string): never => {
    console.error(`${message}\n\n${usage}`);
    process.exit(2);
  };
  const tierName = (values.tier ?? 'S').toUpperCase();
  if (tierName !== 'S' && tierName !== 'M') fail(`--tier: must be S or M, not "${values.tier}"`);
  const tier = TIERS[tierName as TierName];
  const rows = values.rows === undefined ? undefined : Number(values.rows);
  if (rows !== undefined && (!Number.isInteger(rows) || rows < 5))
    fail(`--rows: must be a whole number ≥ 5, not "${values.rows}"`);
  if (!['pglite', 'postgres', 'both'].includes(values.db))
    fail(`--db: must be pglite, postgres or both, not "${values.db}"`);
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) fail(`--seed: must be a whole number, not "${values.seed}"`);
  const sliceRows = rows ?? (values.tier === undefined ? DEFAULT_SLICE_ROWS : tierRows(tier));

  return {
    tier,
    rows: Math.min(sliceRows, tierRows(tier)),
    sliced: sliceRows < tierRows(tier),
    dbs: values.db === 'both' ? ['pglite', 'postgres'] : [values.db as DbKind],
    seed,
    databaseUrl:
      values['database-url'] ?? process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    write: !values['no-write'],
    command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
  };
};

const nullMailer: Mailer = { send: async () => ({ messageId: '<bench@custodian.test>' }), close: () => {} };

const percentile = (sorted: Float64Array, p: number) =>
  sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0) : 0;

const timed = () => {
  const started = performance.now();

  return () => (performance.now() - started) / 1000;
};

/** What an interrupted run must still remove (temporary directories, throwaway databases). */
const pendingCleanups = new Set<() => Promise<void>>();

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: removing the benchmark's databases and directories`);
    // Dropping a database ends its open connections; their errors must not stop the clean-up half-way.
    process.on('uncaughtException', () => {});
    void Promise.allSettled([...pendingCleanups].map((fn) => fn())).then(() => process.exit(130));
  });
}

const once = (fn: () => Promise<void>) => {
  const run = async () => {
    pendingCleanups.delete(run);
    await fn();
  };
  pendingCleanups.add(run);

  return run;
};

/** Opens a fresh, empty database of the given kind; `drop` removes every trace of it. */
const freshDatabase = async (kind: DbKind, options: Options) => {
  if (kind === 'pglite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-bench-'));
    const drop = once(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const db = await openDatabase({ dataDir: dir }).catch(async (error: unknown) => {
      await drop();
      throw error;
    });

    return { db, dataDir: dir, drop };
  }
  const name = `custodian_bench_${crypto.randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: options.databaseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(options.databaseUrl);
  url.pathname = `/${name}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-bench-'));
  const drop = once(async () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });
  const db = await openDatabase({ databaseUrl: url.toString(), poolSize: 2 }).catch(async (error: unknown) => {
    await drop();
    throw error;
  });

  return { db, dataDir, drop };
};

const progress = (label: string, total: number) => {
  let next = 0.25;

  return (done: number) => {
    if (total >= 20_000 && done / total >= next) {
      process.stderr.write(`  … ${label}: ${Math.round(next * 100)} %\n`);
      next += 0.25;
    }
  };
};

const expectedRecords = (options: Options) => {
  let records = 0;
  let rows = 0;
  for (const r of contactNoteRecords(options.tier, { seed: options.seed, rows: options.rows })) {
    records += 1;
    rows += ROWS_PER_NOTE + (r.newPerson ? ROWS_PER_NEW_PERSON : 0);
  }

  return { records, rows };
};

const benchRepository = async (
  kind: DbKind,
  kernel: Kernel,
  accountIds: string[],
  options: Options,
  total: number,
): Promise<Result> => {
  const actor = { id: crypto.randomUUID(), role: 'receptionist' };
  const latencies = new Float64Array(total);
  const tick = progress(`${kind} repository`, total);
  let records = 0;
  let rows = 0;
  let mislinked = 0;
  const elapsed = timed();
  for (const r of contactNoteRecords(options.tier, { seed: options.seed, rows: options.rows })) {
    const started = performance.now();
    const result = await recordContactNote(kernel, {
      accountId: accountIds[r.person.accountIndex] as string,
      actor,
      person: { name: r.person.name, email: r.person.email, phone: r.person.phone },
      body: r.body,
    });
    latencies[records] = performance.now() - started;
    if (result.linkedExisting === r.newPerson) mislinked += 1;
    records += 1;
    rows += ROWS_PER_NOTE + (r.newPerson ? ROWS_PER_NEW_PERSON : 0);
    tick(records);
  }
  const seconds = elapsed();
  if (mislinked)
    throw new Error(`${mislinked} notes were linked to the wrong person: the generator and the matcher disagree`);
  latencies.sort();

  return {
    db: kind,
    variant: 'repository',
    records,
    rows,
    seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
};

const createRawTables = async (client: pg.PoolClient, prefix: string) => {
  await client.query(`create table ${prefix}_subjects (like subjects including defaults including constraints including indexes,
    foreign key (account_id) references accounts (id))`);
  await client.query(`create table ${prefix}_notes (like contact_notes including defaults including constraints including indexes,
    foreign key (account_id) references accounts (id), foreign key (subject_id) references ${prefix}_subjects (id) on delete cascade)`);
};

const subjectValues = (r: NoteRecord, options: Options, accountIds: string[], now: Date) => [
  personUuid(options.seed, r.person.index),
  accountIds[r.person.accountIndex],
  'contact',
  Buffer.from(r.person.name),
  r.person.email ? Buffer.from(r.person.email) : null,
  r.person.phone ? Buffer.from(r.person.phone) : null,
  'recorded by staff',
  now,
  now,
];

const noteValues = (r: NoteRecord, options: Options, accountIds: string[], actorId: string, now: Date) => [
  accountIds[r.person.accountIndex],
  personUuid(options.seed, r.person.index),
  Buffer.from(r.body),
  'service_delivery',
  actorId,
  now,
];

const SUBJECT_COLUMNS = '(id, account_id, kind, name, email, phone, source, created_at, updated_at)';
const NOTE_COLUMNS = '(account_id, subject_id, body, purpose, created_by, created_at)';

const placeholders = (rows: number, columns: number) =>
  Array.from(
    { length: rows },
    (_, i) => `(${Array.from({ length: columns }, (_, j) => `$${i * columns + j + 1}`).join(', ')})`,
  ).join(', ');

const benchRawPerRow = async (
  kind: DbKind,
  db: Database,
  accountIds: string[],
  options: Options,
  total: number,
): Promise<Result> => {
  const client = await db.pool.connect();
  try {
    await createRawTables(client, 'bench_raw');
    const actorId = crypto.randomUUID();
    const latencies = new Float64Array(total);
    const tick = progress(`${kind} raw, per row`, total);
    let records = 0;
    let rows = 0;
    const elapsed = timed();
    for (const r of contactNoteRecords(options.tier, { seed: options.seed, rows: options.rows })) {
      const started = performance.now();
      const now = new Date();
      await client.query('begin');
      if (r.newPerson) {
        await client.query(
          `insert into bench_raw_subjects ${SUBJECT_COLUMNS} values ${placeholders(1, 9)}`,
          subjectValues(r, options, accountIds, now),
        );
      }
      await client.query(
        `insert into bench_raw_notes ${NOTE_COLUMNS} values ${placeholders(1, 6)} returning id`,
        noteValues(r, options, accountIds, actorId, now),
      );
      await client.query('commit');
      latencies[records] = performance.now() - started;
      records += 1;
      rows += r.newPerson ? 2 : 1;
      tick(records);
    }
    const seconds = elapsed();
    latencies.sort();

    return {
      db: kind,
      variant: 'raw, per row',
      records,
      rows,
      seconds,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
    };
  } finally {
    client.release();
  }
};

const benchRawBatched = async (kind: DbKind, db: Database, accountIds: string[], options: Options): Promise<Result> => {
  const client = await db.pool.connect();
  try {
    await createRawTables(client, 'bench_batch');
    const actorId = crypto.randomUUID();
    const latencies: number[] = [];
    let records = 0;
    let rows = 0;
    let batch: NoteRecord[] = [];
    const flush = async () => {
      if (!batch.length) return;
      const started = performance.now();
      const now = new Date();
      const people = batch.filter((r) => r.newPerson);
      await client.query('begin');
      if (people.length) {
        await client.query(
          `insert into bench_batch_subjects ${SUBJECT_COLUMNS} values ${placeholders(people.length, 9)}`,
          people.flatMap((r) => subjectValues(r, options, accountIds, now)),
        );
      }
      await client.query(
        `insert into bench_batch_notes ${NOTE_COLUMNS} values ${placeholders(batch.length, 6)} returning id`,
        batch.flatMap((r) => noteValues(r, options, accountIds, actorId, now)),
      );
      await client.query('commit');
      latencies.push(performance.now() - started);
      records += batch.length;
      rows += batch.length + people.length;
      batch = [];
    };
    const elapsed = timed();
    for (const r of contactNoteRecords(options.tier, { seed: options.seed, rows: options.rows })) {
      batch.push(r);
      if (batch.length === BATCH) await flush();
    }
    await flush();
    const seconds = elapsed();
    const sorted = Float64Array.from(latencies).sort();

    return {
      db: kind,
      variant: 'raw, batched',
      records,
      rows,
      seconds,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
    };
  } finally {
    client.release();
  }
};

/** Counts what each variant left behind, so a fast but wrong run cannot pass for a result. */
const checkCounts = async (db: Database, expected: { records: number }) => {
  const count = async (table: string) =>
    Number(((await db.executeSql(`select count(*)::int as n from ${table}`)).rows[0] as { n: number }).n);
  for (const table of ['contact_notes', 'bench_raw_notes', 'bench_batch_notes']) {
    const n = await count(table);
    if (n !== expected.records) throw new Error(`${table} holds ${n} rows, expected ${expected.records}`);
  }
  const subjects = await count('subjects');
  for (const table of ['bench_raw_subjects', 'bench_batch_subjects']) {
    const n = await count(table);
    if (n !== subjects) throw new Error(`${table} holds ${n} people, the repository created ${subjects}`);
  }
  const chains = await verifyAuditChains(db);
  const broken = chains.filter((c) => !c.ok);
  if (broken.length) throw new Error(`audit chain broken: ${JSON.stringify(broken[0])}`);

  return { subjects, auditEvents: chains.reduce((n, c) => n + c.events, 0) };
};

const benchDatabase = async (kind: DbKind, options: Options, expected: { records: number }) => {
  const fresh = await freshDatabase(kind, options);
  const facts: string[] = [];
  try {
    const { db } = fresh;
    if (kind === 'postgres') {
      const settings = await db.executeSql(
        `select version() as v, current_setting('fsync') as fsync, current_setting('synchronous_commit') as sc,
                current_setting('shared_buffers') as sb`,
      );
      const s = settings.rows[0] as { v: string; fsync: string; sc: string; sb: string };
      facts.push(
        `${s.v.split(' on ')[0]} on 127.0.0.1 over TCP (fsync=${s.fsync}, synchronous_commit=${s.sc}, shared_buffers=${s.sb})`,
      );
    } else {
      const { version } = JSON.parse(
        fs.readFileSync(path.join(ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8'),
      ) as { version: string };
      facts.push(
        `PGlite ${version}, data directory on disk under ${os.tmpdir()} (PGlite runs PostgreSQL with fsync off)`,
      );
    }
    const config = loadConfig({ DATA_DIR: fresh.dataDir, LOG_LEVEL: 'silent', JOBS: '0' });
    const kernel = await createKernel(config, {
      db,
      keyring: ephemeralKeyring(),
      mailer: nullMailer,
      clock: systemClock,
    });
    const accountIds: string[] = [];
    for (let i = 0; i < options.tier.accounts; i += 1) {
      accountIds.push(
        await createClientAccount(kernel, { name: `Bench Client ${String(i + 1).padStart(4, '0')} (fictional)` }),
      );
    }
    const results: Result[] = [];
    for (const run of [
      () => benchRepository(kind, kernel, accountIds, options, expected.records),
      () => benchRawPerRow(kind, db, accountIds, options, expected.records),
      () => benchRawBatched(kind, db, accountIds, options),
    ]) {
      const result = await run();
      results.push(result);
      console.error(
        `  ${kind.padEnd(8)} ${result.variant.padEnd(13)} ${fmt(result.records / result.seconds)} records/s`,
      );
    }
    const counts = await checkCounts(db, expected);
    facts.push(
      `checked: ${counts.subjects} people, ${expected.records} notes in each variant, ${counts.auditEvents} audit events, every chain verifies`,
    );
    await kernel.close();
    await db.close();

    return { results, facts };
  } finally {
    await fresh.drop();
  }
};

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const machineFacts = () => {
  const cpu = fs.existsSync('/proc/cpuinfo')
    ? (/^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown')
    : (os.cpus()[0]?.model ?? 'unknown');

  return [
    `date: ${new Date().toISOString()}`,
    `nproc: ${os.availableParallelism()}; CPU: ${cpu}`,
    `RAM: ${fmt(os.totalmem() / 1024 ** 3, 1)} GiB; OS: ${os.type()} ${os.release()} ${os.arch()}`,
    `Node ${process.version}; load average when the run started: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')} (1, 5, 15 min; other work on the machine skews the figures)`,
  ];
};

const table = (results: Result[]) => {
  const lines = [
    '| database | variant | records | rows | seconds | records/s | p50 ms | p99 ms | raw per row ÷ this |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of results) {
    const raw = results.find((x) => x.db === r.db && x.variant === 'raw, per row');
    const ratio = raw ? raw.records / raw.seconds / (r.records / r.seconds) : Number.NaN;
    const per = r.variant === 'raw, batched' ? ` (per ${BATCH})` : '';
    lines.push(
      `| ${r.db} | ${r.variant} | ${fmt(r.records)} | ${fmt(r.rows)} | ${fmt(r.seconds, 2)} | **${fmt(r.records / r.seconds)}** | ${fmt(r.p50, 2)}${per} | ${fmt(r.p99, 2)}${per} | ${fmt(ratio, 2)}× |`,
    );
  }

  return lines;
};

const main = async () => {
  const options = parseOptions(process.argv.slice(2));
  const machine = machineFacts();
  const expected = expectedRecords(options);
  const scope = options.sliced
    ? `a slice of tier ${options.tier.name}: the first ${fmt(expected.rows)} of its ${fmt(tierRows(options.tier))} rows (${fmt((100 * expected.rows) / tierRows(options.tier), 1)} %)`
    : `all of tier ${options.tier.name} (${fmt(tierRows(options.tier))} rows)`;
  console.error(
    `Benchmark: ${scope} — ${fmt(expected.records)} contact notes over ${options.tier.accounts} client accounts, seed ${options.seed}`,
  );
  const results: Result[] = [];
  const dbFacts: string[] = [];
  for (const kind of options.dbs) {
    const { results: r, facts } = await benchDatabase(kind, options, expected);
    results.push(...r);
    dbFacts.push(...facts.map((f) => `${kind}: ${f}`));
  }
  const { begin, end } = markers(`${options.tier.name}${options.sliced ? '-slice' : ''}`);
  const block = [
    begin,
    `### Contact notes: repository vs raw inserts — ${options.sliced ? `slice of tier ${options.tier.name}` : `whole tier ${options.tier.name}`}`,
    '',
    `Command: \`${options.command}\``,
    '',
    `Data: ${scope}; ${fmt(expected.records)} contact notes (records) over ${options.tier.accounts} client accounts, generated with seed ${options.seed}.` +
      ' Rows = table rows written: through the repository a new person costs 3 rows (subject, data key, audit event) and each note 2 (note, audit event); raw inserts write only the subject and the note.',
    '',
    ...machine.map((f) => `- ${f}`),
    ...dbFacts.map((f) => `- ${f}`),
    '',
    ...table(results),
    '',
    end,
  ];
  console.log(`\n${block.slice(2, -1).join('\n')}`);
  if (options.write) {
    const current = fs.existsSync(REPORT) ? fs.readFileSync(REPORT, 'utf8') : '# Benchmarks\n';
    const from = current.indexOf(begin);
    const to = current.indexOf(end);
    const next =
      from >= 0 && to > from
        ? `${current.slice(0, from)}${block.join('\n')}${current.slice(to + end.length)}`
        : `${current.trimEnd()}\n\n${block.join('\n')}\n`;
    fs.writeFileSync(REPORT, next);
    console.error(`\nWrote ${path.relative(process.cwd(), REPORT)}`);
  }
};

// Every figure below is of code running as the server runs: under its V8 flags.
runUnderServerFlags(import.meta.url);
await main();
// Issue 6: the cookie banner's size and the consent log's throughput (bench/consent.ts), after the notes.
await (await import('./consent.ts')).consentBench({ write: !process.argv.includes('--no-write') });
// Issue 4 (client side): XLSX export of a heavy client and inbox search (bench/portal.ts); --full for 190 k / 100 k items.
await (await import('./portal.ts')).portalBench({
  write: !process.argv.includes('--no-write'),
  full: process.argv.includes('--full'),
});
// Issue 4: phone-message intake over HTTP, app against bare Fastify + pg INSERT (bench/message-intake.ts).
await (await import('./message-intake.ts')).messageIntakeBench({ write: !process.argv.includes('--no-write') });
