/**
 * @module `custodian consent import FILE.csv --account ID [--source TEXT]`: the same list import as
 * `POST /api/consent/import` (suppressed addresses skipped, CC-8), from a CSV file. The whole file is validated
 * first and imported in one transaction, so a bad file writes nothing.
 *
 * @example
 * npx custodian consent import leads.csv --account 00000000-0000-4000-8000-000000000000 --source "trade show"
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ensureProviderAccount, requireClientAccount } from '../accounts/accounts.ts';
import { DEMO_PROVIDER_NAME } from '../demo/seed-demo.ts';
import { SYSTEM_ACTOR } from '../kernel/audit/audit.ts';
import { loadConfig } from '../kernel/config.ts';
import { PROVIDER_ACCOUNT_ID } from '../kernel/db/schema.ts';
import { isAppError } from '../kernel/errors.ts';
import { createKernel } from '../kernel/kernel.ts';
import { parseImportCsv } from './import-csv.ts';
import { importMarketingList } from './import-list.ts';

type Out = { log: (line: string) => void; error: (line: string) => void };

export const CONSENT_HELP = `Usage: custodian consent import FILE.csv --account ID [--source TEXT]
  The CSV has a header row; columns: name (required), email, phone, channels, topics (lists separated by ";").
  Addresses on the suppression list (opted out, objected, erased) are skipped; counts are printed.`;

export const runConsentCommand = async (
  args: string[],
  env: Record<string, string | undefined>,
  out: Out,
): Promise<number> => {
  const [sub, file, ...rest] = args;
  if (sub !== 'import' || !file || file.startsWith('--')) {
    out.error(CONSENT_HELP);

    return 2;
  }
  let values: Record<string, unknown>;
  try {
    values = parseArgs({
      args: rest,
      options: { account: { type: 'string' }, source: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    out.error(error instanceof Error ? error.message : String(error));

    return 2;
  }
  const flags = z
    .object({
      account: z.uuid('must be an account id'),
      source: z.string().trim().min(1, 'must not be empty').max(200).optional(),
    })
    .safeParse(values);
  if (!flags.success) {
    const name = String(flags.error.issues[0]?.path[0]);
    out.error(`--${name}: ${values[name] === undefined ? 'is required' : flags.error.issues[0]?.message}`);

    return 1;
  }
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(file), 'utf8');
  } catch {
    out.error(`${file}: cannot read the file`);

    return 1;
  }
  let people: ReturnType<typeof parseImportCsv>;
  try {
    people = parseImportCsv(text);
  } catch (error) {
    if (!isAppError(error)) throw error;
    out.error(`${file}: ${error.message}`);

    return 1;
  }
  const kernel = await createKernel(loadConfig(env));
  try {
    const accountId = flags.data.account;
    if (accountId === PROVIDER_ACCOUNT_ID) await ensureProviderAccount(kernel, DEMO_PROVIDER_NAME);
    else await requireClientAccount(kernel, accountId);
    const result = await importMarketingList(kernel, {
      accountId,
      actor: SYSTEM_ACTOR,
      source: flags.data.source ?? path.basename(file),
      people,
    });
    out.log(
      `Imported ${result.imported} new, matched ${result.matched} existing, skipped ${result.suppressed} suppressed; ${result.consentsRecorded} consents recorded.`,
    );
  } finally {
    await kernel.close();
  }

  return 0;
};
