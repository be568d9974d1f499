/**
 * @module Legal holds: staff keep one person's data from erasure for a stated reason until a review date (Art.
 * 17(3)(b) a legal obligation, 17(3)(e) legal claims, or another hold staff must justify). An erasure request meets
 * the hold and tells the person what is kept, why, and until when it will be reviewed; lifting the hold lets the
 * next erasure go through.
 *
 * @example
 * const { holdId } = await placeLegalHold(kernel, { accountId, subjectId, basis: 'legal_claims',
 *   reason: 'Disputed invoice before the county court', reviewOn: '2027-06-30', actor })
 * await liftLegalHold(kernel, { accountId, holdId, actor })
 */
import crypto from 'node:crypto';
import { type Actor, recordAudit } from '../kernel/audit/audit.ts';
import type { LegalHoldBasis } from '../kernel/db/schema.ts';
import { AppError } from '../kernel/errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { ukCivilDate } from './bank-holidays.ts';
import {
  getLegalHold,
  insertLegalHold,
  listHolds,
  listPresentSubjects,
  markHoldLifted,
} from './execution-repository.ts';

type Deps = Pick<Kernel, 'db' | 'clock' | 'policyFile'>;

export const LEGAL_HOLD_BASES = [
  'legal_claims',
  'legal_obligation',
  'staff_hold',
] as const satisfies readonly LegalHoldBasis[];

/** Words the person reads beside what is kept. */
export const HOLD_BASIS_LABELS: Readonly<Record<LegalHoldBasis, string>> = {
  legal_claims: 'needed to establish, exercise or defend legal claims',
  legal_obligation: 'we are required by law to keep it',
  staff_hold: 'held on purpose by our staff',
};

export const HOLD_REASON_MAX = 500;
/** A hold is reviewed at least this often: it must not become a way round erasure by being forgotten. */
export const HOLD_REVIEW_MAX_YEARS = 7;

export type NewLegalHold = {
  accountId: string;
  subjectId: string;
  basis: LegalHoldBasis;
  /** Told to the person who asks for erasure: say why in words they can follow, without anyone else's data. */
  reason: string;
  /** YYYY-MM-DD, after today and at most seven years ahead. */
  reviewOn: string;
  actor: Actor;
};

export const placeLegalHold = async (deps: Deps, input: NewLegalHold) => {
  if (!LEGAL_HOLD_BASES.includes(input.basis)) {
    throw new AppError('VALIDATION_FAILED', 'Choose legal claims, a legal obligation or a staff hold', {
      field: 'basis',
    });
  }
  const reason = input.reason.trim();
  if (reason.length < 10 || reason.length > HOLD_REASON_MAX) {
    throw new AppError('VALIDATION_FAILED', `Give the reason in 10 to ${HOLD_REASON_MAX} characters`, {
      field: 'reason',
    });
  }
  const today = ukCivilDate(deps.clock.now());
  const latest = `${Number(today.slice(0, 4)) + HOLD_REVIEW_MAX_YEARS}${today.slice(4)}`;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.reviewOn) || Number.isNaN(Date.parse(`${input.reviewOn}T00:00:00Z`))) {
    throw new AppError('VALIDATION_FAILED', 'The review date must be a date as YYYY-MM-DD', { field: 'reviewOn' });
  }
  if (input.reviewOn <= today || input.reviewOn > latest) {
    throw new AppError('VALIDATION_FAILED', `The review date must be after today and no later than ${latest}`, {
      field: 'reviewOn',
    });
  }
  // Keeping data for legal claims or a legal obligation must be something the notice tells people it does.
  if (input.basis !== 'staff_hold' && !noticeAllows(deps, input.basis)) {
    throw new AppError(
      'CONFLICT',
      `The privacy notice does not say data may be kept for ${input.basis.replaceAll('_', ' ')}: use a staff hold with its reason`,
      { basis: input.basis },
    );
  }

  return deps.db.tenant(input.accountId, async (trx) => {
    const [subject] = await listPresentSubjects(trx, [input.subjectId]);
    if (!subject) throw new AppError('NOT_FOUND', 'No such person in this account');
    const id = crypto.randomUUID();
    await insertLegalHold(trx, {
      id,
      accountId: input.accountId,
      subjectId: input.subjectId,
      basis: input.basis,
      reason,
      reviewOn: input.reviewOn,
      placedBy: input.actor.id,
      at: deps.clock.now(),
    });
    await recordAudit(trx, deps.clock, {
      accountId: input.accountId,
      actor: input.actor,
      action: 'legal_hold.place',
      entity: 'legal_hold',
      entityId: id,
      subjectId: input.subjectId,
      purpose: input.basis === 'legal_obligation' ? 'legal_obligation' : 'legal_claims',
      // The reason is free text staff wrote: it stays in the hold, not in the audit trail.
      details: { basis: input.basis, reviewOn: input.reviewOn },
    });

    return { holdId: id };
  });
};

const noticeAllows = (deps: Pick<Kernel, 'policyFile'>, basis: 'legal_claims' | 'legal_obligation') =>
  deps.policyFile.file.retention.some((rule) => rule.extendedBy.includes(basis)) ||
  deps.policyFile.file.purposes.some((p) => p.id === basis);

export const liftLegalHold = (deps: Deps, input: { accountId: string; holdId: string; actor: Actor }) =>
  deps.db.tenant(input.accountId, async (trx) => {
    const hold = await getLegalHold(trx, input.holdId);
    if (!hold) throw new AppError('NOT_FOUND', 'No such legal hold');
    if (hold.lifted_at) throw new AppError('CONFLICT', 'This legal hold has already been lifted');
    await markHoldLifted(trx, hold.id, input.actor.id, deps.clock.now());
    await recordAudit(trx, deps.clock, {
      accountId: input.accountId,
      actor: input.actor,
      action: 'legal_hold.lift',
      entity: 'legal_hold',
      entityId: hold.id,
      subjectId: hold.subject_id,
      purpose: hold.basis === 'legal_obligation' ? 'legal_obligation' : 'legal_claims',
      details: { basis: hold.basis },
    });

    return { ok: true as const };
  });

/** Holds in the account, soonest review first; `reviewDue` once the review date has come. */
export const listLegalHolds = (
  deps: Pick<Kernel, 'db' | 'clock'>,
  input: { accountId: string; subjectId?: string | undefined; active?: boolean | undefined },
) =>
  deps.db.tenant(input.accountId, async (trx) => {
    const today = ukCivilDate(deps.clock.now());
    const rows = await listHolds(trx, input.accountId, {
      ...(input.subjectId ? { subjectId: input.subjectId } : {}),
      ...(input.active === undefined ? {} : { active: input.active }),
    });

    return rows.map((h) => ({
      id: h.id,
      subjectId: h.subject_id,
      basis: h.basis,
      reason: h.reason,
      reviewOn: h.review_on,
      reviewDue: h.lifted_at === null && h.review_on <= today,
      placedBy: h.placed_by,
      placedAt: h.placed_at.toISOString(),
      liftedBy: h.lifted_by,
      liftedAt: h.lifted_at?.toISOString() ?? null,
    }));
  });
