import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { onPostgres, openTestDatabase } from '../../test/support/db.ts';
import { main } from '../cli/main.ts';

const capture = () => {
  const lines = { log: [] as string[], error: [] as string[] };

  return { lines, out: { log: (l: string) => lines.log.push(l), error: (l: string) => lines.error.push(l) } };
};

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-rights-cli-'));
const db = await openTestDatabase(onPostgres() ? {} : { dataDir: path.join(dataDir, 'pgdata') });
if (!onPostgres()) await db.close();
const env = { DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...(db.url ? { DATABASE_URL: db.url } : {}) };

afterAll(async () => {
  if (onPostgres()) await db.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('custodian rights', () => {
  it('names the bad flag and writes nothing', async () => {
    const bad = capture();
    expect(
      await main(
        ['rights', 'log', '--kind', 'teleport', '--email', 'a@example.test', '--channel', 'post'],
        env,
        bad.out,
      ),
    ).toBe(2);
    expect(bad.lines.error.join('\n')).toMatch(/^--kind: /);
    const half = capture();
    expect(
      await main(
        [
          'rights',
          'log',
          '--kind',
          'access',
          '--email',
          'a@example.test',
          '--channel',
          'post',
          '--verified-by',
          'document',
        ],
        env,
        half.out,
      ),
    ).toBe(2);
    expect(half.lines.error.join('\n')).toMatch(/^--note: give --verified-by and --note together/);
    const empty = capture();
    expect(await main(['rights', 'queue'], env, empty.out)).toBe(0);
    expect(empty.lines.log).toEqual(['No requests.']);
  });

  it('CV-9: logs a request checked by document; the queue shows its due date and no personal data', async () => {
    const logged = capture();
    const code = await main(
      [
        'rights',
        'log',
        '--kind',
        'access',
        '--email',
        'tamsin.rook@example.test',
        '--name',
        'Tamsin Rook',
        '--channel',
        'post',
        '--verified-by',
        'document',
        '--note',
        'copy of a utility bill',
      ],
      env,
      logged.out,
    );
    expect(code).toBe(0);
    expect(logged.lines.log.join('\n')).toMatch(/verified; routed/);
    const queue = capture();
    expect(await main(['rights', 'queue', '--status', 'open'], env, queue.out)).toBe(0);
    const text = queue.lines.log.join('\n');
    expect(text).toMatch(/access +received +\d{4}-\d{2}-\d{2}/);
    expect(text).not.toMatch(/tamsin|Rook/i);
    const sweep = capture();
    expect(await main(['rights', 'sweep'], env, sweep.out)).toBe(0);
    expect(sweep.lines.log.join('\n')).toMatch(/^Reminders sent: 0;/);
  });
});
