/**
 * @module One database code path for both back ends: `pg` + Kysely, talking either to a PostgreSQL server
 * (`DATABASE_URL`) or to embedded PGlite through its node-postgres adapter.
 *
 * Two scopes reach the data:
 * - `tenant(accountId, fn)`: a transaction running as the `custodian_app` role, which has no BYPASSRLS, with the
 *   account id set for row-level security. Every read or write of client data goes through here.
 * - `system(fn)`: a transaction as the connecting (owner) role, for sign-in look-ups, jobs, migrations and
 *   audit verification across accounts.
 * - `systemRead(fn)`: the same role with no transaction, for one-statement look-ups on every request (session).
 *
 * @example
 * const db = await openDatabase({ databaseUrl: undefined, dataDir: './data' })
 * const notes = await db.tenant(accountId, (trx) => trx.selectFrom('contact_notes').selectAll().execute())
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresDialect,
  type PostgresDialectConfig,
  PostgresDriver,
  type PostgresPool,
  sql,
  type Transaction,
  type TransactionSettings,
} from 'kysely';
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
  /**
   * Reads as the owner role with no transaction around them: each statement commits by itself, on whichever pooled
   * connection is free. For look-ups that need no snapshot shared between statements (a session, an account's
   * status), where `begin` and `commit` would triple the round trips of a one-statement read. Never write here:
   * nothing is atomic, and the audit trail appends at once instead of before a commit.
   */
  systemRead<T>(fn: (trx: Trx) => Promise<T>): Promise<T>;
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

const commitTasks = new WeakMap<Trx, (() => Promise<void>)[]>();

/**
 * Queues work to run at the end of a transaction opened by `tenant`, `untenanted` or `system`: inside it, after the
 * caller's function, before commit (the audit trail appends its events this way, holding its chain lock briefly).
 * Returns false when `trx` is not such a transaction; the caller must then do the work at once.
 */
export const beforeCommit = (trx: Trx, task: () => Promise<void>): boolean => {
  const tasks = commitTasks.get(trx);
  if (!tasks) return false;
  tasks.push(task);

  return true;
};

const withCommitTasks = async <T>(trx: Trx, fn: (trx: Trx) => Promise<T>): Promise<T> => {
  const tasks: (() => Promise<void>)[] = [];
  commitTasks.set(trx, tasks);
  try {
    const result = await fn(trx);
    // A task may queue another (an audit event recorded by a task): run until none is left.
    for (let i = 0; i < tasks.length; i += 1) await tasks[i]?.();

    return result;
  } finally {
    commitTasks.delete(trx);
  }
};

/** The account a tenant transaction is opening for, seen only by the driver's `begin` (see `TenantDriver`). */
const opening = new AsyncLocalStorage<string>();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Opens a tenant transaction, switches to the app role and sets the account in one round trip instead of two: a
 * simple-protocol `begin; select set_config(…)`. The account id is inlined as a literal, so only a well-formed
 * UUID takes this path; anything else is set with a bound parameter after `begin`.
 */
class TenantDriver extends PostgresDriver {
  override async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const accountId = opening.getStore();
    if (accountId === undefined || !UUID.test(accountId) || settings.isolationLevel || settings.accessMode)
      return super.beginTransaction(connection, settings);
    try {
      await connection.executeQuery(
        CompiledQuery.raw(
          `begin; select set_config('role', '${APP_ROLE}', true), set_config('app.account_id', '${accountId}', true)`,
        ),
      );
    } catch (error) {
      // Kysely does not roll back a failed `begin`: never hand the connection back inside a transaction.
      await connection.executeQuery(CompiledQuery.raw('rollback')).catch(() => null);
      throw error;
    }
  }
}

class TenantDialect extends PostgresDialect {
  readonly #config: PostgresDialectConfig;

  constructor(config: PostgresDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new TenantDriver(this.#config);
  }
}

/** Distinct statement texts one connection keeps prepared; past this, new texts run unnamed (parsed every time). */
const PREPARED_PER_CONNECTION = 2_000;
const prepared = new WeakMap<pg.PoolClient, Map<string, string>>();

/**
 * Runs each parameterised statement Kysely sends as a named prepared statement, named after its text per connection:
 * the server parses, rewrites (row-level security) and plans it once per connection instead of on every request,
 * which is much of its CPU for the short statements of a request. PostgreSQL re-plans a prepared statement by itself
 * when a table it reads changes or when it runs under another role, so row-level security is applied as before.
 * Only Kysely's calls are named (text and values, no callback); `executeSql` and pg-boss keep unnamed statements.
 */
const preparingPool = (pool: pg.Pool): PostgresPool => ({
  connect: async () => {
    const client = await pool.connect();
    if (!prepared.has(client)) {
      const names = new Map<string, string>();
      prepared.set(client, names);
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      Object.assign(client, {
        query: (...args: unknown[]) => {
          const [text, values] = args;
          if (args.length !== 2 || typeof text !== 'string' || !Array.isArray(values) || values.length === 0)
            return query(...args);
          let name = names.get(text);
          if (name === undefined && names.size < PREPARED_PER_CONNECTION) {
            name = `custodian_${names.size}`;
            names.set(text, name);
          }

          return name === undefined ? query(text, values) : query({ name, text, values });
        },
      });
    }

    return client;
  },
  end: () => pool.end(),
  // Kysely opens a side connection of the same kind to cancel a query.
  Client: (pool as unknown as { Client: PostgresPool['Client'] }).Client,
  options: pool.options,
});

const wrap = (kind: Database['kind'], pool: pg.Pool, pglite: PGlite | undefined, ownsBackend: boolean): Database => {
  // Only on a server: every client of a PGlite pool is the same single session, so a client the pool re-creates
  // after an idle timeout would find its statement names already taken.
  const kysely = new Kysely<DB>({
    dialect: new TenantDialect({ pool: kind === 'postgres' ? preparingPool(pool) : pool }),
  });

  const asApp = async <T>(accountId: string | null, fn: (trx: Trx) => Promise<T>) => {
    if (accountId !== null && UUID.test(accountId)) {
      // `begin` reads the account from `opening`; `fn` runs outside it, so a transaction it opens is its own.
      return opening.run(accountId, () =>
        kysely.transaction().execute((trx) => opening.exit(() => withCommitTasks(trx, fn))),
      );
    }

    return kysely.transaction().execute(async (trx) => {
      await sql`select set_config('role', ${APP_ROLE}, true), set_config('app.account_id', ${accountId ?? ''}, true)`.execute(
        trx,
      );

      return withCommitTasks(trx, fn);
    });
  };

  return {
    kind,
    kysely,
    pool,
    pglite,
    tenant: (accountId, fn) => asApp(accountId, fn),
    untenanted: (fn) => asApp(null, fn),
    system: (fn) => kysely.transaction().execute((trx) => withCommitTasks(trx, fn)),
    // The cast is the point: `fn` gets the pool-backed Kysely under the transaction type, so repository functions
    // written for `system` serve here too; transaction-only behaviour (beforeCommit) is absent, as documented.
    systemRead: (fn) => fn(kysely as unknown as Trx),
    executeSql: async (text, values) => {
      const result = await pool.query(text, values as unknown[] | undefined);

      return { rows: result.rows };
    },
    close: async () => {
      await kysely.destroy();
      // Kysely ends the pool only if it ever ran a query; the start-up check above opened a client regardless.
      if (!pool.ended) await pool.end();
      if (pglite && ownsBackend) await pglite.close();
    },
  };
};
