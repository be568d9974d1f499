/**
 * @module The steps between receipt and answer, for staff (provider) and client owners (a routed part) alike: start
 * work, ask for clarification (the clock stops) and record it, extend (reasons, and the person told before the first
 * month ends), ask for a fee (only where the law allows one), record it paid or waived, refuse (reasons and the
 * right to complain). Each step is an event with actor and reason; the due date is recomputed from the events.
 *
 * @example
 * await actOnRequest(kernel, { accountId, requestId, actor, action: { type: 'extend', reason: 'Three linked requests' } })
 */
import { z } from 'zod';
import { type Actor, recordAudit } from '../kernel/audit/audit.ts';
import type { Trx } from '../kernel/db/database.ts';
import { OPEN_RIGHTS_STATUSES } from '../kernel/db/schema.ts';
import { AppError } from '../kernel/errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { ukCivilDate } from './bank-holidays.ts';
import { type RequestMail, sendRequestMail } from './request-mail.ts';
import { clockOf, refreshClock } from './request-state.ts';
import { insertRequestEvent, lockRequestRow, type RequestRow, updateRequest } from './rights-repository.ts';
import { personContact } from './view-request.ts';

type Deps = Pick<Kernel, 'db' | 'vault' | 'clock' | 'mailer' | 'config' | 'policyFile'>;

/** Why a request may be refused, or a fee charged (Art. 12(5)); the code is kept, the explanation goes to the person. */
export const REFUSAL_REASONS = [
  'manifestly_unfounded',
  'manifestly_excessive',
  'identity_not_confirmed',
  'exemption_applies',
] as const;
export const FEE_REASONS = ['further_copy', 'manifestly_unfounded', 'manifestly_excessive'] as const;

const explanation = z.string().trim().min(10, 'say why, in a sentence the person will read').max(2000);

export const ZRequestAction = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start') }),
  z.object({ type: z.literal('request_clarification'), question: explanation }),
  z.object({ type: z.literal('clarification_received') }),
  z.object({ type: z.literal('extend'), reason: explanation }),
  z.object({
    type: z.literal('request_fee'),
    reason: z.enum(FEE_REASONS),
    amountPence: z.number().int().min(1).max(100_000),
    explanation,
  }),
  z.object({ type: z.literal('fee_paid') }),
  z.object({ type: z.literal('waive_fee') }),
  z.object({ type: z.literal('refuse'), reason: z.enum(REFUSAL_REASONS), explanation }),
]);
export type RequestAction = z.infer<typeof ZRequestAction>;

export const actOnRequest = async (
  deps: Deps,
  input: { accountId: string; requestId: string; actor: Actor; action: RequestAction },
) => {
  const { action } = input;
  const result = await deps.db.tenant(input.accountId, async (trx) => {
    const row = await lockRequestRow(trx, input.requestId);
    if (!row) throw new AppError('NOT_FOUND', 'No such request');
    if (!OPEN_RIGHTS_STATUSES.includes(row.status)) {
      throw new AppError('CONFLICT', `This request is ${row.status.replaceAll('_', ' ')}`, { status: row.status });
    }
    const now = deps.clock.now();
    const event = (name: string, reason: string | null, details: Record<string, unknown> = {}) =>
      insertRequestEvent(trx, {
        accountId: input.accountId,
        requestId: row.id,
        event: name,
        at: now,
        actorId: input.actor.id,
        actorRole: input.actor.role,
        reason,
        details,
      });
    let mail: RequestMail | null = null;

    switch (action.type) {
      case 'start':
        requireStatus(row, ['received']);
        await updateRequest(trx, row.id, { status: 'in_progress', updated_at: now });
        await event('started', null);
        break;
      case 'request_clarification':
        requireStatus(row, ['received', 'in_progress']);
        await updateRequest(trx, row.id, { status: 'awaiting_clarification', updated_at: now });
        // The question may name things about the person: it goes to them by e-mail and is not kept in the history.
        await event('clarification_requested', null);
        mail = { template: 'clarification', question: action.question, statusToken: null };
        break;
      case 'clarification_received':
        requireStatus(row, ['awaiting_clarification']);
        await updateRequest(trx, row.id, { status: 'in_progress', updated_at: now });
        await event('clarification_received', null);
        break;
      case 'extend': {
        if (row.extended) throw new AppError('CONFLICT', 'This request has already been extended');
        const clock = await clockOf(deps, trx, row.id);
        if (!clock?.extensionNoticeBy) throw new AppError('CONFLICT', 'The clock is not running');
        if (ukCivilDate(now) > clock.extensionNoticeBy) {
          throw new AppError('CONFLICT', 'Too late to extend: the person had to be told within the first month', {
            extensionNoticeBy: clock.extensionNoticeBy,
          });
        }
        await updateRequest(trx, row.id, { extended: true, updated_at: now });
        await event('extended', action.reason);
        const after = await refreshClock(deps, trx, row.id);
        mail = { template: 'extended', reason: action.reason, dueOn: after?.dueOn ?? '', statusToken: null };
        break;
      }
      case 'request_fee':
        if (row.fee_status === 'requested') throw new AppError('CONFLICT', 'A fee has already been asked for');
        if (action.reason === 'further_copy') await requireEarlierCopy(trx, row);
        await updateRequest(trx, row.id, { fee_status: 'requested', fee_pence: action.amountPence, updated_at: now });
        await event('fee_requested', action.reason, {
          amountPence: action.amountPence,
          explanation: action.explanation,
        });
        mail = {
          template: 'fee_requested',
          amountPence: action.amountPence,
          reason: action.explanation,
          statusToken: null,
        };
        break;
      case 'fee_paid':
      case 'waive_fee':
        if (row.fee_status !== 'requested') throw new AppError('CONFLICT', 'No fee is awaited');
        await updateRequest(trx, row.id, {
          fee_status: action.type === 'fee_paid' ? 'paid' : 'waived',
          updated_at: now,
        });
        await event(action.type === 'fee_paid' ? 'fee_paid' : 'fee_waived', null);
        break;
      case 'refuse': {
        const outcome = { refused: true, reason: action.reason, explanation: action.explanation };
        await updateRequest(trx, row.id, {
          status: 'refused',
          closed_at: now,
          outcome: await deps.vault.seal(trx, row.id, 'rights_requests.outcome', JSON.stringify(outcome)),
          updated_at: now,
        });
        await event('refused', action.reason);
        mail = {
          template: 'refused',
          kind: row.kind,
          reason: action.explanation,
          answeredBy: '',
          statusToken: null,
        };
        break;
      }
    }
    if (action.type !== 'extend' && action.type !== 'refuse') await refreshClock(deps, trx, row.id);
    await recordAudit(trx, deps.clock, {
      accountId: input.accountId,
      actor: input.actor,
      action: `rights_request.${action.type}`,
      entity: 'rights_request',
      entityId: row.id,
      purpose: 'legal_obligation',
      details: { kind: row.kind },
    });

    return { mail, parentId: row.parent_id };
  });
  // The person is told after the step is recorded; an extension is recorded only with its notice in the same
  // request, so a failed e-mail surfaces as an error for staff to retry rather than passing silently.
  if (result.mail) {
    const contact = await personContact(deps, { accountId: input.accountId, requestId: input.requestId });
    const mail = result.mail;
    if ('answeredBy' in mail) mail.answeredBy = contact.answeredBy;
    if ('statusToken' in mail) mail.statusToken = contact.statusToken;
    await sendRequestMail(deps, { ...mail, to: contact.email });
  }

  return { ok: true as const };
};

const requireStatus = (row: RequestRow, allowed: readonly RequestRow['status'][]) => {
  if (!allowed.includes(row.status)) {
    throw new AppError('CONFLICT', `Not possible while the request is ${row.status.replaceAll('_', ' ')}`, {
      status: row.status,
    });
  }
};

/** Art. 15(3): the first copy is free. A fee for a further copy needs an earlier answered access request. */
const requireEarlierCopy = async (trx: Trx, row: RequestRow) => {
  if (row.kind !== 'access' && row.kind !== 'portability') {
    throw new AppError('CONFLICT', 'A fee for a further copy applies only to access and portability requests');
  }
  const earlier = await trx
    .selectFrom('rights_requests')
    .select('id')
    .where('account_id', '=', row.account_id)
    .where('requester_email_bidx', '=', row.requester_email_bidx)
    .where('kind', 'in', ['access', 'portability'])
    .where('status', '=', 'completed')
    .where('id', '!=', row.id)
    .executeTakeFirst();
  if (!earlier) {
    throw new AppError('CONFLICT', 'The first copy is free: this person has had no earlier copy', {
      rule: 'first_copy_free',
    });
  }
};
