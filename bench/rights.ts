/**
 * @module `node bench/rights.ts` (also run at the end of `npm run bench`): rights requests on a large database.
 *
 * - Access: answering an access request for a person with 1 000 phone messages, through `completeRequest` as the
 *   route calls it (the executor reads every source, builds the HTML report and the ZIP, seals and stores it),
 *   beside a floor measured in the same run: one hand-written SQL query for the same rows and a decrypt of every
 *   field with the person's key, serialised to JSON. Goal: ≤ 2× the floor and < 300 ms.
 * - Erasure: answering an erasure request for a person with 10 000 phone messages (rows, search terms, key, ledger,
 *   audit). Goal: < 2 s.
 *
 * The background is tier M's shape (1 000 clients, 2.5 M people, 8.75 M messages, 11.25 M audit events: 25 M rows
 * with the people's keys), written by SQL straight into the tables as filler bytes: it is there to make indexes and
 * tables the size they would be, not to be read. The measured people are written as intake writes them: sealed
 * fields under their own keys, search terms, blind indexes.
 *
 * @example
 * node bench/rights.ts                 # a 1/25 slice of tier M's background (1 M rows)
 * node bench/rights.ts --full          # all of tier M (25 M rows); needs PostgreSQL and ~15 GB of disk
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { createClientAccount, ensureProviderAccount } from '../src/accounts/accounts.ts';
import { SUBJECT_DATA_SOURCES } from '../src/app.ts';
import { loadConfig } from '../src/kernel/config.ts';
import { newDataKey, openField, sealField, unwrapKey, wrapKey } from '../src/kernel/crypto/cipher.ts';
import { ephemeralKeyring } from '../src/kernel/crypto/keyring.ts';
import { openDatabase, type Trx } from '../src/kernel/db/database.ts';
import { createKernel, type Kernel } from '../src/kernel/kernel.ts';
import type { Mailer } from '../src/kernel/mail/mailer.ts';
import { searchTerms } from '../src/kernel/search-terms.ts';
import { completeRequest } from '../src/rights/complete-request.ts';
import { logStaffRequest } from '../src/rights/submit-request.ts';
import { runUnderServerFlags } from './server-flags.ts';
import { throwawayPostgres } from './throwaway-db.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPORT = path.join(ROOT, 'BENCHMARKS.md');
const BEGIN = '<!-- bench:rights:begin -->';
const END = '<!-- bench:rights:end -->';
const noMail: Mailer = { send: async () => ({ messageId: 'bench' }), close: () => {} };
const STAFF = { id: null, role: 'privacy_officer' };
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** Tier M's background, scaled: accounts, people, messages, audit events (keys come one per person). */
const background = (scale: number) => ({
  accounts: Math.max(10, Math.round(1_000 * scale)),
  people: Math.round(2_500_000 * scale),
  messages: Math.round(8_750_000 * scale),
  audit: Math.round(11_250_000 * scale),
});

const FILLED = ['subjects', 'subject_keys', 'phone_messages', 'audit_events'];

/**
 * Filler rows by SQL: shaped like the real ones (sizes, keys, indexes), never decrypted. Secondary indexes are
 * dropped for the load and built again after, and foreign-key triggers are off for it (the bench connects as a
 * superuser), which makes tier M minutes rather than an hour; the tables end up as they would be.
 */
const fillBackground = async (kernel: Kernel, size: ReturnType<typeof background>) => {
  await kernel.db.system(async (trx) => {
    const indexes = await sql<{ indexname: string; indexdef: string }>`select indexname, indexdef from pg_indexes
      where schemaname = 'public' and tablename = any (${FILLED}) and indexname not like '%_pkey'`.execute(trx);
    for (const index of indexes.rows) await sql`drop index ${sql.id(index.indexname)}`.execute(trx);
    await sql`set local session_replication_role = replica`.execute(trx);
    await fillRows(trx, size);
    await sql`set local session_replication_role = origin`.execute(trx);
    await sql`set local maintenance_work_mem = '512MB'`.execute(trx);
    for (const index of indexes.rows) await sql.raw(index.indexdef).execute(trx);
  });
  // Vacuumed now (outside a transaction), not left to autovacuum: after 25 M fresh rows it would otherwise be
  // vacuuming them on the second core while the access package, which uses that core, is measured.
  await kernel.db.executeSql('vacuum (analyze)');
};

const fillRows = async (trx: Trx, size: ReturnType<typeof background>) => {
  await sql`insert into accounts (id, kind, name, status, created_at, status_changed_at)
      select gen_random_uuid(), 'client', 'Filler client ' || i, 'subscribed', now(), now()
      from generate_series(1, ${size.accounts}) i`.execute(trx);
  await sql`create temp table bench_accounts on commit drop as
      select id, (row_number() over (order by id)) - 1 as n from accounts where kind = 'client' and name like 'Filler%'`.execute(
    trx,
  );
  await sql`create temp table bench_people on commit drop as
      select gen_random_uuid() as id, a.id as account_id, i as n
      from generate_series(0, ${size.people - 1}) i join bench_accounts a on a.n = i % ${size.accounts}`.execute(trx);
  await sql`insert into subject_keys (subject_id, account_id, kek_id, wrapped, created_at)
      select id, account_id, 'filler', decode(md5(n::text) || md5((n + 1)::text) || md5((n + 2)::text), 'hex'), now()
      from bench_people`.execute(trx);
  await sql`insert into subjects (id, account_id, kind, name, email, phone, name_bidx, email_bidx, phone_bidx,
        source, created_at, updated_at)
      select id, account_id, 'caller', decode(repeat(md5(n::text), 2), 'hex'), decode(repeat(md5((n + 7)::text), 2), 'hex'),
        decode(repeat(md5((n + 9)::text), 2), 'hex'), decode(md5((n + 1)::text), 'hex'), decode(md5((n + 2)::text), 'hex'),
        decode(md5((n + 3)::text), 'hex'), 'phone call', now(), now()
      from bench_people`.execute(trx);
  await sql`insert into phone_messages (id, account_id, caller_subject_id, company, reason, body, urgency,
        callback_requested, call_at, taken_by, created_at)
      select gen_random_uuid(), p.account_id, p.id, decode(md5(i::text), 'hex'), decode(md5((i + 1)::text), 'hex'),
        decode(repeat(md5((i + 2)::text), 4), 'hex'), 'normal', false, now() - (i || ' seconds')::interval,
        '00000000-0000-4000-8000-0000000000aa', now()
      from generate_series(0, ${size.messages - 1}) i join bench_people p on p.n = i % ${size.people}`.execute(trx);
  await sql`insert into audit_events (account_id, seq, occurred_at, actor_role, action, entity, entity_id, subject_id,
        fields, purpose, details, prev_hash, hash)
      select p.account_id, i, now(), 'receptionist', 'message.take', 'phone_message', null, p.id, '{body}',
        'service_delivery', '{}', decode(md5(i::text) || md5(i::text), 'hex'), decode(md5((i + 1)::text) || md5(i::text), 'hex')
      from generate_series(1, ${size.audit}) i join bench_people p on p.n = i % ${size.people}`.execute(trx);
};

/** One person with `count` phone messages in one client, sealed as intake seals them, with search terms. */
const seedPerson = async (kernel: Kernel, accountId: string, email: string, count: number) => {
  const id = crypto.randomUUID();
  const key = newDataKey();
  const now = Date.now();
  const name = 'Marlow Quennell';
  await kernel.db.system(async (trx) => {
    await trx
      .insertInto('subject_keys')
      .values({
        subject_id: id,
        account_id: accountId,
        kek_id: kernel.keyring.kekId,
        wrapped: wrapKey(kernel.keyring.kek, key),
        created_at: new Date(now),
      })
      .execute();
    await trx
      .insertInto('subjects')
      .values({
        id,
        account_id: accountId,
        kind: 'caller',
        name: sealField(key, id, 'subjects.name', name),
        email: sealField(key, id, 'subjects.email', email),
        phone: null,
        name_bidx: kernel.vault.blindIndex('name', accountId, name),
        email_bidx: kernel.vault.blindIndex('email', accountId, email),
        phone_bidx: null,
        source: 'phone call',
        created_at: new Date(now),
        updated_at: new Date(now),
      })
      .execute();
    for (let start = 0; start < count; start += 1_000) {
      const messages = [];
      const terms = [];
      for (let i = start; i < Math.min(count, start + 1_000); i += 1) {
        const messageId = crypto.randomUUID();
        const body = `Please call back about the lease renewal, reference ${i}, before Friday`;
        messages.push({
          id: messageId,
          account_id: accountId,
          caller_subject_id: id,
          company: sealField(key, id, 'phone_messages.company', 'Quennell Surveyors'),
          reason: sealField(key, id, 'phone_messages.reason', 'lease renewal'),
          body: sealField(key, id, 'phone_messages.body', body),
          urgency: 'normal' as const,
          callback_requested: true,
          call_at: new Date(now - i * 60_000),
          taken_by: '00000000-0000-4000-8000-0000000000aa',
          idempotency_key: null,
          created_at: new Date(now - i * 60_000),
        });
        for (const term of searchTerms(kernel.vault, accountId, ['Quennell Surveyors', 'lease renewal', body])) {
          terms.push({ account_id: accountId, item_kind: 'message' as const, item_id: messageId, term });
        }
      }
      await trx.insertInto('phone_messages').values(messages).execute();
      for (let i = 0; i < terms.length; i += 5_000) {
        await trx
          .insertInto('item_search_terms')
          .values(terms.slice(i, i + 5_000))
          .execute();
      }
    }
  });

  return id;
};

/** Logs and verifies a request about `email`; routing makes the part at the client, which is what is answered. */
const routedPart = async (kernel: Kernel, kind: 'access' | 'erasure', email: string, accountId: string) => {
  await logStaffRequest(kernel, {
    kind,
    email,
    channel: 'email',
    verification: { method: 'document', note: 'bench' },
    actor: STAFF,
  });
  const part = await kernel.db.tenant(accountId, (trx) =>
    trx
      .selectFrom('rights_requests')
      .select('id')
      .where('kind', '=', kind)
      .where('status', '=', 'received')
      .orderBy('received_at', 'desc')
      .executeTakeFirstOrThrow(),
  );

  return part.id;
};

/** The floor: the same rows in one query, every field opened with the person's key, serialised. */
const accessFloor = async (kernel: Kernel, accountId: string, subjectId: string) =>
  kernel.db.tenant(accountId, async (trx) => {
    const keyRow = await trx
      .selectFrom('subject_keys')
      .select('wrapped')
      .where('subject_id', '=', subjectId)
      .executeTakeFirstOrThrow();
    const key = unwrapKey(kernel.keyring.kek, keyRow.wrapped);
    const person = await trx.selectFrom('subjects').selectAll().where('id', '=', subjectId).executeTakeFirstOrThrow();
    const rows = await trx
      .selectFrom('phone_messages')
      .select(['id', 'company', 'reason', 'body', 'call_at', 'urgency'])
      .where('account_id', '=', accountId)
      .where('caller_subject_id', '=', subjectId)
      .execute();
    const open = (blob: Buffer | null, field: string) => (blob ? openField(key, blob, field) : null);

    return JSON.stringify({
      name: open(person.name, 'subjects.name'),
      email: open(person.email, 'subjects.email'),
      messages: rows.map((r) => ({
        id: r.id,
        company: open(r.company, 'phone_messages.company'),
        reason: open(r.reason, 'phone_messages.reason'),
        body: open(r.body, 'phone_messages.body'),
        callAt: r.call_at.toISOString(),
        urgency: r.urgency,
      })),
    }).length;
  });

export const rightsBench = async (opts: { write: boolean; full?: boolean; scale?: number; runs?: number }) => {
  const scale = opts.scale ?? (opts.full ? 1 : 1 / 25);
  const size = background(scale);
  const throwaway = await throwawayPostgres('rights');
  if (!throwaway) {
    console.log('rights bench: no PostgreSQL server answers; skipped (it needs one for tier M).');
    return null;
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-bench-rights-'));
  const db = await openDatabase({ databaseUrl: throwaway.url, poolSize: 4 });
  const kernel = await createKernel(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), {
    db,
    keyring: ephemeralKeyring(),
    mailer: noMail,
  });
  try {
    await ensureProviderAccount(kernel, 'Bench provider');
    const rows = size.people * 2 + size.messages + size.audit;
    console.log(`rights bench on PostgreSQL: writing ${fmt(rows)} background rows (tier M × ${scale})…`);
    const fillStart = performance.now();
    await fillBackground(kernel, size);
    const fillSeconds = (performance.now() - fillStart) / 1000;
    console.log(`  background written in ${fmt(fillSeconds, 1)} s`);

    const accessAccount = await createClientAccount(kernel, { name: 'Access Co' });
    const erasureAccount = await createClientAccount(kernel, { name: 'Erasure Co' });
    const RUNS = opts.runs ?? 5;
    const accessEmail = 'marlow.q@example.test';
    const accessSubject = await seedPerson(kernel, accessAccount, accessEmail, 1_000);
    const erasurePeople = [];
    for (let i = 0; i < 3; i += 1) {
      const email = `marlow.e${i}@example.test`;
      erasurePeople.push({ email, id: await seedPerson(kernel, erasureAccount, email, 10_000) });
    }
    await kernel.db.system((trx) => sql`analyze`.execute(trx));
    const vacuuming = await kernel.db.executeSql(
      "select count(*)::int as n from pg_stat_activity where backend_type = 'autovacuum worker'",
    );
    console.log(`  autovacuum workers running as the measurements start: ${(vacuuming.rows[0] as { n: number }).n}`);

    const parts = [];
    for (let i = 0; i < RUNS + 1; i += 1) parts.push(await routedPart(kernel, 'access', accessEmail, accessAccount));
    const floors: number[] = [];
    const access: number[] = [];
    const accessCpu: number[] = [];
    for (let i = 0; i < RUNS + 1; i += 1) {
      let t = performance.now();
      await accessFloor(kernel, accessAccount, accessSubject);
      const floor = performance.now() - t;
      t = performance.now();
      const cpu = process.cpuUsage();
      await completeRequest(kernel, SUBJECT_DATA_SOURCES, {
        accountId: accessAccount,
        requestId: parts[i] as string,
        actor: { id: null, role: 'owner' },
        input: { reviewedForOtherPeople: true },
      });
      const full = performance.now() - t;
      const used = process.cpuUsage(cpu);
      // The first round warms caches and the JIT for both.
      if (i > 0) {
        floors.push(floor);
        access.push(full);
        accessCpu.push((used.user + used.system) / 1000);
      }
    }
    const erasure: number[] = [];
    for (const person of erasurePeople) {
      const part = await routedPart(kernel, 'erasure', person.email, erasureAccount);
      const t = performance.now();
      await completeRequest(kernel, SUBJECT_DATA_SOURCES, {
        accountId: erasureAccount,
        requestId: part,
        actor: { id: null, role: 'owner' },
        input: {},
      });
      erasure.push(performance.now() - t);
      const left = await kernel.db.system((trx) =>
        trx
          .selectFrom('phone_messages')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('caller_subject_id', '=', person.id)
          .executeTakeFirstOrThrow(),
      );
      if (Number(left.n) !== 0) throw new Error('erasure left messages behind');
    }
    const result = {
      rows,
      fillSeconds,
      floorMs: median(floors),
      accessMs: median(access),
      erasureMs: median(erasure),
      erasureMaxMs: Math.max(...erasure),
    };
    console.log(
      `  access (1 000 records): ${fmt(result.accessMs, 1)} ms median of ${RUNS}, floor ${fmt(result.floorMs, 1)} ms (${fmt(result.accessMs / result.floorMs, 2)}×); Node CPU ${fmt(median(accessCpu), 1)} ms`,
    );
    console.log(
      `  erasure (10 000 records): ${fmt(result.erasureMs)} ms median of ${erasure.length}, max ${fmt(result.erasureMaxMs)} ms`,
    );
    if (opts.write) writeReport(result, opts.full === true);

    return result;
  } finally {
    await kernel.close();
    await db.close();
    await throwaway.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
};

const writeReport = (
  r: { rows: number; fillSeconds: number; floorMs: number; accessMs: number; erasureMs: number; erasureMaxMs: number },
  full: boolean,
) => {
  const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const block = [
    BEGIN,
    '',
    `Run ${new Date().toISOString().slice(0, 10)} on PostgreSQL 15, ${os.cpus().length} CPUs, Node ${process.version} ${process.execArgv.join(' ')} (the server's flags), load average ${load}: \`node bench/rights.ts${full ? ' --full' : ''}\`, over ${fmt(r.rows)} background rows (${full ? 'tier M' : 'a 1/25 slice of tier M'}; written in ${fmt(r.fillSeconds)} s).`,
    '',
    '| measure | result | goal |',
    '| --- | ---: | --- |',
    `| access package, 1 000 records (median of 5) | ${fmt(r.accessMs, 1)} ms | < 300 ms |`,
    `| floor: one SQL query + decrypt + JSON, same rows | ${fmt(r.floorMs, 1)} ms | |`,
    `| access ÷ floor | ${fmt(r.accessMs / r.floorMs, 2)}× | ≤ 2× |`,
    `| erasure, 10 000 records (median of 3; max) | ${fmt(r.erasureMs)} ms (${fmt(r.erasureMaxMs)} ms) | < 2 s |`,
    '',
    END,
  ].join('\n');
  const report = fs.readFileSync(REPORT, 'utf8');
  const next = report.includes(BEGIN)
    ? report.replace(new RegExp(`${BEGIN}[\\s\\S]*?${END}`), block)
    : `${report.trimEnd()}\n\n## Rights requests: access package and erasure (issue 5)\n\n${block}\n`;
  fs.writeFileSync(REPORT, next);
};

if (import.meta.url === `file://${process.argv[1]}`) {
  // The access package and its floor both run in this process, as the server would: under its V8 flags.
  runUnderServerFlags(import.meta.url);
  const { values } = parseArgs({
    options: {
      full: { type: 'boolean', default: false },
      // A smaller background for profiling, e.g. --scale 0.001; the figures written are then not tier M's.
      scale: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
      // More access rounds for profiling or a steadier median on a shared machine (5 by default, as reported).
      runs: { type: 'string' },
    },
  });
  await rightsBench({
    write: !values['no-write'],
    full: values.full,
    ...(values.scale ? { scale: Number(values.scale) } : {}),
    ...(values.runs ? { runs: Number(values.runs) } : {}),
  });
}
