/**
 * @module `custodian policy …`: check a policy file, write its record of processing, publish it as a new version.
 *
 * @example
 * npx custodian policy check policies/virtual-office.yaml
 * npx custodian policy ropa policies/contact-centre-saas.yaml --format xlsx --out ropa.xlsx
 * npx custodian policy publish policies/answering-service.yaml
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../kernel/config.ts';
import { createKernel } from '../kernel/kernel.ts';
import { checkPolicyText, formatIssue } from './policy-check.ts';
import { loadPolicyFile } from './policy-loader.ts';
import { publishPolicy } from './policy-versions.ts';
import { ropaCsv, writeRopaXlsx } from './ropa.ts';

type Out = { log: (line: string) => void; error: (line: string) => void };

export const POLICY_HELP = `Usage: custodian policy <check|ropa|publish> FILE [options]
  check FILE                              Validate a policy file; every problem is listed with its path and line
  ropa FILE [--format xlsx|csv] [--out P] Write the Art. 30 record of processing (CSV to stdout unless --out)
  publish FILE                            Publish FILE as the next notice version (material changes are e-mailed)`;

export const runPolicyCommand = async (
  args: string[],
  env: Record<string, string | undefined>,
  out: Out,
): Promise<number> => {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    out.error(error instanceof Error ? error.message : String(error));

    return 2;
  }
  const { sub, file, format, outPath } = parsed;
  if (!sub || sub === 'help' || !file) {
    out.log(POLICY_HELP);

    return sub && sub !== 'help' ? 2 : 0;
  }
  if (!fs.existsSync(file)) {
    out.error(`No such file: ${file}`);

    return 1;
  }
  const source = fs.readFileSync(file, 'utf8');
  const name = path.relative(process.cwd(), file) || file;

  if (sub === 'check') {
    const result = checkPolicyText(source);
    if (result.ok) {
      out.log(
        `${name}: valid (${result.policy.id} version ${result.policy.version}: ${result.policy.purposes.length} purposes, ${result.policy.categories.length} data categories, ${result.policy.recipients.length} recipients)`,
      );

      return 0;
    }
    for (const issue of result.issues) out.error(formatIssue(name, issue));
    out.error(`${result.issues.length} problem${result.issues.length === 1 ? '' : 's'} in ${name}`);

    return 1;
  }
  if (sub === 'ropa') {
    const policy = loadPolicyFile(file).file;
    if (format === 'csv') {
      if (outPath) fs.writeFileSync(outPath, ropaCsv(policy));
      else process.stdout.write(ropaCsv(policy));
    } else {
      if (!outPath) {
        out.error('--out PATH is required for --format xlsx');

        return 2;
      }
      await writeRopaXlsx(policy, fs.createWriteStream(outPath));
    }
    if (outPath) out.log(`Wrote ${outPath}`);

    return 0;
  }
  if (sub === 'publish') {
    const loaded = loadPolicyFile(file);
    const kernel = await createKernel(loadConfig(env), { policyFile: loaded });
    try {
      const result = await publishPolicy(kernel, { source, name, actor: { id: null, role: 'cli' } });
      out.log(
        `Published ${loaded.file.id} version ${result.version}${result.material ? ` (material: ${result.notified} people e-mailed)` : ' (not material: nobody e-mailed)'}` +
          (result.newPurposes.length ? `; new purposes awaiting agreement: ${result.newPurposes.join(', ')}` : ''),
      );
    } finally {
      await kernel.close();
    }

    return 0;
  }
  out.error(`Unknown policy command "${sub}".\n${POLICY_HELP}`);

  return 2;
};

const parse = (args: string[]) => {
  const { values, positionals } = parseArgs({
    args,
    options: { format: { type: 'string', default: 'csv' }, out: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.format !== 'csv' && values.format !== 'xlsx')
    throw new Error(`--format: must be xlsx or csv (got "${values.format}")`);

  return { sub: positionals[0], file: positionals[1], format: values.format, outPath: values.out };
};
