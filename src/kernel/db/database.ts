/**
 * @module One database code path for both back ends: `pg` + Kysely, talking either to a PostgreSQL server
 * (`DATABASE_URL`) or to embedded PGlite through its node-postgres adapter.
 *
 * Two scopes reach the data:
 * - `tenant(accountId, fn)`: a transaction running as the `custodian_app` role, which has no BYPASSRLS, with the
 *   account id set for row-level security. Every read or write of client data goes through here.
 * - `system(fn)`: a transaction as the connecting (owner) role, for sign-in look-ups, jobs, migrations and
 *   audit verification across accounts.
 *
 * @example
 * const db = await openDatabase({ databaseUrl: undefined, dataDir: './data' })
 * const notes = await db.tenant(accountId, (trx) => trx.selectFrom('contact_notes').selectAll().execute())
 */
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.ts';

export const APP_ROLE = 'custodian_app';

export type Trx = Transaction<DB>;

export type Database = {
  readonly kind: 'pglite' | 'postgres';
  /** The owner connection. Features never use it directly: they go through `tenant` or `system`. */
  readonly kysely: Kysely<DB>;
  readonly pool: pg.Pool;
  readonly pglite: PGlite | undefined;
  tenant<T>(accountId: string, fn: (trx: Trx) => Promise<T>): Promise<T>;
  /** Runs as the app role with no account set: row-level security must then show nothing. */
  untenanted<T>(fn: (trx: Trx) => Promise<T>): Promise<T>;
  system<T>(fn: (trx: Trx) => Promise<T>): Promise<T>;
  /** Raw SQL for adapters (pg-boss) that bring their own queries. */
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  close(): Promise<void>;
};

export type OpenDatabaseOptions = { databaseUrl: string; poolSize?: number } | { dataDir: string } | { pglite: PGlite };

export const openDatabase = async (options: OpenDatabaseOptions): Promise<Database> => {
  if ('databaseUrl' in options) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    await pool.query('select 1');

    return wrap('postgres', pool, undefined, true);
  }
  const ownsPglite = !('pglite' in options);
  const pglite = 'pglite' in options ? options.pglite : await openPglite(options.dataDir);
  // One PGlite instance is one session: a single pooled client serialises transactions, so pg-boss and
  // the app never interleave statements inside each other's transactions.
  const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1 });

  return wrap('pglite', pool, pglite, ownsPglite);
};

const openPglite = async (dataDir: string) => {
  const dir = path.join(dataDir, 'pgdata');
  fs.mkdirSync(dir, { recursive: true });
  const pglite = new PGlite(dir);
  await pglite.waitReady;

  return pglite;
};

const wrap = (kind: Database['kind'], pool: pg.Pool, pglite: PGlite | undefined, ownsBackend: boolean): Database => {
  const kysely = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });

  const asApp = async <T>(accountId: string | null, fn: (trx: Trx) => Promise<T>) =>
    kysely.transaction().execute(async (trx) => {
      await sql`select set_config('role', ${APP_ROLE}, true), set_config('app.account_id', ${accountId ?? ''}, true)`.execute(
        trx,
      );

      return fn(trx);
    });

  return {
    kind,
    kysely,
    pool,
    pglite,
    tenant: (accountId, fn) => asApp(accountId, fn),
    untenanted: (fn) => asApp(null, fn),
    system: (fn) => kysely.transaction().execute(fn),
    executeSql: async (text, values) => {
      const result = await pool.query(text, values as unknown[] | undefined);

      return { rows: result.rows };
    },
    close: async () => {
      await kysely.destroy();
      if (pglite && ownsBackend) await pglite.close();
    },
  };
};
