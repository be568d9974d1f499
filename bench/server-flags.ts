/**
 * @module The V8 flags the server runs under, for benchmarks that must measure the server as it runs: they are on
 * `bin/custodian.js`'s `#!/usr/bin/env -S node …` line (`npx custodian start`), which package.json's `start` script
 * must repeat (checked here, so the two cannot drift apart unnoticed).
 *
 * @example
 * runUnderServerFlags(import.meta.url) // re-runs this script under the flags unless it already has them
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const serverNodeFlags = (): string[] => {
  const shebang = fs.readFileSync(path.join(ROOT, 'bin', 'custodian.js'), 'utf8').split('\n')[0] ?? '';
  const match = /^#!\/usr\/bin\/env (?:-S )?node((?: --?[\w-]+(?:=\S+)?)*)$/.exec(shebang.trim());
  if (!match) throw new Error(`bin/custodian.js: unexpected first line ${shebang}`);
  const flags = (match[1] ?? '').trim().split(' ').filter(Boolean);
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const expected = ['node', ...flags, 'bin/custodian.js start'].join(' ');
  if (!pkg.scripts.start.includes(expected))
    throw new Error(`package.json's start script does not run \`${expected}\` (the flags of bin/custodian.js)`);

  return flags;
};

/**
 * When this process lacks the server's flags, runs the same script with the same arguments under them, waits, and
 * exits with its status; otherwise returns, and the caller goes on in a process configured like the server.
 */
export const runUnderServerFlags = (scriptUrl: string) => {
  const flags = serverNodeFlags();
  if (flags.every((flag) => process.execArgv.includes(flag))) return;
  const child = spawnSync(
    process.execPath,
    [...flags, ...process.execArgv, fileURLToPath(scriptUrl), ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  process.exit(child.status ?? 1);
};
