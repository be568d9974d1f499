/**
 * @module SQL for published notice versions, the people a change notice goes to, and agreements to new purposes.
 */
import type { Trx } from '../kernel/db/database.ts';

export type NewPolicyVersion = {
  version: number;
  policyId: string;
  effectiveDate: string;
  content: string;
  sha256: string;
  material: boolean;
  summary: string;
  newPurposes: string[];
  publishedAt: Date;
  publishedBy: string | null;
};

export const insertPolicyVersion = (trx: Trx, v: NewPolicyVersion) =>
  trx
    .insertInto('policy_versions')
    .values({
      version: v.version,
      policy_id: v.policyId,
      effective_date: v.effectiveDate,
      content: v.content,
      sha256: v.sha256,
      material: v.material,
      summary: v.summary,
      new_purposes: v.newPurposes,
      published_at: v.publishedAt,
      published_by: v.publishedBy,
    })
    .execute();

export const latestPolicyVersion = (trx: Trx) =>
  trx
    .selectFrom('policy_versions')
    .select(['version', 'policy_id'])
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();

export const listPolicyVersionRows = (trx: Trx) =>
  trx
    .selectFrom('policy_versions')
    .select(['version', 'effective_date', 'material', 'summary', 'new_purposes', 'published_at', 'notified'])
    .orderBy('version', 'desc')
    .execute();

export const getPolicyVersionRow = (trx: Trx, version: number) =>
  trx.selectFrom('policy_versions').selectAll().where('version', '=', version).executeTakeFirst();

/** The published version just before `version` (numbers need not be consecutive). */
export const previousPolicyVersionRow = (trx: Trx, version: number) =>
  trx
    .selectFrom('policy_versions')
    .selectAll()
    .where('version', '<', version)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();

export const setNotifiedCount = (trx: Trx, version: number, notified: number) =>
  trx.updateTable('policy_versions').set({ notified }).where('version', '=', version).execute();

/**
 * Everyone with a working sign-in: active users of accounts that are neither deactivated nor cancelled. Marketing
 * preferences are deliberately not consulted: a notice change is a service message.
 */
export const listActiveUsers = (trx: Trx) =>
  trx
    .selectFrom('users')
    .innerJoin('accounts', 'accounts.id', 'users.account_id')
    .innerJoin('subjects', 'subjects.id', 'users.subject_id')
    .select([
      'users.id as userId',
      'users.account_id as accountId',
      'users.subject_id as subjectId',
      'subjects.email as email',
    ])
    .where('users.status', '=', 'active')
    .where('accounts.status', 'not in', ['deactivated', 'cancelled'])
    .orderBy('users.created_at')
    .execute();

export const insertPolicyAgreement = (
  trx: Trx,
  a: { accountId: string; subjectId: string; purpose: string; version: number; agreed: boolean; recordedAt: Date },
) =>
  trx
    .insertInto('policy_agreements')
    .values({
      account_id: a.accountId,
      subject_id: a.subjectId,
      purpose: a.purpose,
      version: a.version,
      agreed: a.agreed,
      recorded_at: a.recordedAt,
    })
    .execute();

/** How many people a material change notice would go to now (the same people `listActiveUsers` returns). */
export const countActiveUsers = async (trx: Trx) =>
  Number(
    (
      await trx
        .selectFrom('users')
        .innerJoin('accounts', 'accounts.id', 'users.account_id')
        .innerJoin('subjects', 'subjects.id', 'users.subject_id')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('users.status', '=', 'active')
        .where('accounts.status', 'not in', ['deactivated', 'cancelled'])
        .where('subjects.email', 'is not', null)
        .executeTakeFirstOrThrow()
    ).n,
  );
