/**
 * @module Backups that keep crypto-shredding true (AS-19, AS-21).
 *
 * A data backup holds every table except the key store (`subject_keys`) and live sessions: ciphertext without keys.
 * The key store is backed up on its own, and only when asked. Restoring an old data backup beside the live key store
 * therefore leaves everyone erased since the backup unreadable; restoring an old key-store backup too is followed by
 * replaying the erasure ledger, so a restore never brings an erased person back.
 *
 * @example
 * await createBackup(kernel, { dataDir: '/backups/2026-11-23', keysDir: '/vault/2026-11-23' })
 * await restoreBackup(freshKernel, { dataDir: '/backups/2026-11-23', replayLedgerFrom: liveLedger })
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { sql } from 'kysely';
import { recordAudit, SYSTEM_ACTOR } from '../kernel/audit/audit.ts';
import type { Trx } from '../kernel/db/database.ts';
import { PROVIDER_ACCOUNT_ID } from '../kernel/db/schema.ts';
import { AppError } from '../kernel/errors.ts';
import type { Kernel } from '../kernel/kernel.ts';

const KEY_TABLES = ['subject_keys'] as const;
/** Sessions are credentials of the moment; a restored system signs everyone in again. */
const SKIPPED_TABLES = new Set(['sessions', 'schema_migrations', ...KEY_TABLES]);
const BATCH = 1_000;
const FORMAT = 'custodian.backup/1';

type Deps = Pick<Kernel, 'db' | 'clock'>;

export type BackupManifest = {
  format: typeof FORMAT;
  kind: 'data' | 'keys';
  createdAt: string;
  migrations: string[];
  tables: { name: string; rows: number }[];
};

/** Tables in an order that inserts parents before children. */
const tablesInLoadOrder = async (trx: Trx): Promise<string[]> => {
  const tables = (
    await sql<{ name: string }>`select table_name as name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`.execute(trx)
  ).rows.map((r) => r.name);
  const edges = (
    await sql<{
      child: string;
      parent: string;
    }>`select c.conrelid::regclass::text as child, c.confrelid::regclass::text as parent
      from pg_constraint c join pg_namespace n on n.oid = c.connamespace
      where c.contype = 'f' and n.nspname = 'public'`.execute(trx)
  ).rows;
  const ordered: string[] = [];
  const visit = (table: string, path: Set<string>) => {
    if (ordered.includes(table) || path.has(table)) return;
    path.add(table);
    for (const e of edges) if (e.child === table && e.parent !== table) visit(e.parent, path);
    ordered.push(table);
  };
  for (const t of tables) visit(t, new Set());

  return ordered;
};

const dumpTable = async (trx: Trx, table: string, file: string) => {
  const rows = async function* () {
    for (let offset = 0; ; offset += BATCH) {
      const batch = (
        await sql<{
          row: unknown;
        }>`select to_jsonb(t) as row from ${sql.table(table)} t order by ctid offset ${offset} limit ${BATCH}`.execute(
          trx,
        )
      ).rows;
      for (const r of batch) yield `${JSON.stringify(r.row)}\n`;
      if (batch.length < BATCH) return;
    }
  };
  let count = 0;
  const counted = async function* () {
    for await (const line of rows()) {
      count += 1;
      yield line;
    }
  };
  await pipeline(Readable.from(counted()), createGzip(), fs.createWriteStream(file, { mode: 0o600 }));

  return count;
};

const writeSet = async (trx: Trx, dir: string, kind: BackupManifest['kind'], tables: string[], at: Date) => {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (fs.readdirSync(dir).length > 0) throw new AppError('CONFLICT', `The backup folder is not empty: ${dir}`);
  const manifest: BackupManifest = {
    format: FORMAT,
    kind,
    createdAt: at.toISOString(),
    migrations: (await sql<{ name: string }>`select name from schema_migrations order by name`.execute(trx)).rows.map(
      (r) => r.name,
    ),
    tables: [],
  };
  for (const table of tables)
    manifest.tables.push({ name: table, rows: await dumpTable(trx, table, path.join(dir, `${table}.jsonl.gz`)) });
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2), { mode: 0o600 });

  return manifest;
};

/**
 * Writes a consistent snapshot (one repeatable-read transaction) of the data, and of the key store only if
 * `keysDir` is given. The two must be stored apart, the key store with a short retention.
 */
export const createBackup = async (deps: Deps, options: { dataDir: string; keysDir?: string }) =>
  deps.db.kysely
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const tables = (await tablesInLoadOrder(trx)).filter((t) => !SKIPPED_TABLES.has(t));
      const data = await writeSet(trx, options.dataDir, 'data', tables, deps.clock.now());
      const keys = options.keysDir
        ? await writeSet(trx, options.keysDir, 'keys', [...KEY_TABLES], deps.clock.now())
        : null;

      return { data, keys };
    });

const readManifest = (dir: string, kind: BackupManifest['kind']): BackupManifest => {
  const file = path.join(dir, 'manifest.json');
  if (!fs.existsSync(file)) throw new AppError('NOT_FOUND', `No backup manifest in ${dir}`);
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as BackupManifest;
  if (manifest.format !== FORMAT || manifest.kind !== kind)
    throw new AppError('BAD_REQUEST', `${dir} is not a ${kind} backup`);

  return manifest;
};

const loadTable = async (trx: Trx, dir: string, table: string) => {
  const lines = readline.createInterface({
    input: fs.createReadStream(path.join(dir, `${table}.jsonl.gz`)).pipe(createGunzip()),
  });
  let batch: string[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await sql`insert into ${sql.table(table)} select * from jsonb_populate_recordset(null::${sql.table(table)}, ${`[${batch.join(',')}]`}::jsonb)`.execute(
      trx,
    );
    batch = [];
  };
  for await (const line of lines) {
    if (!line) continue;
    batch.push(line);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
};

/** Moves every serial sequence past the restored ids. */
const resetSequences = async (trx: Trx) => {
  const serials = (
    await sql<{ table: string; column: string; seq: string }>`select c.table_name as table, c.column_name as column,
        pg_get_serial_sequence(quote_ident(c.table_name), c.column_name) as seq
      from information_schema.columns c
      where c.table_schema = 'public' and c.column_default like 'nextval(%'`.execute(trx)
  ).rows;
  for (const s of serials) {
    if (!s.seq) continue;
    await sql`select setval(${s.seq}::regclass, coalesce((select max(${sql.ref(s.column)}) from ${sql.table(s.table)}), 0) + 1, false)`.execute(
      trx,
    );
  }
};

export type LedgerEntry = { subject_id: string; account_id: string; erased_at: Date; reason: string };

/**
 * Restores into an empty, migrated database. `replayLedger` holds the erasures recorded after the backup (read from
 * the system being replaced): each is applied again, so a restore never resurrects an erased person.
 */
export const restoreBackup = async (
  deps: Deps,
  options: { dataDir: string; keysDir?: string; replayLedger?: readonly LedgerEntry[] },
) => {
  const data = readManifest(options.dataDir, 'data');
  const keys = options.keysDir ? readManifest(options.keysDir, 'keys') : null;

  return deps.db.system(async (trx) => {
    const applied = (
      await sql<{ name: string }>`select name from schema_migrations order by name`.execute(trx)
    ).rows.map((r) => r.name);
    const missing = data.migrations.filter((m) => !applied.includes(m));
    if (missing.length > 0)
      throw new AppError('CONFLICT', `The backup needs migrations this system lacks: ${missing.join(', ')}`);
    const occupied = await trx.selectFrom('accounts').select('id').limit(1).executeTakeFirst();
    if (occupied) throw new AppError('CONFLICT', 'Restore only into an empty database');
    const order = await tablesInLoadOrder(trx);
    for (const table of order)
      if (data.tables.some((t) => t.name === table)) await loadTable(trx, options.dataDir, table);
    if (keys && options.keysDir) for (const t of keys.tables) await loadTable(trx, options.keysDir, t.name);
    await resetSequences(trx);

    const known = new Set(
      (await trx.selectFrom('erasure_ledger').select('subject_id').execute()).map((r) => r.subject_id),
    );
    const replay = (options.replayLedger ?? []).filter((e) => !known.has(e.subject_id));
    const everErased = [...known, ...replay.map((e) => e.subject_id)];
    if (replay.length > 0)
      await trx
        .insertInto('erasure_ledger')
        .values(replay.map((e) => ({ ...e })))
        .execute();
    // Keys of anyone erased, before or after the backup, must not survive a restore of an older key store, and the
    // rows about them go too (most cascade from `subjects`).
    let destroyed = 0;
    if (everErased.length > 0) {
      destroyed = Number(
        (await trx.deleteFrom('subject_keys').where('subject_id', 'in', everErased).executeTakeFirst()).numDeletedRows,
      );
      for (const table of await tablesWithSubjectColumn(trx)) {
        await sql`delete from ${sql.table(table)} where subject_id = any(${everErased}::uuid[])`.execute(trx);
      }
      await trx.deleteFrom('subjects').where('id', 'in', everErased).execute();
    }
    await recordAudit(trx, deps.clock, {
      accountId: PROVIDER_ACCOUNT_ID,
      actor: SYSTEM_ACTOR,
      action: 'system.restore',
      entity: 'backup',
      purpose: 'security',
      details: { backupCreatedAt: data.createdAt, replayedErasures: replay.length, keysRestored: keys !== null },
    });

    return {
      tables: data.tables.length,
      rows: data.tables.reduce((n, t) => n + t.rows, 0),
      replayed: replay.length,
      keysDestroyed: destroyed,
    };
  });
};

/** Tables that hold rows about one person by `subject_id`; the audit trail, the ledger and user accounts stay. */
const tablesWithSubjectColumn = async (trx: Trx) =>
  (
    await sql<{ table: string }>`select table_name as table from information_schema.columns
      where table_schema = 'public' and column_name = 'subject_id'
        and table_name not in ('audit_events', 'erasure_ledger', 'users', 'subject_keys')`.execute(trx)
  ).rows.map((r) => r.table);

/** The erasure ledger as stored in a data backup: the replay source when restoring an older backup. */
export const readLedgerFromBackup = async (dir: string): Promise<LedgerEntry[]> => {
  readManifest(dir, 'data');
  const entries: LedgerEntry[] = [];
  const lines = readline.createInterface({
    input: fs.createReadStream(path.join(dir, 'erasure_ledger.jsonl.gz')).pipe(createGunzip()),
  });
  for await (const line of lines) {
    if (!line) continue;
    const e = JSON.parse(line) as { subject_id: string; account_id: string; erased_at: string; reason: string };
    entries.push({ ...e, erased_at: new Date(e.erased_at) });
  }

  return entries;
};

export const readLedger = (deps: Pick<Kernel, 'db'>): Promise<LedgerEntry[]> =>
  deps.db.system((trx) => trx.selectFrom('erasure_ledger').selectAll().execute());
