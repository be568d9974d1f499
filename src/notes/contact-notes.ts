/**
 * @module Contact notes: a staff member's short note about a person, for a client account. The person is matched
 * to an existing subject by e-mail or phone (blind index) or created.
 *
 * @example
 * await recordContactNote(kernel, { accountId, actor, person: { name: 'Ann Example', email: 'ann@example.test' },
 *   body: 'Asked for a call back about the lease' })
 */
import { type Actor, recordAudit } from '../kernel/audit/audit.ts';
import type { Trx } from '../kernel/db/database.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { requirePurpose } from '../kernel/policy/policy.ts';
import { findSubjectsByIndex } from '../subjects/subject-repository.ts';
import { createSubject, type SubjectDataSource } from '../subjects/subjects.ts';
import { deleteNotes, insertNote, listNotes } from './note-repository.ts';

const PURPOSE = 'service_delivery';

type Deps = Pick<Kernel, 'db' | 'vault' | 'clock' | 'policy'>;

export type RecordContactNote = {
  accountId: string;
  actor: Actor & { id: string };
  person: { name: string; email?: string | undefined; phone?: string | undefined };
  body: string;
};

export const recordContactNote = (deps: Deps, input: RecordContactNote) =>
  deps.db.tenant(input.accountId, async (trx) => {
    const existing = await matchExisting(deps, trx, input);
    const subjectId =
      existing ??
      (await createSubject(deps, trx, {
        accountId: input.accountId,
        kind: 'contact',
        name: input.person.name,
        email: input.person.email,
        phone: input.person.phone,
        source: 'recorded by staff',
        actor: input.actor,
        purpose: PURPOSE,
      }));
    await requirePurpose(trx, deps.policy, {
      accountId: input.accountId,
      subjectId,
      purpose: PURPOSE,
      operation: 'use',
    });
    const note = await insertNote(trx, {
      accountId: input.accountId,
      subjectId,
      body: await deps.vault.seal(trx, subjectId, 'contact_notes.body', input.body),
      purpose: PURPOSE,
      createdBy: input.actor.id,
      createdAt: deps.clock.now(),
    });
    await recordAudit(trx, deps.clock, {
      accountId: input.accountId,
      actor: input.actor,
      action: 'note.create',
      entity: 'contact_note',
      entityId: note.id,
      subjectId,
      fields: ['body'],
      purpose: PURPOSE,
    });

    return { noteId: note.id, subjectId, linkedExisting: existing !== null };
  });

const matchExisting = async (deps: Deps, trx: Trx, input: RecordContactNote): Promise<string | null> => {
  for (const by of ['email', 'phone'] as const) {
    const value = input.person[by];
    if (!value) continue;
    const bidx = deps.vault.blindIndex(by, input.accountId, value);
    const [match] = await findSubjectsByIndex(
      trx,
      input.accountId,
      by === 'email' ? 'email_bidx' : 'phone_bidx',
      bidx,
      1,
    );
    if (match) return match.id;
  }

  return null;
};

export const readNotes = async (deps: Pick<Kernel, 'vault' | 'clock'>, trx: Trx, subjectId: string) => {
  const rows = await listNotes(trx, subjectId);

  return Promise.all(
    rows.map(async (r) => ({
      id: r.id,
      body: await deps.vault.open(trx, r.body, 'contact_notes.body'),
      purpose: r.purpose,
      createdAt: r.created_at.toISOString(),
    })),
  );
};

/** A staff member viewing a person's notes: each view is an audited read. */
export const viewNotes = async (
  deps: Pick<Kernel, 'vault' | 'clock'>,
  trx: Trx,
  input: { accountId: string; subjectId: string; actor: Actor },
) => {
  const notes = await readNotes(deps, trx, input.subjectId);
  if (notes.length > 0) {
    await recordAudit(trx, deps.clock, {
      accountId: input.accountId,
      actor: input.actor,
      action: 'note.read',
      entity: 'contact_note',
      subjectId: input.subjectId,
      fields: ['body'],
      purpose: PURPOSE,
      details: { count: notes.length },
    });
  }

  return notes;
};

export const contactNotesSource: SubjectDataSource = {
  name: 'contact_notes',
  export: (deps, trx, subjectId) => readNotes(deps, trx, subjectId),
  erase: async (trx, subjectId) => Number((await deleteNotes(trx, subjectId)).numDeletedRows),
};
