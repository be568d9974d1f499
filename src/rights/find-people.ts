/**
 * @module The "find" tool for whoever answers a request: routing matched the person by the address they proved,
 * but the same person may be on record under a phone number or another address. The answerer looks them up by
 * exact e-mail or phone (blind index) within their own account, checks the candidate is the person, and adds them
 * to the request, so the answer (a copy, an erasure) reaches those records too. Every step is audited.
 *
 * @example
 * const { candidates } = await findCandidates(kernel, { accountId, requestId, by: 'phone', value: '07700 900123', actor })
 * await addPersonToRequest(kernel, { accountId, requestId, subjectId: candidates[0].subjectId, actor })
 */
import { type Actor, recordAudit } from '../kernel/audit/audit.ts';
import { OPEN_RIGHTS_STATUSES } from '../kernel/db/schema.ts';
import { AppError } from '../kernel/errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { findSubjectsByIndex, getSubjectRow } from '../subjects/subject-repository.ts';
import { getRequestRow, insertRequestEvent, insertRequestSubjects, listRequestSubjects } from './rights-repository.ts';

type Deps = Pick<Kernel, 'db' | 'vault' | 'clock'>;

export const findCandidates = (
  deps: Deps,
  input: { accountId: string; requestId: string; by: 'email' | 'phone'; value: string; actor: Actor },
) =>
  deps.db.tenant(input.accountId, async (trx) => {
    const request = await getRequestRow(trx, input.requestId);
    if (!request) throw new AppError('NOT_FOUND', 'No such request');
    const covered = new Set((await listRequestSubjects(trx, request.id)).map((s) => s.subject_id));
    const rows = await findSubjectsByIndex(
      trx,
      input.accountId,
      input.by === 'email' ? 'email_bidx' : 'phone_bidx',
      deps.vault.blindIndex(input.by, input.accountId, input.value),
      20,
    );
    const open = (blob: Buffer | null, field: string) => (blob ? deps.vault.open(trx, blob, field) : null);
    const candidates = [];
    for (const row of rows) {
      const messages = await trx
        .selectFrom('phone_messages')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('caller_subject_id', '=', row.id)
        .executeTakeFirstOrThrow();
      candidates.push({
        subjectId: row.id,
        kind: row.kind,
        name: await open(row.name, 'subjects.name'),
        email: await open(row.email, 'subjects.email'),
        phone: await open(row.phone, 'subjects.phone'),
        since: row.created_at.toISOString(),
        messages: Number(messages.n),
        covered: covered.has(row.id),
      });
    }
    await recordAudit(trx, deps.clock, {
      accountId: input.accountId,
      actor: input.actor,
      action: 'rights_request.find_people',
      entity: 'rights_request',
      entityId: request.id,
      fields: ['name', 'email', 'phone'],
      purpose: 'legal_obligation',
      details: { by: input.by, found: candidates.length },
    });

    return { candidates };
  });

export const addPersonToRequest = (
  deps: Deps,
  input: { accountId: string; requestId: string; subjectId: string; actor: Actor },
) =>
  deps.db.tenant(input.accountId, async (trx) => {
    const request = await getRequestRow(trx, input.requestId);
    if (!request) throw new AppError('NOT_FOUND', 'No such request');
    if (!OPEN_RIGHTS_STATUSES.includes(request.status)) {
      throw new AppError('CONFLICT', `This request is ${request.status.replaceAll('_', ' ')}`);
    }
    if (!(await getSubjectRow(trx, input.subjectId))) throw new AppError('NOT_FOUND', 'No such person in this account');
    await insertRequestSubjects(trx, [
      { requestId: request.id, accountId: input.accountId, subjectId: input.subjectId, matchedBy: 'answerer' },
    ]);
    await insertRequestEvent(trx, {
      accountId: input.accountId,
      requestId: request.id,
      event: 'person_added',
      at: deps.clock.now(),
      actorId: input.actor.id,
      actorRole: input.actor.role,
    });
    await recordAudit(trx, deps.clock, {
      accountId: input.accountId,
      actor: input.actor,
      action: 'rights_request.add_person',
      entity: 'rights_request',
      entityId: request.id,
      subjectId: input.subjectId,
      purpose: 'legal_obligation',
    });

    return { ok: true as const };
  });
