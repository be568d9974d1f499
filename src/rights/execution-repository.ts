/**
 * @module SQL for acting on a request: processing controls (restriction, objection, consent) recorded for a person,
 * a corrected person's sealed fields, and legal holds. Values arrive sealed; this file never sees plaintext.
 */
import type { Trx } from '../kernel/db/database.ts';
import type { LegalHoldBasis } from '../kernel/db/schema.ts';

export type ControlKind = 'restriction' | 'objection' | 'consent';

export const insertControls = (
  trx: Trx,
  rows: readonly {
    accountId: string;
    subjectId: string;
    kind: ControlKind;
    purpose: string | null;
    active: boolean;
    at: Date;
  }[],
) =>
  rows.length === 0
    ? Promise.resolve()
    : trx
        .insertInto('processing_controls')
        .values(
          rows.map((r) => ({
            account_id: r.accountId,
            subject_id: r.subjectId,
            kind: r.kind,
            purpose: r.purpose,
            active: r.active,
            recorded_at: r.at,
          })),
        )
        .execute()
        .then(() => undefined);

/** The latest restriction recorded for the whole of each person's data (purpose null). */
export const latestRestrictions = (trx: Trx, subjectIds: readonly string[]) =>
  subjectIds.length === 0
    ? Promise.resolve([])
    : trx
        .selectFrom('processing_controls')
        .select(['subject_id', 'active'])
        .distinctOn(['subject_id'])
        .where('subject_id', 'in', subjectIds)
        .where('kind', '=', 'restriction')
        .where('purpose', 'is', null)
        .orderBy('subject_id')
        .orderBy('recorded_at', 'desc')
        .orderBy('id', 'desc')
        .execute();

export const updateSubjectFields = (
  trx: Trx,
  subjectId: string,
  changes: Partial<{
    name: Buffer | null;
    name_bidx: Buffer | null;
    email: Buffer | null;
    email_bidx: Buffer | null;
    phone: Buffer | null;
    phone_bidx: Buffer | null;
  }> & { updated_at: Date },
) => trx.updateTable('subjects').set(changes).where('id', '=', subjectId).execute();

export const insertLegalHold = (
  trx: Trx,
  hold: {
    id: string;
    accountId: string;
    subjectId: string;
    basis: LegalHoldBasis;
    reason: string;
    reviewOn: string;
    placedBy: string | null;
    at: Date;
  },
) =>
  trx
    .insertInto('legal_holds')
    .values({
      id: hold.id,
      account_id: hold.accountId,
      subject_id: hold.subjectId,
      basis: hold.basis,
      reason: hold.reason,
      review_on: hold.reviewOn,
      placed_by: hold.placedBy,
      placed_at: hold.at,
    })
    .execute();

export const getLegalHold = (trx: Trx, holdId: string) =>
  trx.selectFrom('legal_holds').selectAll().where('id', '=', holdId).forUpdate().executeTakeFirst();

export const markHoldLifted = (trx: Trx, holdId: string, liftedBy: string | null, at: Date) =>
  trx.updateTable('legal_holds').set({ lifted_by: liftedBy, lifted_at: at }).where('id', '=', holdId).execute();

export const listHolds = (trx: Trx, accountId: string, filter: { subjectId?: string; active?: boolean }) => {
  let query = trx.selectFrom('legal_holds').selectAll().where('account_id', '=', accountId);
  if (filter.subjectId) query = query.where('subject_id', '=', filter.subjectId);
  if (filter.active === true) query = query.where('lifted_at', 'is', null);
  if (filter.active === false) query = query.where('lifted_at', 'is not', null);

  return query.orderBy('review_on').orderBy('placed_at').limit(500).execute();
};

/** The people among `subjectIds` still held in the answering account (an erased person is simply absent). */
export const listPresentSubjects = (trx: Trx, subjectIds: readonly string[]) =>
  subjectIds.length === 0
    ? Promise.resolve([])
    : trx.selectFrom('subjects').select(['id', 'kind']).where('id', 'in', subjectIds).execute();

export const getSealedSubject = (trx: Trx, subjectId: string) =>
  trx
    .selectFrom('subjects')
    .select(['id', 'account_id', 'kind', 'name', 'email', 'phone'])
    .where('id', '=', subjectId)
    .executeTakeFirst();
