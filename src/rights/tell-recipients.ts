/**
 * @module Art. 19: a rectification, erasure or restriction is passed on to each recipient the person's data was
 * disclosed to, and the person is told who they are. Recipients are the policy file's routine recipients for the
 * purposes the person's data was processed for (from the audit trail about them, read before the request is carried
 * out).
 * Custodian cannot reach a recipient by itself, so completing the request leaves a list for staff, who record each
 * recipient as told (or why that was impossible); the person's answer names them.
 *
 * @example
 * const purposes = await listPurposesUsedFor(trx, subjectIds) // before the executor runs (rights-repository.ts)
 * const recipients = recipientsFor(policyFile.file, purposes)
 * await recordRecipientTold(kernel, { accountId, requestId, actor, recipientId: 'payment_processor', how: '…' })
 */
import { z } from 'zod';
import { type Actor, recordAudit } from '../kernel/audit/audit.ts';
import type { RightsRequestKind } from '../kernel/db/schema.ts';
import { AppError } from '../kernel/errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import type { PolicyFile } from '../policy/policy-schema.ts';
import { insertRequestEvent, listRequestEvents, lockRequestRow } from './rights-repository.ts';

/** The rights whose exercise must be passed on to recipients. */
export const PASSED_ON: ReadonlySet<RightsRequestKind> = new Set(['rectification', 'erasure', 'restriction']);

export const RECIPIENTS_EVENT = 'recipients_to_tell';
export const TOLD_EVENT = 'recipient_told';

export type RecipientToTell = { id: string; name: string };

/**
 * The policy's routine recipients of data processed for any of `purposes`, in the policy file's order. Those the
 * policy names only for an occasion (`onlyWhen`: a court order, a sale of the business) are left out: the purpose
 * alone does not show that the occasion arose, and the person must not be told their data went somewhere it did not.
 */
export const recipientsFor = (file: PolicyFile, purposes: ReadonlySet<string>): RecipientToTell[] =>
  file.recipients
    .filter((r) => !r.onlyWhen && r.purposes.some((p) => purposes.has(p)))
    .map((r) => ({ id: r.id, name: r.name }));

/** One sentence for the person's answer, naming the recipients (Art. 19, second sentence). */
export const recipientsSentence = (recipients: readonly RecipientToTell[]) =>
  recipients.length === 0
    ? ''
    : ` We are passing this on to those we disclosed your data to: ${recipients.map((r) => r.name).join('; ')}.`;

type EventRow = Awaited<ReturnType<typeof listRequestEvents>>[number];

/** Each recipient to tell, with when and how it was told (null while not yet), from the request's events. */
export const recipientsView = (events: readonly EventRow[]) => {
  const listed = events.findLast((e) => e.event === RECIPIENTS_EVENT);
  if (!listed) return [];
  const told = new Map<string, EventRow>();
  for (const e of events) if (e.event === TOLD_EVENT) told.set(String(e.details.recipientId), e);

  return ((listed.details.recipients ?? []) as RecipientToTell[]).map((r) => {
    const event = told.get(r.id);

    return {
      id: r.id,
      name: r.name,
      toldAt: event ? event.at.toISOString() : null,
      toldByRole: event?.actor_role ?? null,
      how: event?.reason ?? null,
    };
  });
};

export const ZRecipientTold = z.strictObject({
  how: z.string().trim().min(5, 'say how they were told, or why they could not be').max(500),
});

/** Records that a recipient was told of the request's outcome (or why that proved impossible). */
export const recordRecipientTold = async (
  deps: Pick<Kernel, 'db' | 'clock'>,
  input: { accountId: string; requestId: string; actor: Actor; recipientId: string; how: string },
) =>
  deps.db.tenant(input.accountId, async (trx) => {
    const row = await lockRequestRow(trx, input.requestId);
    if (!row) throw new AppError('NOT_FOUND', 'No such request');
    const events = await listRequestEvents(trx, row.id);
    const recipient = recipientsView(events).find((r) => r.id === input.recipientId);
    if (!recipient) throw new AppError('NOT_FOUND', 'This request has no such recipient to tell');
    if (recipient.toldAt) {
      throw new AppError('CONFLICT', `${recipient.name} was already recorded as told`, { toldAt: recipient.toldAt });
    }
    const now = deps.clock.now();
    await insertRequestEvent(trx, {
      accountId: input.accountId,
      requestId: row.id,
      event: TOLD_EVENT,
      at: now,
      actorId: input.actor.id,
      actorRole: input.actor.role,
      reason: input.how,
      details: { recipientId: recipient.id },
    });
    await recordAudit(trx, deps.clock, {
      accountId: input.accountId,
      actor: input.actor,
      action: 'rights_request.recipient_told',
      entity: 'rights_request',
      entityId: row.id,
      purpose: 'legal_obligation',
      details: { recipientId: recipient.id },
    });

    return { ...recipient, toldAt: now.toISOString(), toldByRole: input.actor.role, how: input.how };
  });
