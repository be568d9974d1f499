/**
 * @module SQL for campaigns, their per-recipient outcomes, and the audience (people of the chosen kinds across
 * accounts: read as the owner, since a campaign spans client accounts; each recipient is then checked and mailed
 * inside their own account's tenant transaction).
 */
import { sql } from 'kysely';
import type { Database, Trx } from '../kernel/db/database.ts';
import type { SubjectKind } from '../kernel/db/schema.ts';

export const listAudience = (db: Database, kinds: readonly SubjectKind[]) =>
  db.system((trx) =>
    trx
      .selectFrom('subjects')
      .select(['id', 'account_id'])
      .where('kind', 'in', [...kinds])
      .orderBy('account_id')
      .orderBy('id')
      .execute(),
  );

export const insertCampaign = (
  trx: Trx,
  c: {
    id: string;
    accountId: string;
    template: string;
    audience: string;
    total: number;
    createdBy: string | null;
    at: Date;
  },
) =>
  trx
    .insertInto('campaigns')
    .values({
      id: c.id,
      account_id: c.accountId,
      template: c.template,
      audience: c.audience,
      status: 'queued',
      total: c.total,
      created_by: c.createdBy,
      created_at: c.at,
    })
    .execute();

export const getCampaign = (trx: Trx, id: string) =>
  trx.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst();

export const listCampaigns = (trx: Trx) =>
  trx.selectFrom('campaigns').selectAll().orderBy('created_at', 'desc').limit(50).execute();

export const updateCampaign = (
  trx: Trx,
  id: string,
  set: Partial<{ status: 'queued' | 'sending' | 'done' | 'failed'; total: number; finished_at: Date | null }>,
) => trx.updateTable('campaigns').set(set).where('id', '=', id).execute();

export const bumpCampaign = (trx: Trx, id: string, sent: number, excluded: number) =>
  trx
    .updateTable('campaigns')
    .set({ sent: sql`sent + ${sent}`, excluded: sql`excluded + ${excluded}` })
    .where('id', '=', id)
    .execute();

/** Claims a recipient for a campaign: false when a retried job already handled them (sent or excluded). */
export const claimRecipient = async (
  trx: Trx,
  row: { campaignId: string; accountId: string; subjectId: string; outcome: string; at: Date },
) => {
  const result = await trx
    .insertInto('campaign_sends')
    .values({
      campaign_id: row.campaignId,
      account_id: row.accountId,
      subject_id: row.subjectId,
      outcome: row.outcome,
      at: row.at,
    })
    .onConflict((oc) => oc.doNothing())
    .returning('subject_id')
    .executeTakeFirst();

  return result !== undefined;
};
