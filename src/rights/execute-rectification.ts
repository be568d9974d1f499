/**
 * @module Rectification (Art. 16): staff, having checked the corrected values, replace a person's name, e-mail or
 * phone. The new values are sealed under the person's key and their blind indexes recomputed, so look-ups find the
 * corrected values and no longer the old ones. The person is told by the request's answer.
 *
 * Where the old and new values go: the audit trail carries ids and field names only (its details are hashed into a
 * chain that anyone verifying it reads), so the values themselves are sealed under the person's own key, as one
 * blob, in a `rectified` event of the request's history, which the audit event points to. Sealing under the
 * person's key, rather than the request's, means a later erasure of the person shreds the history of their values
 * with everything else.
 *
 * A user's sign-in address is not changed here: it has its own index, changed from the user's own settings.
 *
 * @example
 * await completeRequest(kernel, sources, { accountId, requestId, actor,
 *   input: { corrections: { subjectId, name: 'Ann Example-Smith' } } })
 */
import { recordAudit } from '../kernel/audit/audit.ts';
import { AppError } from '../kernel/errors.ts';
import type { Executor } from './complete-request.ts';
import { getSealedSubject, updateSubjectFields } from './execution-repository.ts';
import { insertRequestEvent } from './rights-repository.ts';

/** The longest value accepted per field (routes check the same with zod). */
export const CORRECTION_LIMITS = { name: 200, email: 320, phone: 40 } as const;
type Field = keyof typeof CORRECTION_LIMITS;
const FIELDS: readonly Field[] = ['name', 'email', 'phone'];
const LABELS: Readonly<Record<Field, string>> = { name: 'name', email: 'e-mail address', phone: 'phone number' };

export const executeRectification: Executor = async (ctx) => {
  const corrections = ctx.input.corrections;
  if (!corrections) {
    throw new AppError('VALIDATION_FAILED', 'Give the corrected values for the person', { field: 'corrections' });
  }
  if (!ctx.subjectIds.includes(corrections.subjectId)) {
    throw new AppError('VALIDATION_FAILED', 'That person is not one this request covers', {
      field: 'corrections.subjectId',
    });
  }
  const wanted: Partial<Record<Field, string | null>> = {};
  for (const field of FIELDS) {
    const raw = corrections[field];
    if (raw === undefined) continue;
    if (raw.length > CORRECTION_LIMITS[field]) {
      throw new AppError('VALIDATION_FAILED', `The ${LABELS[field]} is too long`, {
        field: `corrections.${field}`,
        max: CORRECTION_LIMITS[field],
      });
    }
    const value = raw.trim();
    if (field === 'name' && value === '') {
      throw new AppError('VALIDATION_FAILED', 'A name cannot be removed, only corrected', {
        field: 'corrections.name',
      });
    }
    if (field === 'email' && value !== '' && !/^[^\s@]+@[^\s@]+$/.test(value)) {
      throw new AppError('VALIDATION_FAILED', 'That is not an e-mail address', { field: 'corrections.email' });
    }
    wanted[field] = value === '' ? null : value;
  }
  if (Object.keys(wanted).length === 0) {
    throw new AppError('VALIDATION_FAILED', 'Give at least one corrected value', { field: 'corrections' });
  }

  const { trx, deps } = ctx;
  const subjectId = corrections.subjectId;
  const row = await getSealedSubject(trx, subjectId);
  if (!row) throw new AppError('NOT_FOUND', 'This person is no longer held here, so there is nothing to correct');
  const open = (blob: Buffer | null, field: string) => (blob ? deps.vault.open(trx, blob, field) : null);
  const current: Record<Field, string | null> = {
    name: await open(row.name, 'subjects.name'),
    email: await open(row.email, 'subjects.email'),
    phone: await open(row.phone, 'subjects.phone'),
  };
  const changed = FIELDS.filter((f) => f in wanted && wanted[f] !== current[f]);
  const others = ctx.subjectIds
    .filter((id) => id !== subjectId)
    .map((id) => ({ subjectId: id, done: 'not corrected', kept: [] }));
  if (changed.length === 0) {
    return {
      summary: 'The data we hold about you already matches what you told us, so nothing needed correcting.',
      kept: [],
      subjects: [{ subjectId, done: 'already correct', kept: [] }, ...others],
    };
  }

  const now = deps.clock.now();
  const scope = row.account_id;
  const changes: Parameters<typeof updateSubjectFields>[2] = { updated_at: now };
  for (const field of changed) {
    const value = wanted[field] ?? null;
    changes[field] = await deps.vault.sealNullable(trx, subjectId, `subjects.${field}`, value);
    changes[`${field}_bidx`] = value === null ? null : deps.vault.blindIndex(field, scope, value);
  }
  await updateSubjectFields(trx, subjectId, changes);

  const history = await deps.vault.seal(
    trx,
    subjectId,
    'rights_request_events.rectification',
    JSON.stringify({
      old: Object.fromEntries(changed.map((f) => [f, current[f]])),
      new: Object.fromEntries(changed.map((f) => [f, wanted[f] ?? null])),
    }),
  );
  await insertRequestEvent(trx, {
    accountId: ctx.accountId,
    requestId: ctx.request.id,
    event: 'rectified',
    at: now,
    actorId: ctx.actor.id,
    actorRole: ctx.actor.role,
    details: { subjectId, fields: changed, values: history.toString('base64') },
  });
  await recordAudit(trx, deps.clock, {
    accountId: ctx.accountId,
    actor: ctx.actor,
    action: 'subject.rectify',
    entity: 'subject',
    entityId: subjectId,
    subjectId,
    fields: changed,
    purpose: 'legal_obligation',
    details: { requestId: ctx.request.id, valuesSealedIn: 'rights_request_events.rectified' },
  });

  return {
    summary: `We have corrected your ${joinWords(changed.map((f) => LABELS[f]))}.`,
    kept: [],
    subjects: [{ subjectId, done: 'corrected', kept: [], counts: { fields: changed.length } }, ...others],
  };
};

const joinWords = (words: string[]) =>
  words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
