/**
 * `custodian consent import FILE.csv --account ID`: the HTTP route's list import from the command line, on a
 * database the CLI opens by itself (PGlite under DATA_DIR, or PostgreSQL with TEST_DATABASE_URL).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres, openTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { main } from '../cli/main.ts';
import { loadConfig } from '../kernel/config.ts';
import { openDatabase } from '../kernel/db/database.ts';
import { PROVIDER_ACCOUNT_ID } from '../kernel/db/schema.ts';
import { createKernel } from '../kernel/kernel.ts';
import { recordMarketingChoice } from './consent-records.ts';
import { parseImportCsv } from './import-csv.ts';

const capture = () => {
  const lines = { log: [] as string[], error: [] as string[] };
  return {
    lines,
    out: { log: (line: string) => lines.log.push(line), error: (line: string) => lines.error.push(line) },
  };
};

describe('custodian consent import', () => {
  let dir: string;
  let db: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-consent-cli-'));
    db = await openTestDatabase(onPostgres() ? {} : { dataDir: path.join(dir, 'pgdata') });
    if (!onPostgres()) await db.close();
    env = { DATA_DIR: dir, LOG_LEVEL: 'silent', ...(db.url ? { DATABASE_URL: db.url } : {}) };
  });

  afterAll(async () => {
    if (onPostgres()) await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };
  const run = async (...argv: string[]) => {
    const { lines, out } = capture();
    const code = await main(argv, env, out);
    return { code, ...lines };
  };
  /** Subjects and consent records in the database, read while the CLI is not running. */
  const counts = async () => {
    const database = onPostgres() ? db : await openDatabase({ dataDir: dir });
    try {
      return await database.system(async (trx) => ({
        subjects: Number(
          (
            await trx
              .selectFrom('subjects')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirst()
          )?.n,
        ),
        records: Number(
          (
            await trx
              .selectFrom('consent_records')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirst()
          )?.n,
        ),
      }));
    } finally {
      if (!onPostgres()) await database.close();
    }
  };

  it('is listed in --help', async () => {
    const { code, log } = await run('--help');
    expect(code).toBe(0);
    expect(log.join('\n')).toMatch(/^ {2}consent import FILE\.csv --account ID \[--source TEXT\]/m);
  });

  it('imports a list, prints the counts, and skips an address on the suppression list', async () => {
    const first = write(
      'first.csv',
      'name,email,phone,channels,topics\r\nAnn Able,ann@people.test,,email,marketing\n"Bo, Jr.",bo@people.test,07700 900123,,\n',
    );
    const result = await run('consent', 'import', first, '--account', PROVIDER_ACCOUNT_ID, '--source', 'trade show');
    expect(result).toMatchObject({ code: 0, error: [] });
    expect(result.log).toEqual(['Imported 2 new, matched 0 existing, skipped 0 suppressed; 1 consents recorded.']);
    expect(await counts()).toEqual({ subjects: 2, records: 1 });

    // Ann opts out (by whatever route): her address goes on the suppression list.
    const kernel = await createKernel(loadConfig(env));
    try {
      const [ann] = await kernel.db.system((trx) =>
        trx.selectFrom('consent_records').select('subject_id').where('account_id', '=', PROVIDER_ACCOUNT_ID).execute(),
      );
      await recordMarketingChoice(kernel, {
        accountId: PROVIDER_ACCOUNT_ID,
        subjectId: String(ann?.subject_id),
        channel: 'email',
        topic: 'all',
        state: 'withdrawn',
        basis: 'consent',
        method: 'phone',
        actor: { id: null, role: 'data_subject' },
      });
    } finally {
      await kernel.close();
    }
    const before = await counts();

    const second = write(
      'second.csv',
      'email,name,channels,topics\nANN@people.test ,Ann Again,email,marketing\ncy@people.test,Cy,email,marketing\n',
    );
    const again = await run('consent', 'import', second, '--account', PROVIDER_ACCOUNT_ID);
    expect(again.code).toBe(0);
    expect(again.log).toEqual(['Imported 1 new, matched 0 existing, skipped 1 suppressed; 1 consents recorded.']);
    expect(await counts()).toEqual({ subjects: before.subjects + 1, records: before.records + 1 });
  });

  it('names the line and field of a bad row, or the bad flag, and writes nothing for a bad file', async () => {
    const before = await counts();
    const badEmail = write('bad-email.csv', 'name,email\nDee,dee@people.test\nEve,not-an-address\n');
    const bad = await run('consent', 'import', badEmail, '--account', PROVIDER_ACCOUNT_ID);
    expect(bad.code).toBe(1);
    expect(bad.error).toEqual([expect.stringMatching(/bad-email\.csv: line 3: email: /)]);
    expect(bad.error[0]).not.toContain('not-an-address');

    const badChannel = write('bad-channel.csv', 'name,email,channels,topics\nFay,fay@people.test,pigeon,marketing\n');
    expect((await run('consent', 'import', badChannel, '--account', PROVIDER_ACCOUNT_ID)).error).toEqual([
      expect.stringMatching(/line 2: channels: /),
    ]);
    const badColumn = write('bad-column.csv', 'name,e-mail\nGus,gus@people.test\n');
    expect((await run('consent', 'import', badColumn, '--account', PROVIDER_ACCOUNT_ID)).error).toEqual([
      expect.stringMatching(/line 1: unknown column "e-mail"/),
    ]);

    // Valid CSV, but the second row's topic is not in the notice: the first row is rolled back with it.
    const badTopic = write(
      'bad-topic.csv',
      'name,email,channels,topics\nHal,hal@people.test,email,marketing\nIda,ida@people.test,email,lottery\n',
    );
    const rolled = await run('consent', 'import', badTopic, '--account', PROVIDER_ACCOUNT_ID);
    expect(rolled.code).toBe(1);
    expect(rolled.error).toEqual([expect.stringMatching(/"lottery" is not a marketing topic/)]);

    expect((await run('consent', 'import', badEmail)).error).toEqual(['--account: is required']);
    expect((await run('consent', 'import', badEmail, '--account', 'nope')).error).toEqual([
      '--account: must be an account id',
    ]);
    expect(
      (await run('consent', 'import', path.join(dir, 'missing.csv'), '--account', PROVIDER_ACCOUNT_ID)).error,
    ).toEqual([expect.stringMatching(/missing\.csv: cannot read the file/)]);
    expect(await counts()).toEqual(before);
  });

  it('parses quoted fields with commas, quotes and line breaks, and keeps lines numbered', () => {
    expect(parseImportCsv('name,email\n"Smith, ""Jo""",jo@people.test\n\n"Two\nLines",two@people.test\n')).toEqual([
      { name: 'Smith, "Jo"', email: 'jo@people.test' },
      { name: 'Two\nLines', email: 'two@people.test' },
    ]);
    expect(() => parseImportCsv('name,email\n"A\nB",x@people.test\nC,bad\n')).toThrow(/^line 4: email: /);
  });
});
