/**
 * @module SQL for contact notes.
 */
import type { Trx } from '../kernel/db/database.ts';

export const insertNote = (
  trx: Trx,
  note: { accountId: string; subjectId: string; body: Buffer; purpose: string; createdBy: string; createdAt: Date },
) =>
  trx
    .insertInto('contact_notes')
    .values({
      account_id: note.accountId,
      subject_id: note.subjectId,
      body: note.body,
      purpose: note.purpose,
      created_by: note.createdBy,
      created_at: note.createdAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();

export const listNotes = (trx: Trx, subjectId: string) =>
  trx
    .selectFrom('contact_notes')
    .select(['id', 'body', 'purpose', 'created_at'])
    .where('subject_id', '=', subjectId)
    .orderBy('created_at', 'desc')
    .execute();

export const deleteNotes = (trx: Trx, subjectId: string) =>
  trx.deleteFrom('contact_notes').where('subject_id', '=', subjectId).executeTakeFirst();

export const countNotes = async (trx: Trx, accountId: string) =>
  Number(
    (
      await trx
        .selectFrom('contact_notes')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('account_id', '=', accountId)
        .executeTakeFirstOrThrow()
    ).n,
  );
