/**
 * @module `node bench/portal.ts` (also run at the end of `npm run bench`): the client portal's two heavy reads.
 *
 * - Export: every phone message and post item of one heavy client (goal: 190 000 items) streamed to XLSX through
 *   `startExport`, the code the route uses (decrypting batch by batch). Measured in a child process over the
 *   generated database, so its peak memory (RSS, sampled every 20 ms) is the export's alone, and run under the
 *   server's V8 flags (`serverNodeFlags`), so it is measured as the server runs it. Goal < 5 s, < 250 MB.
 * - Search: `listInbox` with a one- or two-word query over one client's items (goal: 100 000), as the route calls
 *   it (search-term hashes, the timeline query, decrypting the page of 50, the audit event). p50 / p95 over
 *   200 queries. Goal p95 < 150 ms.
 *
 * Items are written straight into the tables, sealed under per-caller and per-item keys exactly as intake seals
 * them, with their search terms, so generating 290 000 items takes a minute or two rather than an hour.
 *
 * @example
 * node bench/portal.ts                                   # 19 000 export items, 10 000 search items (routine)
 * node bench/portal.ts --full                            # 190 000 and 100 000: the sizes
 * node bench/portal.ts --db pglite --export-items 5000 --no-write
 * node bench/portal.ts --full --export-only --db pglite   # the export alone (prints; BENCHMARKS.md untouched)
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { createClientAccount, ensureProviderAccount } from '../src/accounts/accounts.ts';
import { startExport } from '../src/exports/export-items.ts';
import { loadConfig } from '../src/kernel/config.ts';
import { newDataKey, sealField, wrapKey } from '../src/kernel/crypto/cipher.ts';
import { keyringFromSecrets } from '../src/kernel/crypto/keyring.ts';
import { openDatabase } from '../src/kernel/db/database.ts';
import { createKernel, type Kernel } from '../src/kernel/kernel.ts';
import type { Mailer } from '../src/kernel/mail/mailer.ts';
import { searchTerms } from '../src/kernel/search-terms.ts';
import { listInbox } from '../src/portal/inbox.ts';
import { serverNodeFlags } from './server-flags.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPORT = path.join(ROOT, 'BENCHMARKS.md');
const BEGIN = '<!-- bench:portal:begin -->';
const END = '<!-- bench:portal:end -->';
const noMail: Mailer = { send: async () => ({ messageId: 'bench' }), close: () => {} };
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const WORDS = (
  'invoice lease boiler repair quote delivery parcel meeting urgent callback contract renewal payment refund ' +
  'appointment surgery office plumbing roof window heating insurance claim order stock supplier courier ' +
  'signature letter recorded legal notice tax return accountant pension payroll holiday booking cancel ' +
  'reschedule complaint feedback proposal tender planning permission survey valuation mortgage solicitor ' +
  'estate agent landlord tenant deposit keys alarm cleaning catering printer network laptop software licence'
).split(' ');
const FIRST = [
  'Ann',
  'Bram',
  'Cleo',
  'Dev',
  'Esme',
  'Farid',
  'Gwen',
  'Hugo',
  'Ines',
  'Jon',
  'Kira',
  'Lars',
  'Mina',
  'Nils',
  'Oona',
  'Pavel',
];
const LAST = [
  'Archer',
  'Bishop',
  'Cole',
  'Dunn',
  'Ellis',
  'Frost',
  'Grant',
  'Hale',
  'Irwin',
  'Jones',
  'Knox',
  'Lowe',
  'Marsh',
  'Nash',
];

/** Deterministic pseudo-random numbers, so runs generate the same items. */
const rng = (seed: number) => () => {
  seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
  return seed / 0x7fffffff;
};

type Generated = { accountId: string; ownerId: string; items: number };

/** Writes `items` items (half messages from a pool of callers, half post) straight into the tables. */
export const generate = async (
  kernel: Kernel,
  name: string,
  items: number,
  withTerms: boolean,
  seed: number,
): Promise<Generated> => {
  const random = rng(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)] as T;
  const accountId = await createClientAccount(kernel, { name });
  const ownerId = crypto.randomUUID();
  const now = Date.now();
  const { kek, kekId } = kernel.keyring;
  const callerCount = Math.max(1, Math.floor(items / 2 / 20));
  const callers = Array.from({ length: callerCount }, () => ({ id: crypto.randomUUID(), key: newDataKey() }));
  const BATCH = 1_000;
  await kernel.db.system(async (trx) => {
    for (let i = 0; i < callers.length; i += BATCH) {
      const slice = callers.slice(i, i + BATCH);
      await trx
        .insertInto('subject_keys')
        .values(
          slice.map((c) => ({
            subject_id: c.id,
            account_id: accountId,
            kek_id: kekId,
            wrapped: wrapKey(kek, c.key),
            created_at: new Date(now),
          })),
        )
        .execute();
      await trx
        .insertInto('subjects')
        .values(
          slice.map((c, j) => {
            const personName = `${pick(FIRST)} ${pick(LAST)}`;
            const phone = `020 7946 ${String((i + j) % 10_000).padStart(4, '0')}`;
            return {
              id: c.id,
              account_id: accountId,
              kind: 'caller' as const,
              name: sealField(c.key, c.id, 'subjects.name', personName),
              email: null,
              phone: sealField(c.key, c.id, 'subjects.phone', phone),
              name_bidx: kernel.vault.blindIndex('name', accountId, personName),
              email_bidx: null,
              phone_bidx: kernel.vault.blindIndex('phone', accountId, phone),
              source: 'phone call',
              created_at: new Date(now),
              updated_at: new Date(now),
            };
          }),
        )
        .execute();
    }
  });
  for (let start = 0; start < items; start += BATCH) {
    const count = Math.min(BATCH, items - start);
    await kernel.db.system(async (trx) => {
      const messages = [];
      const posts = [];
      const keys = [];
      const terms: { account_id: string; item_kind: 'message' | 'post'; item_id: string; term: Buffer }[] = [];
      for (let k = 0; k < count; k += 1) {
        const n = start + k;
        const id = crypto.randomUUID();
        const at = new Date(now - (items - n) * 60_000);
        const sentence = Array.from({ length: 8 + Math.floor(random() * 10) }, () => pick(WORDS)).join(' ');
        if (n % 2 === 0) {
          const caller = pick(callers);
          const company = `${pick(LAST)} ${pick(['Ltd', 'LLP', '& Sons', 'Group'])}`;
          const reason = `${pick(WORDS)} ${pick(WORDS)}`;
          messages.push({
            id,
            account_id: accountId,
            caller_subject_id: caller.id,
            company: sealField(caller.key, caller.id, 'phone_messages.company', company),
            reason: sealField(caller.key, caller.id, 'phone_messages.reason', reason),
            body: sealField(caller.key, caller.id, 'phone_messages.body', sentence),
            urgency: random() < 0.1 ? ('urgent' as const) : ('normal' as const),
            callback_requested: random() < 0.3,
            call_at: at,
            taken_by: ownerId,
            idempotency_key: null,
            created_at: at,
          });
          if (withTerms)
            for (const term of searchTerms(kernel.vault, accountId, [company, reason, sentence]))
              terms.push({ account_id: accountId, item_kind: 'message', item_id: id, term });
        } else {
          const key = newDataKey();
          const sender = `${pick(LAST)} ${pick(['Couriers', 'Bank', 'Council', 'Solicitors', 'Supplies'])}`;
          const tracking = `TR${n.toString(36).toUpperCase()}GB`;
          keys.push({
            subject_id: id,
            account_id: accountId,
            kek_id: kekId,
            wrapped: wrapKey(kek, key),
            created_at: at,
          });
          posts.push({
            id,
            account_id: accountId,
            sender_subject_id: null,
            sender: sealField(key, id, 'post_items.sender', sender),
            item_type: pick(['letter', 'parcel', 'recorded', 'legal'] as const),
            tracking_number: sealField(key, id, 'post_items.tracking_number', tracking),
            received_at: at,
            status: 'received' as const,
            logged_by: ownerId,
            idempotency_key: null,
            created_at: at,
          });
          if (withTerms)
            for (const term of searchTerms(kernel.vault, accountId, [sender, tracking]))
              terms.push({ account_id: accountId, item_kind: 'post', item_id: id, term });
        }
      }
      if (keys.length) await trx.insertInto('subject_keys').values(keys).execute();
      if (messages.length) await trx.insertInto('phone_messages').values(messages).execute();
      if (posts.length) await trx.insertInto('post_items').values(posts).execute();
      for (let i = 0; i < terms.length; i += 5_000)
        await trx
          .insertInto('item_search_terms')
          .values(terms.slice(i, i + 5_000))
          .execute();
    });
  }
  await kernel.db.system((trx) => sql`analyze`.execute(trx));

  return { accountId, ownerId, items };
};

type Target = { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string };

export const kernelFor = async (target: Target, secrets: { kek: string; bidx: string }) => {
  const dataDir =
    target.kind === 'pglite' ? target.dataDir : fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-bench-portal-'));
  const db =
    target.kind === 'pglite'
      ? await openDatabase({ dataDir })
      : await openDatabase({ databaseUrl: target.url, poolSize: 4 });
  const keyring = keyringFromSecrets(Buffer.from(secrets.kek, 'base64'), Buffer.from(secrets.bidx, 'base64'));
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const kernel = await createKernel(config, { db, keyring, mailer: noMail });

  return {
    kernel,
    close: async () => {
      await kernel.close();
      await db.close();
    },
  };
};

/** Child-process phase: one export, reporting seconds, peak RSS and bytes written. */
const exportPhase = async (target: Target, accountId: string, ownerId: string) => {
  const secrets = { kek: process.env.BENCH_KEK ?? '', bidx: process.env.BENCH_BIDX ?? '' };
  const { kernel, close } = await kernelFor(target, secrets);
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const out = await startExport(kernel, { user: { id: ownerId, role: 'owner', accountId }, format: 'xlsx' });
  let bytes = 0;
  await new Promise<void>((resolve, reject) => {
    out.stream
      .pipe(
        new Writable({
          write(chunk: Buffer, _encoding, callback) {
            bytes += chunk.length;
            callback();
          },
        }),
      )
      .on('finish', () => resolve())
      .on('error', reject);
    out.stream.on('error', reject);
  });
  const seconds = (performance.now() - started) / 1000;
  // CPU seconds of the whole process (main thread, workers, zlib): steadier than wall time on a shared machine.
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  await close();
  process.stdout.write(
    `${JSON.stringify({ seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakMb: peak / 1_048_576, baselineMb: baseline / 1_048_576, bytes, items: out.items })}\n`,
  );
};

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

export const portalBench = async (opts: {
  write: boolean;
  full?: boolean;
  exportItems?: number;
  searchItems?: number;
  db?: 'postgres' | 'pglite';
  databaseUrl?: string;
  /** Only the export: no search items, no search queries, nothing written to BENCHMARKS.md. */
  exportOnly?: boolean;
}) => {
  const exportItems = opts.exportItems ?? (opts.full ? 190_000 : 19_000);
  const searchItems = opts.exportOnly ? 0 : (opts.searchItems ?? (opts.full ? 100_000 : 10_000));
  const databaseUrl =
    opts.databaseUrl ?? process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  let target: Target;
  let drop = async () => {};
  const wantPg = (opts.db ?? 'postgres') === 'postgres';
  const admin = wantPg ? new pg.Client({ connectionString: databaseUrl }) : null;
  const reachable = admin
    ? await admin.connect().then(
        () => true,
        () => false,
      )
    : false;
  if (admin && reachable) {
    const name = `custodian_bench_portal_${crypto.randomBytes(4).toString('hex')}`;
    await admin.query(`create database ${name}`);
    const url = new URL(databaseUrl);
    url.pathname = `/${name}`;
    target = { kind: 'postgres', url: url.toString() };
    drop = async () => {
      // pg's pool.end() resolves before its sockets close: let them go before the forced drop.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    };
  } else {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-bench-portal-'));
    target = { kind: 'pglite', dataDir };
    drop = async () => fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const secrets = { kek: crypto.randomBytes(32).toString('base64'), bidx: crypto.randomBytes(32).toString('base64') };
  console.log(
    `portal bench on ${target.kind}: generating ${fmt(exportItems)} export items and ${fmt(searchItems)} search items…`,
  );
  const genStart = performance.now();
  let heavy: Generated;
  let searched: Generated;
  {
    const { kernel, close } = await kernelFor(target, secrets);
    await ensureProviderAccount(kernel, 'Bench provider');
    heavy = await generate(kernel, 'Heavy Export Co', exportItems, false, 1);
    searched = opts.exportOnly ? heavy : await generate(kernel, 'Search Co', searchItems, true, 2);
    await close();
  }
  const genSeconds = (performance.now() - genStart) / 1000;
  console.log(`  generated in ${fmt(genSeconds, 1)} s`);

  const nodeFlags = serverNodeFlags();
  const child = spawnSync(
    process.execPath,
    [
      ...nodeFlags,
      // e.g. BENCH_CHILD_FLAGS="--cpu-prof --cpu-prof-dir /tmp/prof" to profile the export alone.
      ...(process.env.BENCH_CHILD_FLAGS ? process.env.BENCH_CHILD_FLAGS.split(' ') : []),
      fileURLToPath(import.meta.url),
      '--phase',
      'export',
      '--target',
      JSON.stringify(target),
      '--account',
      heavy.accountId,
      '--owner',
      heavy.ownerId,
    ],
    { env: { ...process.env, BENCH_KEK: secrets.kek, BENCH_BIDX: secrets.bidx }, encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  const line = child.stdout.trim().split('\n').at(-1) ?? '';
  if (child.status !== 0 || !line.startsWith('{')) throw new Error(`export phase failed: ${child.stderr}`);
  const exported = JSON.parse(line) as {
    seconds: number;
    cpuSeconds: number;
    peakMb: number;
    baselineMb: number;
    bytes: number;
    items: number;
  };
  console.log(
    `  export: ${fmt(exported.items)} items to XLSX in ${fmt(exported.seconds, 2)} s (${fmt(exported.cpuSeconds, 2)} s CPU), load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(
        ' ',
      )}, peak RSS ${fmt(exported.peakMb)} MB, ${fmt(exported.baselineMb)} MB before starting (${fmt(exported.bytes / 1_048_576, 1)} MB file; node ${nodeFlags.join(' ') || 'without flags'}, as the server)`,
  );

  if (opts.exportOnly) {
    await drop();
    return { exported, search: null };
  }
  const { kernel, close } = await kernelFor(target, secrets);
  const user = { id: searched.ownerId, role: 'owner', accountId: searched.accountId };
  const random = rng(7);
  const queries = Array.from({ length: 200 }, (_, i) =>
    i % 2
      ? `${WORDS[Math.floor(random() * WORDS.length)]} ${WORDS[Math.floor(random() * WORDS.length)]}`
      : (WORDS[Math.floor(random() * WORDS.length)] as string),
  );
  for (const q of queries.slice(0, 10)) await listInbox(kernel, { user, filter: { q } });
  const times: number[] = [];
  let hits = 0;
  for (const q of queries) {
    const t = performance.now();
    const page = await listInbox(kernel, { user, filter: { q } });
    times.push(performance.now() - t);
    hits += page.items.length;
  }
  await close();
  await drop();
  times.sort((a, b) => a - b);
  const search = {
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    max: times.at(-1) ?? 0,
    avgHits: hits / queries.length,
  };
  console.log(
    `  search over ${fmt(searchItems)} items: p50 ${fmt(search.p50, 1)} ms, p95 ${fmt(search.p95, 1)} ms (page of up to 50, avg ${fmt(search.avgHits, 1)} hits)`,
  );

  if (opts.write) {
    const block = [
      BEGIN,
      '',
      `Run ${new Date().toISOString().slice(0, 10)} on ${target.kind === 'postgres' ? 'PostgreSQL' : 'PGlite (on disk)'}, ${os.cpus().length} CPUs, Node ${process.version}: \`node bench/portal.ts${opts.full ? ' --full' : ''}\`.`,
      '',
      '| measure | size | result | goal |',
      '| --- | ---: | ---: | --- |',
      `| XLSX export, seconds | ${fmt(exported.items)} items | ${fmt(exported.seconds, 2)} s | < 5 s |`,
      `| XLSX export, peak RSS (child process) | ${fmt(exported.items)} items | ${fmt(exported.peakMb)} MB | < 250 MB |`,
      `| inbox search p50 / p95 (200 queries, 1–2 words) | ${fmt(searchItems)} items | ${fmt(search.p50, 1)} / ${fmt(search.p95, 1)} ms | p95 < 150 ms |`,
      '',
      END,
    ].join('\n');
    const report = fs.readFileSync(REPORT, 'utf8');
    const next = report.includes(BEGIN)
      ? report.replace(new RegExp(`${BEGIN}[\\s\\S]*?${END}`), block)
      : `${report.trimEnd()}\n\n## Client portal: export and search (issue 4, client side)\n\n${block}\n`;
    fs.writeFileSync(REPORT, next);
  }

  return { exported, search };
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      phase: { type: 'string' },
      target: { type: 'string' },
      account: { type: 'string' },
      owner: { type: 'string' },
      full: { type: 'boolean', default: false },
      'export-items': { type: 'string' },
      'search-items': { type: 'string' },
      db: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
      'export-only': { type: 'boolean', default: false },
    },
  });
  if (values.phase === 'export') {
    await exportPhase(JSON.parse(values.target ?? '{}') as Target, values.account ?? '', values.owner ?? '');
  } else {
    await portalBench({
      write: !values['no-write'],
      full: values.full,
      exportItems: values['export-items'] ? Number(values['export-items']) : undefined,
      searchItems: values['search-items'] ? Number(values['search-items']) : undefined,
      db: values.db === 'pglite' ? 'pglite' : 'postgres',
      exportOnly: values['export-only'],
    });
  }
}
