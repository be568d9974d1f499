import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres, openTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { openDatabase } from '../kernel/db/database.ts';
import { PROVIDER_ACCOUNT_ID } from '../kernel/db/schema.ts';
import { main } from './main.ts';

const sut = main;

const capture = () => {
  const lines = { log: [] as string[], error: [] as string[] };

  return {
    lines,
    out: { log: (line: string) => lines.log.push(line), error: (line: string) => lines.error.push(line) },
  };
};

/**
 * An isolated, migrated database the CLI can open by itself: a PGlite data directory under DATA_DIR (closed here so
 * the CLI may open it), or a PostgreSQL database named by DATABASE_URL.
 */
const cliDatabase = async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-cli-'));
  const db: TestDatabase = await openTestDatabase(onPostgres() ? {} : { dataDir: path.join(dataDir, 'pgdata') });
  if (!onPostgres()) await db.close();
  const env = { DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...(db.url ? { DATABASE_URL: db.url } : {}) };

  return {
    dataDir,
    env,
    /** Runs `fn` on the owner connection while the CLI is not running. */
    withDb: async <T>(fn: (database: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>) => {
      if (onPostgres()) return fn(db);
      const local = await openDatabase({ dataDir });
      try {
        return await fn(local);
      } finally {
        await local.close();
      }
    },
    close: async () => {
      if (onPostgres()) await db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

describe(main.name, () => {
  it.each([['--help'], ['help'], []])('prints the commands for %j and returns 0', async (...argv) => {
    const { lines, out } = capture();

    expect(await sut(argv, {}, out)).toBe(0);
    const help = lines.log.join('\n');
    for (const command of ['start', 'migrate', 'demo', 'user:create', 'audit:verify']) {
      expect(help, command).toMatch(new RegExp(`^ {2}${command}\\b`, 'm'));
    }
  });

  it('returns 2 for an unknown command and names it', async () => {
    const { lines, out } = capture();

    expect(await sut(['user:delete'], {}, out)).toBe(2);
    expect(lines.error.join('\n')).toContain('Unknown command "user:delete"');
  });

  it('returns 1 and names the variable when the environment is invalid', async () => {
    const { lines, out } = capture();

    expect(await sut(['audit:verify'], { DATABASE_URL: 'mysql://localhost/custodian' }, out)).toBe(1);
    expect(lines.error.join('\n')).toMatch(/^Configuration error: DATABASE_URL: /);
  });

  describe('user:create', () => {
    let database: Awaited<ReturnType<typeof cliDatabase>>;
    beforeAll(async () => {
      database = await cliDatabase();
    });
    afterAll(async () => database.close());

    const valid = {
      '--email': 'avery@example.test',
      '--name': 'Avery Quinn',
      '--role': 'admin',
      '--password': 'a long enough password',
    };
    const argsWith = (changes: Record<string, string | null>) =>
      Object.entries({ ...valid, ...changes }).flatMap(([flag, value]) => (value === null ? [] : [flag, value]));

    it('names the bad flag (bad or missing --email, --name, --role, --password, --account, an unknown flag), returns 1, and changes nothing', async () => {
      const cases: [string, Record<string, string | null>][] = [
        ['--email', { '--email': 'not-an-address' }],
        ['--email', { '--email': null }],
        ['--name', { '--name': '  ' }],
        ['--role', { '--role': 'superuser' }],
        ['--password', { '--password': 'short' }],
        ['--account', { '--account': 'not-a-uuid' }],
        ['--emial', { '--emial': 'avery@example.test' }],
      ];
      const before = fs.readdirSync(database.dataDir).sort();
      for (const [flag, changes] of cases) {
        const { lines, out } = capture();

        expect(await sut(['user:create', ...argsWith(changes)], database.env, out), flag).toBe(1);
        expect(lines.error.join('\n'), flag).toContain(flag);
        expect(lines.log, flag).toEqual([]);
        expect(fs.readdirSync(database.dataDir).sort(), flag).toEqual(before);
      }

      expect(fs.existsSync(path.join(database.dataDir, 'keys'))).toBe(false);
      const users = await database.withDb((db) => db.system((trx) => trx.selectFrom('users').select('id').execute()));
      expect(users).toEqual([]);
    });
  });

  describe('audit:verify', () => {
    let database: Awaited<ReturnType<typeof cliDatabase>>;
    beforeAll(async () => {
      database = await cliDatabase();
    });
    afterAll(async () => database.close());

    it('returns 0 while every chain verifies, and 1 naming the broken event after tampering', async () => {
      const created = capture();
      const args = [
        '--email',
        'avery@example.test',
        '--name',
        'Avery Quinn',
        '--role',
        'admin',
        '--password',
        'a long enough password',
      ];
      expect(await sut(['user:create', ...args], database.env, created.out)).toBe(0);
      expect(created.lines.log).toEqual([expect.stringMatching(/^Created admin [0-9a-f-]{36}$/)]);

      const good = capture();
      expect(await sut(['audit:verify'], database.env, good.out)).toBe(0);
      expect(good.lines.error).toEqual([]);
      expect(good.lines.log).toContainEqual(
        expect.stringMatching(new RegExp(`^ok +${PROVIDER_ACCOUNT_ID} +\\d+ events$`)),
      );
      expect(good.lines.log.at(-1)).toMatch(/^All \d+ chains verify\.$/);

      await database.withDb((db) =>
        db.system(async (trx) => {
          await sql`alter table audit_events disable trigger audit_events_no_update`.execute(trx);
          await trx
            .updateTable('audit_events')
            .set({ action: 'user.delete' })
            .where('account_id', '=', PROVIDER_ACCOUNT_ID)
            .where('seq', '=', '1')
            .execute();
          await sql`alter table audit_events enable trigger audit_events_no_update`.execute(trx);
        }),
      );

      const bad = capture();
      expect(await sut(['audit:verify'], database.env, bad.out)).toBe(1);
      expect(bad.lines.error).toEqual([`BROKEN  ${PROVIDER_ACCOUNT_ID}  at event 1: content does not match its hash`]);
      expect(bad.lines.log.at(-1)).toMatch(/^1 of \d+ chains are broken\.$/);
    });
  });
});
