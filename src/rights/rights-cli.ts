/**
 * @module `custodian rights …`: the privacy officer's queue from a terminal, logging a request received by phone,
 * e-mail or post, and running the daily sweep (reminders, routing retries, purges) at once. The queue prints ids,
 * kinds, statuses and dates, never the person: their details stay behind sign-in.
 *
 * @example
 * npx custodian rights queue --status open
 * npx custodian rights log --kind access --email ann@example.test --channel post --verified-by document --note "passport copy"
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ensureProviderAccount } from '../accounts/accounts.ts';
import { DEMO_PROVIDER_NAME } from '../demo/seed-demo.ts';
import { loadConfig } from '../kernel/config.ts';
import { PROVIDER_ACCOUNT_ID, RIGHTS_REQUEST_KINDS, RIGHTS_REQUEST_STATUSES } from '../kernel/db/schema.ts';
import { createKernel, type Kernel } from '../kernel/kernel.ts';
import { sweepRightsRequests } from './rights-jobs.ts';
import { logStaffRequest } from './submit-request.ts';
import { listQueue } from './view-request.ts';

type Out = { log: (line: string) => void; error: (line: string) => void };
const CLI_ACTOR = { id: null, role: 'admin' };

export const RIGHTS_HELP = `Usage:
  custodian rights queue [--status open|${RIGHTS_REQUEST_STATUSES.join('|')}] [--kind KIND]
  custodian rights log --kind KIND --email E [--name N] [--phone P] --channel phone|email|post
                       [--verified-by phone|document --note TEXT]
  custodian rights sweep        Send due reminders, retry routing, purge unverified requests and expired packages
  KIND: ${RIGHTS_REQUEST_KINDS.join(', ')}`;

const ZQueue = z.strictObject({
  status: z.union([z.literal('open'), z.enum(RIGHTS_REQUEST_STATUSES)]).optional(),
  kind: z.enum(RIGHTS_REQUEST_KINDS).optional(),
});
const ZLog = z
  .strictObject({
    kind: z.enum(RIGHTS_REQUEST_KINDS),
    email: z.email('must be an e-mail address').max(320),
    name: z.string().trim().min(1).max(200).optional(),
    phone: z.string().trim().min(3).max(40).optional(),
    channel: z.enum(['phone', 'email', 'post']),
    'verified-by': z.enum(['phone', 'document']).optional(),
    note: z.string().trim().min(3).max(500).optional(),
  })
  .refine((v) => (v['verified-by'] === undefined) === (v.note === undefined), {
    message: 'give --verified-by and --note together',
    path: ['note'],
  });

const STRING = { type: 'string' } as const;

export const runRightsCommand = async (
  args: string[],
  env: Record<string, string | undefined>,
  out: Out,
): Promise<number> => {
  const [sub, ...rest] = args;
  const schema = sub === 'queue' ? ZQueue : sub === 'log' ? ZLog : sub === 'sweep' ? z.strictObject({}) : null;
  if (!schema) {
    out.error(RIGHTS_HELP);

    return 2;
  }
  let values: Record<string, unknown>;
  try {
    values = parseArgs({
      args: rest,
      options: {
        status: STRING,
        kind: STRING,
        email: STRING,
        name: STRING,
        phone: STRING,
        channel: STRING,
        'verified-by': STRING,
        note: STRING,
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    out.error(error instanceof Error ? error.message : String(error));

    return 2;
  }
  const flags = schema.safeParse(values);
  if (!flags.success) {
    const issue = flags.error.issues[0];
    out.error(`--${String(issue?.path[0] ?? sub)}: ${issue?.message}`);

    return 2;
  }
  const kernel = await createKernel(loadConfig(env));
  try {
    await ensureProviderAccount(kernel, DEMO_PROVIDER_NAME);
    const queue = ZQueue.safeParse(values);
    const log = ZLog.safeParse(values);
    if (sub === 'queue' && queue.success) await printQueue(kernel, queue.data, out);
    else if (sub === 'log' && log.success) await logRequest(kernel, log.data, out);
    else {
      const result = await sweepRightsRequests(kernel);
      out.log(
        `Reminders sent: ${result.reminders}; routing retried: ${result.rerouted}; unverified requests purged: ${result.purged}; expired packages deleted: ${result.packages}.`,
      );
    }

    return 0;
  } finally {
    await kernel.close();
  }
};

const printQueue = async (kernel: Kernel, filter: z.infer<typeof ZQueue>, out: Out) => {
  const queue = await listQueue(kernel, {
    accountId: PROVIDER_ACCOUNT_ID,
    actor: CLI_ACTOR,
    filter: { ...(filter.status ? { status: filter.status } : {}), ...(filter.kind ? { kind: filter.kind } : {}) },
  });
  if (queue.length === 0) {
    out.log('No requests.');

    return;
  }
  out.log(['id'.padEnd(36), 'kind'.padEnd(23), 'status'.padEnd(22), 'due'.padEnd(10), 'days left'].join('  '));
  for (const r of queue) {
    const left = r.daysLeft === null ? '' : r.overdue ? `${-r.daysLeft} overdue` : String(r.daysLeft);
    out.log([r.id, r.kind.padEnd(23), r.status.padEnd(22), (r.dueOn ?? '—').padEnd(10), left].join('  '));
  }
};

const logRequest = async (kernel: Kernel, flags: z.infer<typeof ZLog>, out: Out) => {
  const verifiedBy = flags['verified-by'];
  const result = await logStaffRequest(kernel, {
    kind: flags.kind,
    email: flags.email,
    name: flags.name,
    phone: flags.phone,
    channel: flags.channel,
    verification: verifiedBy && flags.note ? { method: verifiedBy, note: flags.note } : null,
    actor: CLI_ACTOR,
  });
  out.log(
    `Logged request ${result.requestId}${verifiedBy ? ' (verified; routed)' : ' (awaiting verification)'}. The person has been e-mailed their status link.`,
  );
};
