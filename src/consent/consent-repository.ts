/**
 * @module SQL for consent records, the suppression list (through its two narrow database functions) and the
 * per-person marketing state.
 */
import { type Insertable, sql } from 'kysely';
import type { Trx } from '../kernel/db/database.ts';
import type { ConsentRecordsTable, MarketingChannel } from '../kernel/db/schema.ts';

export type NewConsentRecord = Insertable<ConsentRecordsTable>;

export const insertConsentRecord = (trx: Trx, record: NewConsentRecord) =>
  trx.insertInto('consent_records').values(record).execute();

/** The latest record per channel and topic: a person's current marketing preferences. */
export const latestConsentRecords = (trx: Trx, accountId: string, subjectId: string) =>
  trx
    .selectFrom('consent_records')
    .selectAll()
    .distinctOn(['channel', 'topic'])
    .where('account_id', '=', accountId)
    .where('subject_id', '=', subjectId)
    .orderBy('channel')
    .orderBy('topic')
    .orderBy('recorded_at', 'desc')
    .orderBy('seq', 'desc')
    .execute();

export const latestConsentRecord = (
  trx: Trx,
  accountId: string,
  subjectId: string,
  channel: MarketingChannel,
  topic: string,
) =>
  trx
    .selectFrom('consent_records')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('subject_id', '=', subjectId)
    .where('channel', '=', channel)
    .where('topic', '=', topic)
    .orderBy('recorded_at', 'desc')
    .orderBy('seq', 'desc')
    .executeTakeFirst();

export const listConsentRecords = (trx: Trx, subjectId: string) =>
  trx
    .selectFrom('consent_records')
    .selectAll()
    .where('subject_id', '=', subjectId)
    .orderBy('recorded_at')
    .orderBy('seq')
    .execute();

export const getConsentRecord = (trx: Trx, id: string) =>
  trx.selectFrom('consent_records').selectAll().where('id', '=', id).executeTakeFirst();

export const insertProcessingControl = (
  trx: Trx,
  control: {
    accountId: string;
    subjectId: string;
    kind: 'consent' | 'objection';
    purpose: string;
    active: boolean;
    at: Date;
  },
) =>
  trx
    .insertInto('processing_controls')
    .values({
      account_id: control.accountId,
      subject_id: control.subjectId,
      kind: control.kind,
      purpose: control.purpose,
      active: control.active,
      recorded_at: control.at,
    })
    .execute();

export const suppressHash = (trx: Trx, kind: 'email' | 'phone', hash: Buffer, reason: string, at: Date) =>
  sql`select suppress_hash(${kind}, ${hash}, ${reason}, ${at})`.execute(trx);

export const anySuppressed = async (trx: Trx, hashes: readonly Buffer[]) => {
  if (hashes.length === 0) return false;
  const { rows } = await sql<{ s: boolean }>`select is_suppressed(${sql.val([...hashes])}::bytea[]) as s`.execute(trx);

  return rows[0]?.s === true;
};

export const liftOptOut = (trx: Trx, hashes: readonly Buffer[]) =>
  hashes.length === 0
    ? Promise.resolve()
    : sql`select unsuppress_opt_out(${sql.val([...hashes])}::bytea[])`.execute(trx).then(() => undefined);

export const getSubjectForMarketing = (trx: Trx, subjectId: string) =>
  trx
    .selectFrom('subjects')
    .innerJoin('accounts', 'accounts.id', 'subjects.account_id')
    .select([
      'subjects.id',
      'subjects.account_id',
      'subjects.kind',
      'subjects.email',
      'subjects.phone',
      'accounts.kind as account_kind',
      'accounts.status as account_status',
    ])
    .where('subjects.id', '=', subjectId)
    .executeTakeFirst();
