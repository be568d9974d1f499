/**
 * Migrates one template database per test run; every test file then gets its own copy (a PGlite clone of the
 * dumped data directory, or `CREATE DATABASE … TEMPLATE` on PostgreSQL when TEST_DATABASE_URL is set).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/kernel/db/database.ts';
import { migrate } from '../../src/kernel/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    pgTemplate: string;
  }
}

let cleanup: () => Promise<void> = async () => {};

export const setup = async (project: TestProject) => {
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const name = `custodian_tmpl_${process.pid}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`drop database if exists ${name}`);
    await admin.query(`create database ${name}`);
    const db = await openDatabase({ databaseUrl: withDatabase(url, name), poolSize: 1 });
    await migrate(db);
    await db.close();
    project.provide('pgTemplate', name);
    project.provide('pgliteTemplate', '');
    cleanup = async () => {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    };

    return;
  }
  const pglite = new PGlite();
  const db = await openDatabase({ pglite });
  await migrate(db);
  const dump = await pglite.dumpDataDir('none');
  await db.close();
  await pglite.close();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-tmpl-'));
  const file = path.join(dir, 'template.tar');
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteTemplate', file);
  project.provide('pgTemplate', '');
  cleanup = async () => fs.rmSync(dir, { recursive: true, force: true });
};

export const teardown = async () => cleanup();

export const withDatabase = (url: string, database: string) => {
  const u = new URL(url);
  u.pathname = `/${database}`;

  return u.toString();
};
