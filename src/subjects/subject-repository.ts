/**
 * @module SQL for data subjects. Values arrive sealed; this file never sees plaintext.
 */
import type { SubjectKeyRow } from '../kernel/crypto/vault.ts';
import type { Trx } from '../kernel/db/database.ts';
import type { SubjectKind } from '../kernel/db/schema.ts';

export type SealedSubject = {
  id: string;
  accountId: string;
  kind: SubjectKind;
  name: Buffer | null;
  email: Buffer | null;
  phone: Buffer | null;
  nameBidx: Buffer | null;
  emailBidx: Buffer | null;
  phoneBidx: Buffer | null;
  source: string;
  at: Date;
};

/** Subjects with their data keys, in one statement. */
export const insertSubjects = async (trx: Trx, subjects: readonly { key: SubjectKeyRow; row: SealedSubject }[]) => {
  if (subjects.length === 0) return;
  await trx
    .with('keys', (db) => db.insertInto('subject_keys').values(subjects.map((s) => s.key)))
    .insertInto('subjects')
    .values(
      subjects.map(({ row: s }) => ({
        id: s.id,
        account_id: s.accountId,
        kind: s.kind,
        name: s.name,
        email: s.email,
        phone: s.phone,
        name_bidx: s.nameBidx,
        email_bidx: s.emailBidx,
        phone_bidx: s.phoneBidx,
        source: s.source,
        created_at: s.at,
        updated_at: s.at,
      })),
    )
    .execute();
};

export type IndexedField = 'email_bidx' | 'phone_bidx' | 'name_bidx';

export const findSubjectsByIndex = (trx: Trx, accountId: string, field: IndexedField, bidx: Buffer, limit = 50) =>
  trx
    .selectFrom('subjects')
    .selectAll()
    .where('account_id', '=', accountId)
    .where(field, '=', bidx)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();

export const getSubjectRow = (trx: Trx, subjectId: string) =>
  trx.selectFrom('subjects').selectAll().where('id', '=', subjectId).executeTakeFirst();

export const deleteSubjectRow = (trx: Trx, subjectId: string) =>
  trx.deleteFrom('subjects').where('id', '=', subjectId).executeTakeFirst();

export const insertErasureLedger = (
  trx: Trx,
  entry: { subjectId: string; accountId: string; at: Date; reason: string },
) =>
  trx
    .insertInto('erasure_ledger')
    .values({ subject_id: entry.subjectId, account_id: entry.accountId, erased_at: entry.at, reason: entry.reason })
    .execute();

export const listProcessingControls = (trx: Trx, subjectId: string) =>
  trx
    .selectFrom('processing_controls')
    .select(['kind', 'purpose', 'active', 'recorded_at'])
    .where('subject_id', '=', subjectId)
    .orderBy('recorded_at')
    .execute();

export const deleteProcessingControls = (trx: Trx, subjectId: string) =>
  trx.deleteFrom('processing_controls').where('subject_id', '=', subjectId).executeTakeFirst();

export const listAuditEventsAbout = (trx: Trx, subjectId: string) =>
  trx
    .selectFrom('audit_events')
    .select(['seq', 'occurred_at', 'action', 'actor_role', 'purpose', 'fields'])
    .where('subject_id', '=', subjectId)
    .orderBy('seq')
    .execute();
