/**
 * @module Withdrawal of consent (Art. 7(3)). The processing that rested on it stops at once: consent is recorded as
 * inactive for every consent-based purpose (or those the person named), and for a marketing purpose each channel
 * with a given consent gets a "withdrawn" consent record. Nothing already done is undone: processing before the
 * withdrawal stays lawful, and data is not erased unless the person asks for that too.
 *
 * @example
 * await completeRequest(kernel, sources, { accountId, requestId, actor, input: { purposes: ['marketing'] } })
 */
import { readPreferences, recordMarketingChoiceIn } from '../consent/consent-records.ts';
import { recordAudit } from '../kernel/audit/audit.ts';
import type { MarketingChannel } from '../kernel/db/schema.ts';
import { AppError } from '../kernel/errors.ts';
import type { Executor, SubjectOutcome } from './complete-request.ts';
import { nothingHeld, purposeName } from './execute-objection.ts';
import { insertControls, listPresentSubjects } from './execution-repository.ts';

export const executeWithdrawal: Executor = async (ctx) => {
  const { policy } = ctx.deps;
  const consentBased = Object.entries(policy.purposes)
    .filter(([, rule]) => rule.legalBasis === 'consent')
    .map(([id]) => id);
  const named = ctx.input.purposes && ctx.input.purposes.length > 0 ? ctx.input.purposes : undefined;
  const unknown = named?.filter((p) => !consentBased.includes(p) && !policy.purposes[p]?.directMarketing) ?? [];
  if (unknown.length > 0) {
    throw new AppError('VALIDATION_FAILED', 'Only a purpose based on consent can have its consent withdrawn', {
      field: 'purposes',
      purposes: unknown,
      consentBased,
    });
  }
  const chosen = named ?? consentBased;
  const present = await listPresentSubjects(ctx.trx, ctx.subjectIds);
  const subjects: SubjectOutcome[] = [];
  for (const subjectId of ctx.subjectIds) {
    if (!present.some((s) => s.id === subjectId)) {
      subjects.push({ subjectId, done: 'nothing held', kept: [] });
      continue;
    }
    // Marketing consent is given per channel: each channel still holding a yes gets its own withdrawal record,
    // which also puts that channel's address on the do-not-contact list once no yes is left on it.
    const latest = await readPreferences(ctx.deps, ctx.trx, ctx.accountId, subjectId);
    let records = 0;
    for (const purpose of chosen.filter((p) => policy.purposes[p]?.directMarketing)) {
      const given = latest.filter((r) => r.topic === purpose && r.state === 'given').map((r) => r.channel);
      for (const channel of new Set<MarketingChannel>(given)) {
        const ids = await recordMarketingChoiceIn(ctx.deps, ctx.trx, {
          accountId: ctx.accountId,
          subjectId,
          channel,
          topic: purpose,
          state: 'withdrawn',
          basis: 'consent',
          method: 'rights_request',
          actor: ctx.actor,
        });
        records += ids.length;
      }
    }
    const at = ctx.deps.clock.now();
    await insertControls(
      ctx.trx,
      chosen.map((purpose) => ({ accountId: ctx.accountId, subjectId, kind: 'consent', purpose, active: false, at })),
    );
    await recordAudit(ctx.trx, ctx.deps.clock, {
      accountId: ctx.accountId,
      actor: ctx.actor,
      action: 'subject.withdraw_consent',
      entity: 'subject',
      entityId: subjectId,
      subjectId,
      purpose: 'legal_obligation',
      details: { requestId: ctx.request.id, purposes: chosen.length, consentRecords: records },
    });
    subjects.push({
      subjectId,
      done: 'consent withdrawn',
      kept: [],
      counts: { purposes: chosen.length, consentRecords: records },
    });
  }
  if (present.length === 0) return nothingHeld(subjects);

  return {
    summary:
      chosen.length === 0
        ? 'Nothing we do with your data rests on your consent, so there was no consent to withdraw.'
        : `We have stopped using your data for: ${chosen.map((p) => purposeName(ctx, p)).join('; ')}. What we did before you withdrew your consent stays lawful and is not undone; if you also want the data erased, ask us to erase it.`,
    kept: [],
    subjects,
  };
};
