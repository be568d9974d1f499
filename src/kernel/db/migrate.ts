/**
 * @module Versioned migrations, applied in order under an advisory lock so two starting processes never race.
 *
 * @example
 * const applied = await migrate(db) // ['0001-kernel'] on a fresh database, [] after
 */
import { sql } from 'kysely';
import type { Database } from './database.ts';
import { kernelMigration } from './migrations/0001-kernel.ts';
import { policyMigration } from './migrations/0002-policy.ts';
import { officeMigration } from './migrations/0003-office.ts';
import { rightsMigration } from './migrations/0004-rights.ts';
import { consentMigration } from './migrations/0005-consent.ts';
import { corporateSubscribersMigration } from './migrations/0006-corporate-subscribers.ts';

export type Migration = { name: string; up: string };

export const MIGRATIONS: readonly Migration[] = [
  kernelMigration,
  policyMigration,
  officeMigration,
  consentMigration,
  corporateSubscribersMigration,
  rightsMigration,
];

const LOCK_KEY = 4_242_001;

export const migrate = async (db: Database, migrations: readonly Migration[] = MIGRATIONS): Promise<string[]> =>
  db.system(async (trx) => {
    await sql`select pg_advisory_xact_lock(${LOCK_KEY})`.execute(trx);
    await sql`create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())`.execute(
      trx,
    );
    const done = new Set(
      (await sql<{ name: string }>`select name from schema_migrations`.execute(trx)).rows.map((r) => r.name),
    );
    const applied: string[] = [];
    for (const migration of migrations) {
      if (done.has(migration.name)) continue;
      // Parameterless, so pg sends it over the simple protocol and a multi-statement script is allowed.
      await sql.raw(migration.up).execute(trx);
      await sql`insert into schema_migrations (name) values (${migration.name})`.execute(trx);
      applied.push(migration.name);
    }

    return applied;
  });
