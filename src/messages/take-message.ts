/**
 * @module Taking a phone message for a client business (AS-1). The caller is matched to a subject the client already
 * knows (blind index on phone or e-mail) or created; company, reason and message are sealed under the caller's key;
 * search terms are written; an urgent message queues an e-mail to the owner and every colleague who may see messages
 * (and an SMS to those with a phone number on record, where an SMS provider is configured), sent right after commit.
 * A form submitted twice (same idempotency key) records one message.
 *
 * @example
 * const receipt = await takeMessage(kernel, { accountId, actor, callerName: 'Ann Example', phone: '020 7946 0001',
 *   message: 'Please call back', urgency: 'urgent', callbackRequested: true, idempotencyKey: crypto.randomUUID() })
 */
import crypto from 'node:crypto';
import { type Actor, recordAudit } from '../kernel/audit/audit.ts';
import type { Trx } from '../kernel/db/database.ts';
import { AppError } from '../kernel/errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { requirePurpose } from '../kernel/policy/policy.ts';
import { searchTerms } from '../kernel/search-terms.ts';
import type { Recipient } from '../notifications/notifications.ts';
import { findSubjectsByIndex } from '../subjects/subject-repository.ts';
import { createSubject } from '../subjects/subjects.ts';
import { deliverMessageNotifications, queuedNotifications } from './deliver-notifications.ts';
import {
  findIntakeContext,
  findMessageByIdempotencyKey,
  insertMessageWithTerms,
  insertNotifications,
} from './message-repository.ts';
import { listMessageRecipients } from './recipients.ts';

export const MESSAGE_PURPOSE = 'service_delivery';

type Deps = Pick<Kernel, 'db' | 'vault' | 'clock' | 'policy' | 'mailer' | 'config' | 'sms'>;

export type TakeMessage = {
  accountId: string;
  actor: Actor & { id: string };
  callerName: string;
  company?: string | undefined;
  phone?: string | undefined;
  email?: string | undefined;
  reason?: string | undefined;
  message: string;
  urgency: 'normal' | 'urgent';
  callbackRequested: boolean;
  callAt?: Date | undefined;
  idempotencyKey: string;
};

export type MessageReceipt = {
  messageId: string;
  callerSubjectId: string;
  linkedExisting: boolean;
  urgency: 'normal' | 'urgent';
  notifications: number;
  /** True when this answers a repeat of a form already recorded. */
  replayed: boolean;
};

const UNIQUE_VIOLATION = '23505';

export const takeMessage = async (deps: Deps, input: TakeMessage): Promise<MessageReceipt> => {
  if (!input.phone && !input.email) {
    throw new AppError('VALIDATION_FAILED', 'Give a phone number or an e-mail address, so the caller can be reached', {
      fields: {
        phone: 'a phone number or an e-mail address is needed',
        email: 'a phone number or an e-mail address is needed',
      },
    });
  }
  // Who is e-mailed at once: per-item subscribers, and for an urgent message everyone who may see it; nobody on a
  // cancelled or deactivated account. Read before (never inside) the tenant transaction: PGlite has one connection.
  const recipients = await listMessageRecipients(deps, input.accountId, input.urgency);
  const { vault } = deps;
  const lookUp = {
    accountId: input.accountId,
    idempotencyKey: input.idempotencyKey,
    phoneBidx: input.phone ? vault.blindIndex('phone', input.accountId, input.phone) : null,
    emailBidx: input.email ? vault.blindIndex('email', input.accountId, input.email) : null,
  };
  let receipt: MessageReceipt;
  try {
    receipt = await deps.db.tenant(input.accountId, async (trx) => {
      const context = await findIntakeContext(trx, lookUp);
      // Checked here rather than in a transaction of its own before this one: one round trip instead of three.
      if (context?.kind !== 'client') throw new AppError('NOT_FOUND', 'No such client account');
      if (context.earlier_id && context.earlier_caller_subject_id && context.earlier_urgency)
        return replay(trx, context.earlier_id, context.earlier_caller_subject_id, context.earlier_urgency);

      return record(deps, trx, input, context.phone_match ?? context.email_match ?? null, recipients);
    });
  } catch (error) {
    // Two copies of one form raced past the look-up: the unique index kept one; answer with it.
    if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
    receipt = await deps.db.tenant(input.accountId, async (trx) => {
      const earlier = await findMessageByIdempotencyKey(trx, input.accountId, input.idempotencyKey);
      if (!earlier) throw error;

      return replay(trx, earlier.id, earlier.caller_subject_id, earlier.urgency);
    });
  }
  if (!receipt.replayed && receipt.notifications > 0) {
    // After commit, off the request path: the receptionist watches the delivery list; the sweeper retries.
    void deliverMessageNotifications(deps, { accountId: input.accountId, messageId: receipt.messageId }).catch(
      () => null,
    );
  }

  return receipt;
};

const replay = async (
  trx: Trx,
  messageId: string,
  callerSubjectId: string,
  urgency: 'normal' | 'urgent',
): Promise<MessageReceipt> => {
  const notifications = await trx
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('item_kind', '=', 'message')
    .where('item_id', '=', messageId)
    .executeTakeFirstOrThrow();

  return {
    messageId,
    callerSubjectId,
    linkedExisting: true,
    urgency,
    notifications: Number(notifications.n),
    replayed: true,
  };
};

const record = async (
  deps: Deps,
  trx: Trx,
  input: TakeMessage,
  existing: string | null,
  recipients: readonly Recipient[],
): Promise<MessageReceipt> => {
  const callerSubjectId =
    existing ??
    (await createSubject(deps, trx, {
      accountId: input.accountId,
      kind: 'caller',
      name: input.callerName,
      email: input.email,
      phone: input.phone,
      source: 'phone call taken by staff',
      actor: input.actor,
      purpose: MESSAGE_PURPOSE,
    }));
  await requirePurpose(trx, deps.policy, {
    accountId: input.accountId,
    subjectId: callerSubjectId,
    purpose: MESSAGE_PURPOSE,
    operation: 'use',
    createdInThisTransaction: existing === null,
  });
  const id = crypto.randomUUID();
  const now = deps.clock.now();
  const { vault } = deps;
  await insertMessageWithTerms(
    trx,
    {
      id,
      accountId: input.accountId,
      callerSubjectId,
      company: await vault.sealNullable(trx, callerSubjectId, 'phone_messages.company', input.company),
      reason: await vault.sealNullable(trx, callerSubjectId, 'phone_messages.reason', input.reason),
      body: await vault.seal(trx, callerSubjectId, 'phone_messages.body', input.message),
      urgency: input.urgency,
      callbackRequested: input.callbackRequested,
      callAt: input.callAt ?? now,
      takenBy: input.actor.id,
      idempotencyKey: input.idempotencyKey,
      createdAt: now,
    },
    searchTerms(vault, input.accountId, [input.callerName, input.company, input.reason, input.message]),
  );
  await insertNotifications(
    trx,
    queuedNotifications(deps, { accountId: input.accountId, itemId: id, urgency: input.urgency, at: now }, recipients),
  );
  await recordAudit(trx, deps.clock, {
    accountId: input.accountId,
    actor: input.actor,
    action: 'message.create',
    entity: 'phone_message',
    entityId: id,
    subjectId: callerSubjectId,
    fields: ['company', 'reason', 'body'].filter((f) => f === 'body' || Boolean(input[f as 'company' | 'reason'])),
    purpose: MESSAGE_PURPOSE,
    details: { urgency: input.urgency, linkedExisting: existing !== null, notifications: recipients.length },
  });

  return {
    messageId: id,
    callerSubjectId,
    linkedExisting: existing !== null,
    urgency: input.urgency,
    notifications: recipients.length,
    replayed: false,
  };
};

/** The subject this client already knows by this phone number or e-mail address, if any. */
export const matchCaller = async (
  deps: Pick<Kernel, 'vault'>,
  trx: Trx,
  accountId: string,
  by: { phone?: string | undefined; email?: string | undefined },
): Promise<string | null> => {
  for (const field of ['phone', 'email'] as const) {
    const value = by[field];
    if (!value) continue;
    const bidx = deps.vault.blindIndex(field, accountId, value);
    const [match] = await findSubjectsByIndex(trx, accountId, field === 'email' ? 'email_bidx' : 'phone_bidx', bidx, 1);
    if (match) return match.id;
  }

  return null;
};
