/**
 * @module Restriction (Art. 18). The data stays stored; a restriction on the whole of each person's data makes the
 * decision function refuse every use of it except for legal claims and, for a purpose resting on consent, a consent
 * the person gives after the restriction (Art. 18(2); `decide` checks the order). Lifting the restriction is
 * `liftRestriction`, which tells the person first.
 *
 * @example
 * await completeRequest(kernel, sources, { accountId, requestId, actor, input: {} })
 */
import { recordAudit } from '../kernel/audit/audit.ts';
import type { Executor, SubjectOutcome } from './complete-request.ts';
import { nothingHeld } from './execute-objection.ts';
import { insertControls, listPresentSubjects } from './execution-repository.ts';

export const executeRestriction: Executor = async (ctx) => {
  const present = await listPresentSubjects(ctx.trx, ctx.subjectIds);
  const at = ctx.deps.clock.now();
  const subjects: SubjectOutcome[] = [];
  for (const subjectId of ctx.subjectIds) {
    if (!present.some((s) => s.id === subjectId)) {
      subjects.push({ subjectId, done: 'nothing held', kept: [] });
      continue;
    }
    await insertControls(ctx.trx, [
      { accountId: ctx.accountId, subjectId, kind: 'restriction', purpose: null, active: true, at },
    ]);
    await recordAudit(ctx.trx, ctx.deps.clock, {
      accountId: ctx.accountId,
      actor: ctx.actor,
      action: 'subject.restrict',
      entity: 'subject',
      entityId: subjectId,
      subjectId,
      purpose: 'legal_obligation',
      details: { requestId: ctx.request.id, active: true },
    });
    subjects.push({ subjectId, done: 'restricted', kept: [] });
  }
  if (present.length === 0) return nothingHeld(subjects);

  return {
    summary:
      'We have restricted your data: we keep it stored but no longer use it, except to establish, exercise or defend legal claims or with your consent. We will tell you before we lift the restriction.',
    kept: [],
    subjects,
  };
};
