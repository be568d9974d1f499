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

export type TestDatabase = Database & { readonly dataDir?: string };

export const openTestDatabase = async (options: { dataDir?: string } = {}): Promise<TestDatabase> => {
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const name = `custodian_t_${crypto.randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database ${name} template ${inject('pgTemplate')}`);
    const db = await openDatabase({ databaseUrl: withDatabase(url, name), poolSize: 4 });

    return {
      ...db,
      close: async () => {
        await db.close();
        await admin.query(`drop database if exists ${name} with (force)`);
        await admin.end();
      },
    };
  }
  const template = new Blob([fs.readFileSync(inject('pgliteTemplate'))]);
  const pglite = options.dataDir ? new PGlite(options.dataDir, { loadDataDir: template }) : new PGlite({ loadDataDir: template });
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
