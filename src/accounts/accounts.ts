/**
 * @module Client accounts: the businesses the provider serves. Account names are business names, not personal data.
 */
import { type Actor, recordAudit, SYSTEM_ACTOR } from '../kernel/audit/audit.ts';
import { PROVIDER_ACCOUNT_ID } from '../kernel/db/schema.ts';
import { AppError } from '../kernel/errors.ts';
import type { Kernel } from '../kernel/kernel.ts';

type Deps = Pick<Kernel, 'db' | 'clock'>;

/** The provider's own account row, created once; staff and provider-level audit events belong to it. */
export const ensureProviderAccount = async (deps: Deps, name: string) =>
  deps.db.system(async (trx) => {
    const now = deps.clock.now();
    await trx
      .insertInto('accounts')
      .values({
        id: PROVIDER_ACCOUNT_ID,
        kind: 'provider',
        name,
        status: 'subscribed',
        created_at: now,
        status_changed_at: now,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  });

export const createClientAccount = async (deps: Deps, input: { name: string; actor?: Actor }) =>
  deps.db.system(async (trx) => {
    const now = deps.clock.now();
    const { id } = await trx
      .insertInto('accounts')
      .values({
        kind: 'client',
        name: input.name,
        status: 'trial',
        created_at: now,
        status_changed_at: now,
        trial_started_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    // Retention clocks run from these dates (AS-5): the history starts with the trial.
    await trx
      .insertInto('account_status_history')
      .values({ account_id: id, status: 'trial', changed_at: now, changed_by: input.actor?.id ?? null })
      .execute();
    await recordAudit(trx, deps.clock, {
      accountId: id,
      actor: input.actor ?? SYSTEM_ACTOR,
      action: 'account.create',
      entity: 'account',
      entityId: id,
      purpose: 'account_administration',
    });

    return id;
  });

export const listClientAccounts = (deps: Deps) =>
  deps.db.system((trx) =>
    trx.selectFrom('accounts').select(['id', 'name', 'status']).where('kind', '=', 'client').orderBy('name').execute(),
  );

/** The client account, or NOT_FOUND. One read, on every request that names an account, so no transaction around it. */
export const requireClientAccount = async (deps: Deps, accountId: string) => {
  const account = await deps.db.systemRead((trx) =>
    trx
      .selectFrom('accounts')
      .select(['id', 'name', 'status'])
      .where('id', '=', accountId)
      .where('kind', '=', 'client')
      .executeTakeFirst(),
  );
  if (!account) throw new AppError('NOT_FOUND', 'No such client account');

  return account;
};
