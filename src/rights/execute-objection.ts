/**
 * @module Objection (Art. 21). To processing on legitimate interests or a public task: it stops for every such
 * purpose (or those the person named) unless staff record compelling legitimate grounds for a purpose, which the
 * person is told; processing for legal claims continues by law (Art. 21(1)). To direct marketing: absolute and
 * immediate (Art. 21(2)–(3)): an objection on every marketing purpose and channel, and the person's addresses on
 * the suppression list, so no import or campaign ever reaches them again.
 *
 * @example
 * await completeRequest(kernel, sources, { accountId, requestId, actor,
 *   input: { kind: 'objection', compellingGrounds: [{ purpose: 'fraud_prevention', grounds: '…' }] } })
 */
import { recordMarketingChoiceIn } from '../consent/consent-records.ts';
import { suppressAddresses } from '../consent/suppression.ts';
import { recordAudit } from '../kernel/audit/audit.ts';
import { AppError } from '../kernel/errors.ts';
import { LEGAL_CLAIMS_PURPOSE } from '../kernel/policy/policy.ts';
import type { ExecutionContext, Executor, KeptRecord, SubjectOutcome } from './complete-request.ts';
import { getSealedSubject, insertControls, listPresentSubjects } from './execution-repository.ts';

export const GROUNDS_MAX = 2000;

/** The purpose's name as the notice words it, for the person's answer. */
export const purposeName = (ctx: Pick<ExecutionContext, 'deps'>, purpose: string) =>
  ctx.deps.policyFile.file.purposes.find((p) => p.id === purpose)?.name ?? purpose;

const OBJECTABLE = new Set(['legitimate_interests', 'public_task']);

export const executeObjection: Executor = async (ctx) => {
  const { policy } = ctx.deps;
  const objectable = Object.entries(policy.purposes)
    .filter(([, rule]) => OBJECTABLE.has(rule.legalBasis))
    .map(([id]) => id);
  const named = nonEmpty(ctx.input.purposes);
  const unknown = named?.filter((p) => !objectable.includes(p)) ?? [];
  if (unknown.length > 0) {
    throw new AppError('VALIDATION_FAILED', 'An objection applies only to purposes based on legitimate interests', {
      field: 'purposes',
      purposes: unknown,
      objectable,
    });
  }
  const chosen = named ?? objectable;
  const grounds = new Map<string, string>();
  for (const g of ctx.input.compellingGrounds ?? []) {
    const text = g.grounds.trim();
    if (!chosen.includes(g.purpose)) {
      throw new AppError('VALIDATION_FAILED', 'Compelling grounds name a purpose the objection does not cover', {
        field: 'compellingGrounds',
        purpose: g.purpose,
      });
    }
    if (policy.purposes[g.purpose]?.directMarketing) {
      throw new AppError('VALIDATION_FAILED', 'An objection to direct marketing is absolute: no grounds override it', {
        field: 'compellingGrounds',
        purpose: g.purpose,
      });
    }
    if (text.length < 10 || text.length > GROUNDS_MAX) {
      throw new AppError('VALIDATION_FAILED', `State the compelling grounds in 10 to ${GROUNDS_MAX} characters`, {
        field: 'compellingGrounds',
        purpose: g.purpose,
      });
    }
    grounds.set(g.purpose, text);
  }
  const kept: KeptRecord[] = [];
  for (const purpose of chosen) {
    const text = grounds.get(purpose);
    if (text) kept.push({ what: purposeName(ctx, purpose), reason: `We have compelling legitimate grounds: ${text}` });
    else if (purpose === LEGAL_CLAIMS_PURPOSE) {
      kept.push({
        what: purposeName(ctx, purpose),
        reason: 'The law lets us keep using data to establish, exercise or defend legal claims',
      });
    }
  }
  const stopped = chosen.filter((p) => !grounds.has(p) && p !== LEGAL_CLAIMS_PURPOSE);

  const present = await listPresentSubjects(ctx.trx, ctx.subjectIds);
  const at = ctx.deps.clock.now();
  const subjects: SubjectOutcome[] = [];
  for (const subjectId of ctx.subjectIds) {
    if (!present.some((s) => s.id === subjectId)) {
      subjects.push({ subjectId, done: 'nothing held', kept: [] });
      continue;
    }
    await insertControls(
      ctx.trx,
      stopped.map((purpose) => ({ accountId: ctx.accountId, subjectId, kind: 'objection', purpose, active: true, at })),
    );
    await recordAudit(ctx.trx, ctx.deps.clock, {
      accountId: ctx.accountId,
      actor: ctx.actor,
      action: 'subject.object',
      entity: 'subject',
      entityId: subjectId,
      subjectId,
      purpose: 'legal_obligation',
      details: { requestId: ctx.request.id, stopped: stopped.length, continued: kept.length },
    });
    subjects.push({ subjectId, done: 'objection recorded', kept, counts: { purposesStopped: stopped.length } });
  }
  if (present.length === 0) return nothingHeld(subjects);

  return {
    summary:
      stopped.length > 0
        ? `We have stopped using your data for: ${stopped.map((p) => purposeName(ctx, p)).join('; ')}.`
        : 'We have not stopped any use of your data: see the reasons below.',
    kept,
    subjects,
  };
};

export const executeMarketingObjection: Executor = async (ctx) => {
  if (nonEmpty(ctx.input.compellingGrounds)) {
    throw new AppError(
      'VALIDATION_FAILED',
      'An objection to direct marketing is absolute: compelling grounds cannot be recorded against it',
      { field: 'compellingGrounds' },
    );
  }
  // `purposes` is not read: suppressing the person's addresses stops every kind of marketing to them, so an
  // objection to part of it could not be honoured any more narrowly.
  const present = await listPresentSubjects(ctx.trx, ctx.subjectIds);
  const subjects: SubjectOutcome[] = [];
  for (const subjectId of ctx.subjectIds) {
    if (!present.some((s) => s.id === subjectId)) {
      subjects.push({ subjectId, done: 'nothing held', kept: [] });
      continue;
    }
    const counts = await objectToDirectMarketing(ctx, subjectId);
    subjects.push({ subjectId, done: 'marketing stopped', kept: [], counts });
  }
  if (present.length === 0) return nothingHeld(subjects);

  return {
    summary:
      'We have stopped all direct marketing to you, by every channel, at once. Your e-mail address and phone number are on our do-not-market list, so we will not market to you again.',
    kept: [suppressionKept],
    subjects,
  };
};

/** What stays so that marketing never resumes: told to the person with every objection and erasure. */
export const suppressionKept: KeptRecord = {
  what: 'A one-way coded form (a hash) of your e-mail address and phone number, on our do-not-market list',
  reason: 'So that you are never sent marketing again, even if your details reach us another way',
};

/**
 * An objection to direct marketing for one person: a consent record (state refused, basis objection) per channel
 * the notice markets by, which also records the objection control for every marketing purpose and suppresses the
 * person's addresses; where the notice lists no channel, the controls and the suppression are recorded directly.
 */
export const objectToDirectMarketing = async (ctx: ExecutionContext, subjectId: string) => {
  const { deps, trx } = ctx;
  const channels = deps.policyFile.file.marketing.channels.map((c) => c.channel);
  const topics = Object.entries(deps.policy.purposes)
    .filter(([, rule]) => rule.directMarketing)
    .map(([id]) => id);
  let records = 0;
  for (const channel of channels) {
    const ids = await recordMarketingChoiceIn(deps, trx, {
      accountId: ctx.accountId,
      subjectId,
      channel,
      topic: 'all',
      state: 'refused',
      basis: 'objection',
      method: 'rights_request',
      actor: ctx.actor,
    });
    records += ids.length;
  }
  if (channels.length === 0) {
    const at = deps.clock.now();
    await insertControls(
      trx,
      topics.map((purpose) => ({ accountId: ctx.accountId, subjectId, kind: 'objection', purpose, active: true, at })),
    );
    const row = await getSealedSubject(trx, subjectId);
    const open = (blob: Buffer | null | undefined, field: string) =>
      blob ? deps.vault.open(trx, blob, field) : Promise.resolve(null);
    await suppressAddresses(
      deps,
      trx,
      { email: await open(row?.email, 'subjects.email'), phone: await open(row?.phone, 'subjects.phone') },
      'objection',
    );
  }

  return { consentRecords: records, marketingPurposes: topics.length };
};

export const nothingHeld = (subjects: SubjectOutcome[]) => ({
  summary: 'We hold no personal data about you here, so there was nothing to act on.',
  kept: [],
  subjects,
});

const nonEmpty = <T>(list: readonly T[] | undefined): readonly T[] | undefined =>
  list && list.length > 0 ? list : undefined;
