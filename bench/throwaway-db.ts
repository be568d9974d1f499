/**
 * @module A PostgreSQL database that exists only for one benchmark run: created on the server named by
 * `BENCH_DATABASE_URL` (default the local `postgres` database) and dropped afterwards, connections and all.
 *
 * @example
 * const db = await throwawayPostgres('rights') // null when no server answers
 * try { … db.url … } finally { await db?.drop() }
 */
import crypto from 'node:crypto';
import pg from 'pg';

export const throwawayPostgres = async (label: string) => {
  const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: serverUrl });
  const reachable = await admin.connect().then(
    () => true,
    () => false,
  );
  if (!reachable) return null;
  const name = `custodian_bench_${label}_${crypto.randomBytes(4).toString('hex')}`;
  await admin.query(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;

  return {
    url: url.toString(),
    drop: async () => {
      // pg's pool.end() resolves before its sockets close: let them go before the forced drop.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
};
