/**
 * An isolated, migrated database for one test file, on PGlite or (with TEST_DATABASE_URL) on PostgreSQL.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';
import { type Database, openDatabase } from '../../src/kernel/db/database.ts';
import { withDatabase } from './global-setup.ts';

export type TestDatabase = Database & {
  readonly dataDir?: string;
  /** The connection string of this isolated database, on PostgreSQL only (for code that opens its own pool, like the CLI). */
  readonly url?: string;
};

export const openTestDatabase = async (options: { dataDir?: string } = {}): Promise<TestDatabase> => {
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const name = `custodian_t_${crypto.randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database ${name} template ${inject('pgTemplate')}`);
    const databaseUrl = withDatabase(url, name);
    const db = await openDatabase({ databaseUrl, poolSize: 4 });

    return {
      ...db,
      url: databaseUrl,
      close: async () => {
        await db.close();
        // pg's pool.end() resolves before its sockets close; a forced drop would then terminate a live connection
        // and its FATAL would surface as an uncaught error in the test process. Wait for the server to see them go.
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
      },
    };
  }
  const template = new Blob([fs.readFileSync(inject('pgliteTemplate'))]);
  const pglite = options.dataDir
    ? new PGlite(options.dataDir, { loadDataDir: template })
    : new PGlite({ loadDataDir: template });
  await pglite.waitReady;
  const db = await openDatabase({ pglite });

  return {
    ...db,
    dataDir: options.dataDir,
    close: async () => {
      await db.close();
      await pglite.close();
    },
  };
};

export const onPostgres = () => Boolean(process.env.TEST_DATABASE_URL);
