/**
 * @module Lifting a restriction (Art. 18(3)): the person is e-mailed first, and only once the e-mail has gone is the
 * restriction recorded as lifted for each person the answered request covers. If the e-mail fails, nothing is
 * lifted and staff can try again.
 *
 * @example
 * await liftRestriction(kernel, { accountId, requestId, actor })
 */
import { type Actor, recordAudit } from '../kernel/audit/audit.ts';
import type { Trx } from '../kernel/db/database.ts';
import { AppError } from '../kernel/errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { insertControls, latestRestrictions } from './execution-repository.ts';
import { sendRequestMail } from './request-mail.ts';
import { getRequestRow, insertRequestEvent, listRequestSubjects, lockRequestRow } from './rights-repository.ts';
import { personContact } from './view-request.ts';

type Deps = Pick<Kernel, 'db' | 'vault' | 'clock' | 'mailer' | 'config' | 'policyFile'>;

/** The people of an answered restriction request whose restriction is still in force. */
const restrictedSubjects = async (trx: Trx, requestId: string, locked: boolean) => {
  const row = locked ? await lockRequestRow(trx, requestId) : await getRequestRow(trx, requestId);
  if (!row) throw new AppError('NOT_FOUND', 'No such request');
  if (row.kind !== 'restriction') throw new AppError('CONFLICT', 'Only a restriction request can be lifted');
  if (row.status !== 'completed') throw new AppError('CONFLICT', 'The restriction has not been put in place yet');
  const covered = await listRequestSubjects(trx, requestId);
  const latest = await latestRestrictions(
    trx,
    covered.filter((c) => c.present !== null).map((c) => c.subject_id),
  );

  return latest.filter((r) => r.active).map((r) => r.subject_id);
};

export const liftRestriction = async (deps: Deps, input: { accountId: string; requestId: string; actor: Actor }) => {
  const before = await deps.db.tenant(input.accountId, (trx) => restrictedSubjects(trx, input.requestId, false));
  if (before.length === 0) throw new AppError('CONFLICT', 'No restriction from this request is in force');
  const contact = await personContact(deps, input);
  await sendRequestMail(deps, {
    to: contact.email,
    template: 'restriction_lifting',
    answeredBy: contact.answeredBy,
    statusToken: contact.statusToken,
  });

  return deps.db.tenant(input.accountId, async (trx) => {
    // Read again under the lock: only what was in force when the person was told, and still is, is lifted.
    const now = await restrictedSubjects(trx, input.requestId, true);
    const lifted = now.filter((id) => before.includes(id));
    const at = deps.clock.now();
    await insertControls(
      trx,
      lifted.map((subjectId) => ({
        accountId: input.accountId,
        subjectId,
        kind: 'restriction',
        purpose: null,
        active: false,
        at,
      })),
    );
    await insertRequestEvent(trx, {
      accountId: input.accountId,
      requestId: input.requestId,
      event: 'restriction_lifted',
      at,
      actorId: input.actor.id,
      actorRole: input.actor.role,
      details: { subjects: lifted.length },
    });
    for (const subjectId of lifted) {
      await recordAudit(trx, deps.clock, {
        accountId: input.accountId,
        actor: input.actor,
        action: 'subject.restriction_lift',
        entity: 'subject',
        entityId: subjectId,
        subjectId,
        purpose: 'legal_obligation',
        details: { requestId: input.requestId },
      });
    }

    return { lifted: lifted.length };
  });
};
