/**
 * @module `node bench/consent.ts` (also run at the end of `npm run bench`): the cookie banner's size as served
 * (gzip -9 of JS + CSS, against vanilla-cookieconsent 3.1.0's 15,474 B) and the consent log's throughput: banner
 * decisions POSTed over HTTP to a real server at 127.0.0.1, each stored as one `cookie_consents` row, on embedded
 * PGlite (on disk) and on a PostgreSQL server when one answers.
 *
 * The endpoint is rate-limited per client address (20 a minute), and the bench keeps that limit on: requests come
 * from many loopback addresses (127.0.x.y), at most 20 from each, as a crowd of visitors would.
 *
 * @example
 * node bench/consent.ts                 # 4 000 decisions per database, writes BENCHMARKS.md
 * node bench/consent.ts --records 1000 --no-write
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';
import pg from 'pg';
import { ensureProviderAccount } from '../src/accounts/accounts.ts';
import { buildApp } from '../src/app.ts';
import { bannerSize } from '../src/cookies/banner.ts';
import { bannerTranslation } from '../src/cookies/banner-i18n.ts';
import { loadConfig } from '../src/kernel/config.ts';
import { ephemeralKeyring } from '../src/kernel/crypto/keyring.ts';
import { type Database, openDatabase } from '../src/kernel/db/database.ts';
import { createKernel } from '../src/kernel/kernel.ts';
import type { Mailer } from '../src/kernel/mail/mailer.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPORT = path.join(ROOT, 'BENCHMARKS.md');
const BEGIN = '<!-- bench:consent:begin -->';
const END = '<!-- bench:consent:end -->';
/**
 * vanilla-cookieconsent 3.1.0, dist/cookieconsent.umd.js + dist/cookieconsent.css, gzip -9: 10,173 + 5,301 bytes
 * (research notes §1.1; re-measured from the npm tarball on 2026-11-23). `--vanilla-dir <package dir>` measures a
 * local copy instead, so the project need not depend on it.
 */
const VANILLA_COOKIECONSENT_GZIP = 15_474;

const vanillaGzip = (dir: string | undefined) => {
  if (!dir) return { bytes: VANILLA_COOKIECONSENT_GZIP, how: 'research notes, re-measured from the npm tarball' };
  const files = ['dist/cookieconsent.umd.js', 'dist/cookieconsent.css'].map((f) => path.join(dir, f));
  const bytes = files.reduce((sum, f) => sum + zlib.gzipSync(fs.readFileSync(f), { level: 9 }).length, 0);

  return { bytes, how: `measured now from ${dir}` };
};
const PER_ADDRESS = 20;
const CONCURRENCY = 16;

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const noMail: Mailer = { send: async () => ({ messageId: 'bench' }), close: () => {} };

const freshDatabase = async (
  kind: 'pglite' | 'postgres',
  databaseUrl: string,
): Promise<{ db: Database; dataDir: string; drop: () => Promise<void> } | null> => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-bench-consent-'));
  if (kind === 'pglite') {
    const db = await openDatabase({ dataDir });

    return { db, dataDir, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const admin = new pg.Client({ connectionString: databaseUrl });
  try {
    await admin.connect();
  } catch {
    fs.rmSync(dataDir, { recursive: true, force: true });
    return null;
  }
  const name = `custodian_bench_consent_${crypto.randomBytes(4).toString('hex')}`;
  await admin.query(`create database ${name}`);
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: url.toString(), poolSize: 10 });

  return {
    db,
    dataDir,
    drop: async () => {
      // pg's pool.end() resolves before its sockets close; wait for the server to see them go before dropping.
      for (let attempt = 0; attempt < 250; attempt += 1) {
        const { rows } = await admin.query<{ n: number }>(
          'select count(*)::int as n from pg_stat_activity where datname = $1',
          [name],
        );
        if (rows[0]?.n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

const addressFor = (i: number) => {
  const n = Math.floor(i / PER_ADDRESS) + 2;
  return `127.0.${(n >> 8) & 255}.${n & 255}`;
};

const post = (port: number, agent: http.Agent, localAddress: string, body: string) =>
  new Promise<number>((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/api/consent/cookies',
        method: 'POST',
        agent,
        localAddress,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });

const benchDatabase = async (kind: 'pglite' | 'postgres', records: number, databaseUrl: string) => {
  const fresh = await freshDatabase(kind, databaseUrl);
  if (!fresh) return null;
  try {
    const config = loadConfig({ DATA_DIR: fresh.dataDir, LOG_LEVEL: 'silent', JOBS: '0' });
    const kernel = await createKernel(config, { db: fresh.db, keyring: ephemeralKeyring(), mailer: noMail });
    await ensureProviderAccount(kernel, 'Bench provider');
    const app = await buildApp(kernel);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const categories = Object.fromEntries(
      kernel.policyFile.file.cookies.categories.filter((c) => c.consentRequired).map((c) => [c.id, false]),
    );
    const agents = new Map<string, http.Agent>();
    const latencies: number[] = [];
    let next = 0;
    let failed = 0;
    const started = process.hrtime.bigint();
    const worker = async () => {
      for (let i = next++; i < records; i = next++) {
        const address = addressFor(i);
        let agent = agents.get(address);
        if (!agent) {
          agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
          agents.set(address, agent);
        }
        const body = JSON.stringify({
          consentId: crypto.randomUUID(),
          noticeVersion: kernel.policyFile.file.version,
          categories,
          gpc: i % 10 === 0,
          method: 'reject_all',
        });
        const t0 = process.hrtime.bigint();
        const status = await post(port, agent, address, body);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (status !== 201) failed += 1;
        if ((i + 1) % PER_ADDRESS === 0) agent.destroy();
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    for (const agent of agents.values()) agent.destroy();
    const stored = Number(
      (
        await fresh.db.kysely
          .selectFrom('cookie_consents')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    await app.close();
    await kernel.close();
    await fresh.db.close();
    if (failed > 0 || stored !== records)
      throw new Error(`${kind}: ${failed} requests failed; ${stored} of ${records} records stored`);
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;

    return { kind, records, seconds, rate: records / seconds, p50: pct(50), p99: pct(99), addresses: agents.size };
  } finally {
    await fresh.drop();
  }
};

export const consentBench = async (
  options: { records?: number; write?: boolean; databaseUrl?: string; vanillaDir?: string } = {},
) => {
  const vanilla = vanillaGzip(options.vanillaDir);
  const records = options.records ?? 4_000;
  const databaseUrl =
    options.databaseUrl ?? process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const { loadPolicyFile, DEFAULT_POLICY_FILE } = await import('../src/policy/policy-loader.ts');
  const size = bannerSize(loadPolicyFile(DEFAULT_POLICY_FILE).file);
  const frGzip = zlib.gzipSync(JSON.stringify(bannerTranslation(loadPolicyFile(DEFAULT_POLICY_FILE).file, 'fr')), {
    level: 9,
  }).length;
  const results = [];
  for (const kind of ['pglite', 'postgres'] as const) {
    const r = await benchDatabase(kind, records, databaseUrl);
    if (r) results.push(r);
    else console.error(`consent bench: no PostgreSQL at ${databaseUrl}, skipped`);
  }
  const block = [
    BEGIN,
    '### Cookie banner size and consent-log throughput',
    '',
    'Command: `node bench/consent.ts` (also the last step of `npm run bench`). Source: [`bench/consent.ts`](bench/consent.ts).',
    '',
    `- date: ${new Date().toISOString()}; Node ${process.version}; nproc ${os.availableParallelism()}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
    '',
    `Sizes are gzip level 9 through Node zlib, for both banners (GNU \`gzip -9 -n\` gives vanilla-cookieconsent 15,474 B, the figure in the research notes). English is inline; the size is what a visitor downloads. Other languages load on demand: \`/consent/i18n/fr.json\` is ${fmt(frGzip)} B gzip, fetched only when the page or the browser asks for French.`,
    '',
    '| banner (default policy, en) | raw bytes | gzip -9 bytes |',
    '|---|--:|--:|',
    `| \`/consent.js\` | ${fmt(size.jsRaw)} | ${fmt(size.jsGzip)} |`,
    `| \`/consent.css\` | ${fmt(size.cssRaw)} | ${fmt(size.cssGzip)} |`,
    `| **JS + CSS** | ${fmt(size.jsRaw + size.cssRaw)} | **${fmt(size.totalGzip)}** (budget 10,240) |`,
    `| vanilla-cookieconsent 3.1.0, JS + CSS (${vanilla.how}) | | ${fmt(vanilla.bytes)} (ours is ${fmt((100 * size.totalGzip) / vanilla.bytes, 0)} % of it) |`,
    '',
    `Consent log: ${fmt(records)} banner decisions POSTed to \`/api/consent/cookies\` over HTTP/1.1 keep-alive at 127.0.0.1, ${CONCURRENCY} in flight, from loopback addresses at ${PER_ADDRESS} per address (the per-address rate limit stays on). Each request is validated against the policy's categories and stored as one row in its own transaction (role switch, row-level security). The stored rows are counted afterwards.`,
    '',
    '| database | records | addresses | seconds | records/s | p50 ms | p99 ms |',
    '|---|--:|--:|--:|--:|--:|--:|',
    ...results.map(
      (r) =>
        `| ${r.kind} | ${fmt(r.records)} | ${fmt(r.addresses)} | ${fmt(r.seconds, 2)} | **${fmt(r.rate)}** | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} |`,
    ),
    '',
    END,
  ];
  console.log(block.slice(1, -1).join('\n'));
  if (options.write !== false) {
    const current = fs.existsSync(REPORT) ? fs.readFileSync(REPORT, 'utf8') : '# Benchmarks\n';
    const from = current.indexOf(BEGIN);
    const to = current.indexOf(END);
    const next =
      from >= 0 && to > from
        ? `${current.slice(0, from)}${block.join('\n')}${current.slice(to + END.length)}`
        : `${current.trimEnd()}\n\n${block.join('\n')}\n`;
    fs.writeFileSync(REPORT, next);
  }

  return { size, results };
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      records: { type: 'string' },
      'no-write': { type: 'boolean' },
      'database-url': { type: 'string' },
      'vanilla-dir': { type: 'string' },
    },
  });
  await consentBench({
    records: values.records ? Number(values.records) : undefined,
    write: !values['no-write'],
    databaseUrl: values['database-url'],
    vanillaDir: values['vanilla-dir'],
  });
}
