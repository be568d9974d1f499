/**
 * What a marker grep reads on a database server, where the files cannot be grepped: every value of every row of
 * every table outside the system catalogues, as bytes (bytea as is, the rest as text).
 */
import { sql } from 'kysely';
import type { Database } from '../../src/kernel/db/database.ts';

export const everyStoredValue = (db: Database): Promise<Buffer[]> =>
  db.system(async (trx) => {
    const tables = await sql<{ schema: string; name: string }>`
      select table_schema as schema, table_name as name from information_schema.tables
      where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`.execute(trx);
    const values: Buffer[] = [];
    for (const table of tables.rows) {
      const rows = await sql<
        Record<string, unknown>
      >`select * from ${sql.table(`${table.schema}.${table.name}`)}`.execute(trx);
      for (const row of rows.rows) {
        for (const value of Object.values(row)) {
          if (value === null || value === undefined) continue;
          values.push(
            Buffer.isBuffer(value) ? value : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
          );
        }
      }
    }

    return values;
  });
