/**
 * Row counts of whole tables, read in the system scope: what "bad input changes nothing" tests compare before and after.
 */
import { sql } from 'kysely';
import type { Database } from '../../src/kernel/db/database.ts';
import type { DB } from '../../src/kernel/db/schema.ts';

export const rowCounts = <T extends keyof DB & string>(
  db: Database,
  tables: readonly T[],
): Promise<Record<T, number>> =>
  db.system(async (trx) => {
    const counts = {} as Record<T, number>;
    for (const table of tables) {
      const { rows } = await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(trx);
      counts[table] = Number(rows[0]?.n ?? 0);
    }

    return counts;
  });
