/**
 * @module A client account's lifecycle (AS-5, VO-7, VO-15): trial → subscribed → cancelled, or deactivated from any
 * of them. Each step's date is kept on the account and in `account_status_history`, because retention clocks run
 * from them. What mail each status may still receive is decided in `notifications/mail-gate.ts`.
 *
 * @example
 * await changeAccountStatus(kernel, { accountId, to: 'subscribed', actor })
 */
import { type Actor, recordAudit } from '../kernel/audit/audit.ts';
import type { AccountStatus } from '../kernel/db/schema.ts';
import { AppError } from '../kernel/errors.ts';
import type { Kernel } from '../kernel/kernel.ts';

type Deps = Pick<Kernel, 'db' | 'clock'>;

const NEXT: Record<AccountStatus, readonly AccountStatus[]> = {
  trial: ['subscribed', 'cancelled', 'deactivated'],
  subscribed: ['cancelled', 'deactivated'],
  cancelled: ['subscribed', 'deactivated'],
  deactivated: [],
};

const DATE_COLUMN = {
  trial: 'trial_started_at',
  subscribed: 'subscribed_at',
  cancelled: 'cancelled_at',
  deactivated: 'deactivated_at',
} as const;

export const changeAccountStatus = (deps: Deps, input: { accountId: string; to: AccountStatus; actor: Actor }) =>
  // Accounts are read-only to the app role: lifecycle changes run in the system scope, scoped by id.
  deps.db.system(async (trx) => {
    const account = await trx
      .selectFrom('accounts')
      .select(['id', 'status', 'kind'])
      .where('id', '=', input.accountId)
      .forUpdate()
      .executeTakeFirst();
    if (account?.kind !== 'client') throw new AppError('NOT_FOUND', 'No such client account');
    if (account.status === input.to) return { status: input.to, changed: false };
    if (!NEXT[account.status].includes(input.to)) {
      throw new AppError('CONFLICT', `A ${account.status} account cannot become ${input.to}`);
    }
    const now = deps.clock.now();
    await trx
      .updateTable('accounts')
      .set({ status: input.to, status_changed_at: now, [DATE_COLUMN[input.to]]: now })
      .where('id', '=', input.accountId)
      .execute();
    await trx
      .insertInto('account_status_history')
      .values({ account_id: input.accountId, status: input.to, changed_at: now, changed_by: input.actor.id })
      .execute();
    await recordAudit(trx, deps.clock, {
      accountId: input.accountId,
      actor: input.actor,
      action: 'account.status_change',
      entity: 'account',
      entityId: input.accountId,
      purpose: 'account_administration',
      details: { from: account.status, to: input.to },
    });

    return { status: input.to, changed: true };
  });

export const getAccountLifecycle = (deps: Pick<Kernel, 'db'>, accountId: string) =>
  deps.db.system(async (trx) => {
    const account = await trx
      .selectFrom('accounts')
      .select([
        'id',
        'name',
        'status',
        'created_at',
        'trial_started_at',
        'subscribed_at',
        'cancelled_at',
        'deactivated_at',
      ])
      .where('id', '=', accountId)
      .executeTakeFirst();
    if (!account) throw new AppError('NOT_FOUND', 'No such account');
    const history = await trx
      .selectFrom('account_status_history')
      .select(['status', 'changed_at'])
      .where('account_id', '=', accountId)
      .orderBy('changed_at')
      .orderBy('id')
      .execute();
    const iso = (d: Date | null) => d?.toISOString() ?? null;

    return {
      id: account.id,
      name: account.name,
      status: account.status,
      createdAt: account.created_at.toISOString(),
      trialStartedAt: iso(account.trial_started_at),
      subscribedAt: iso(account.subscribed_at),
      cancelledAt: iso(account.cancelled_at),
      deactivatedAt: iso(account.deactivated_at),
      history: history.map((h) => ({ status: h.status, at: h.changed_at.toISOString() })),
    };
  });
