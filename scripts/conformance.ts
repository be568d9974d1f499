/**
 * @module `npm run conformance`: runs every test whose title names a commitment id (e.g. `it('CC-8: …')`) and
 * prints, per reference notice, one line per commitment: the id, how many tests name it, and pass, fail or missing.
 * Each such test loads the policy file of its notice (policies/<notice>.yaml) itself, so one run covers all five.
 * Exits 1 when any named test fails; "missing" lines are work still to do, not failures.
 *
 * @example
 * npm run conformance
 * npm run conformance -- --only CC   # one notice
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMITMENTS } from '../src/policy/commitments.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ID = /\b(AS|CC|CV|CP|VO)-(\d+)\b/g;
const TITLE = /(['"`])((?:AS|CC|CV|CP|VO)-\d+(?:,\s*(?:AS|CC|CV|CP|VO)-\d+)*):/;

const walk = (dir: string): string[] =>
  fs.existsSync(dir)
    ? fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) return e.name === 'node_modules' ? [] : walk(full);

        return e.name.endsWith('.test.ts') ? [full] : [];
      })
    : [];

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const files = [...walk(path.join(ROOT, 'src')), ...walk(path.join(ROOT, 'test'))].filter((f) =>
  TITLE.test(fs.readFileSync(f, 'utf8')),
);

type Assertion = { title: string; ancestorTitles: string[]; status: string };
type Report = { testResults: { name: string; assertionResults: Assertion[] }[] };

const results = new Map<string, { passed: number; failed: number }>();
if (files.length > 0) {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-conformance-')), 'report.json');
  const vitest = path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
  // The commitment filter: only tests whose titles name an id run; the rest of each file is skipped.
  const run = spawnSync(
    process.execPath,
    [
      vitest,
      'run',
      ...files.map((f) => path.relative(ROOT, f)),
      '--reporter=json',
      `--outputFile=${out}`,
      '-t',
      '(AS|CC|CV|CP|VO)-[0-9]+',
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: process.env,
    },
  );
  if (!fs.existsSync(out)) {
    console.error(`vitest produced no report (exit ${run.status})`);
    process.exit(2);
  }
  const report = JSON.parse(fs.readFileSync(out, 'utf8')) as Report;
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  for (const file of report.testResults) {
    for (const test of file.assertionResults) {
      const prefix = TITLE.exec(`'${test.title}`)?.[2];
      if (!prefix || test.status === 'skipped' || test.status === 'pending' || test.status === 'todo') continue;
      for (const match of prefix.matchAll(ID)) {
        const entry = results.get(match[0]) ?? { passed: 0, failed: 0 };
        if (test.status === 'passed') entry.passed += 1;
        else entry.failed += 1;
        results.set(match[0], entry);
      }
    }
  }
}

let failed = 0;
const totals = { pass: 0, fail: 0, missing: 0 };
for (const notice of COMMITMENTS) {
  if (only && notice.prefix !== only) continue;
  console.log(`\n${notice.notice} (${notice.policyFile})`);
  for (const line of notice.lines) {
    const r = results.get(line.id);
    const count = r ? r.passed + r.failed : 0;
    const status = !r ? 'missing' : r.failed > 0 ? 'fail' : 'pass';
    totals[status] += 1;
    if (status === 'fail') failed += 1;
    const text = line.text.length > 78 ? `${line.text.slice(0, 77)}…` : line.text;
    console.log(
      `  ${line.id.padEnd(6)} ${String(count).padStart(2)} test${count === 1 ? ' ' : 's'}  ${status.padEnd(7)}  ${text}`,
    );
  }
}
console.log(
  `\n${totals.pass} pass, ${totals.fail} fail, ${totals.missing} missing (of ${totals.pass + totals.fail + totals.missing})`,
);
process.exitCode = failed > 0 ? 1 : 0;
