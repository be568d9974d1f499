/**
 * @module Erasure (Art. 17). Each person the request covers is erased through `eraseSubject` (every source's rows,
 * then their key, then an id-only ledger line), unless an exception applies: a legal hold staff placed with its
 * basis, reason and review date, or a user account still open (VO-15: it is closed first, then erased). What is
 * kept is listed to the person with its reason. Whatever happens, their marketing addresses go on the suppression
 * list (hashed) and an objection to direct marketing is recorded while anything is kept, so the person is never
 * marketed to again. A person already erased is answered "nothing held", and nothing changes.
 *
 * @example
 * await completeRequest(kernel, SUBJECT_DATA_SOURCES, { accountId, requestId, actor, input: {} })
 */
import { recordAudit } from '../kernel/audit/audit.ts';
import { eraseSubject } from '../subjects/subjects.ts';
import type { Executor, KeptRecord, SubjectOutcome } from './complete-request.ts';
import { nothingHeld, objectToDirectMarketing, suppressionKept } from './execute-objection.ts';
import { listPresentSubjects } from './execution-repository.ts';
import { HOLD_BASIS_LABELS } from './legal-holds.ts';
import { activeLegalHolds } from './rights-repository.ts';

export const USER_ACCOUNT_KEPT: KeptRecord = {
  what: 'Your user account and the details it needs',
  reason: 'You have a user account with us: close it first, then we erase it',
};

export const executeErasure: Executor = async (ctx) => {
  const present = await listPresentSubjects(ctx.trx, ctx.subjectIds);
  const holds = await activeLegalHolds(
    ctx.trx,
    present.map((s) => s.id),
  );
  const subjects: SubjectOutcome[] = [];
  let erased = 0;
  for (const subjectId of ctx.subjectIds) {
    const subject = present.find((s) => s.id === subjectId);
    if (!subject) {
      subjects.push({ subjectId, done: 'nothing held', kept: [] });
      continue;
    }
    const held = holds.filter((h) => h.subject_id === subjectId);
    const kept: KeptRecord[] = held.map((h) => ({
      what: 'Your records with us',
      reason: `${capitalise(HOLD_BASIS_LABELS[h.basis])}: ${h.reason}. We will review this by ${h.review_on}`,
      until: h.review_on,
    }));
    if (subject.kind === 'client_user' || subject.kind === 'staff') kept.push(USER_ACCOUNT_KEPT);
    if (kept.length > 0) {
      // Kept, but never marketed to: the erasure request is at least an objection to direct marketing.
      const counts = await objectToDirectMarketing(ctx, subjectId);
      await recordAudit(ctx.trx, ctx.deps.clock, {
        accountId: ctx.accountId,
        actor: ctx.actor,
        action: 'subject.erase_withheld',
        entity: 'subject',
        entityId: subjectId,
        subjectId,
        purpose: 'legal_obligation',
        details: {
          requestId: ctx.request.id,
          holds: held.length,
          userAccount: subject.kind === 'client_user' || subject.kind === 'staff',
        },
      });
      subjects.push({ subjectId, done: 'kept', kept, counts });
      continue;
    }
    // The consent source puts the person's addresses on the suppression list before the key goes.
    const result = await eraseSubject(ctx.deps, ctx.trx, ctx.sources, {
      accountId: ctx.accountId,
      subjectId,
      actor: ctx.actor,
      reason: 'data_subject_request',
    });
    erased += 1;
    subjects.push({ subjectId, done: 'erased', kept: [], counts: result.counts });
  }
  if (present.length === 0) return nothingHeld(subjects);

  const kept = dedupe(subjects.flatMap((s) => s.kept));
  const summary =
    kept.length === 0
      ? 'We have erased the personal data we held about you.'
      : erased > 0
        ? 'We have erased the personal data we held about you, except what is listed below, which we must keep for the reason given.'
        : 'We cannot erase your data yet, for the reason given below. Meanwhile we will not market to you.';

  return { summary, kept: [...kept, suppressionKept, requestKept], subjects };
};

/** The request itself stays: the law requires being able to show how it was answered. */
const requestKept: KeptRecord = {
  what: 'Your request and our answer to it',
  reason: 'We must be able to show that we answered your request and how',
};

const dedupe = (records: KeptRecord[]) =>
  records.filter(
    (r, i) => records.findIndex((o) => o.what === r.what && o.reason === r.reason && o.until === r.until) === i,
  );

const capitalise = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
