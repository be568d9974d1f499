/**
 * @module Taking a phone message for a client business (AS-1). The caller is matched to a subject the client already
 * knows (blind index on phone or e-mail) or created; company, reason and message are sealed under the caller's key;
 * search terms are written; an urgent message queues an e-mail to the owner and every colleague who may see messages
 * (and an SMS to those with a phone number on record, where an SMS provider is configured), sent right after commit.
 * A form submitted twice (same idempotency key) records one message.
 *
 * Messages for one client that arrive while an earlier batch of theirs is being written go in together, in one
 * transaction with one statement for all its rows (`src/kernel/batch.ts`): a busy front desk pays for a few round
 * trips and one commit per batch rather than per message. Each receptionist's answer still waits for its own message's commit.
 *
 * @example
 * const receipt = await takeMessage(kernel, { accountId, actor, callerName: 'Ann Example', phone: '020 7946 0001',
 *   message: 'Please call back', urgency: 'urgent', callbackRequested: true, idempotencyKey: crypto.randomUUID() })
 */
import crypto from 'node:crypto';
import { type Actor, recordAudit } from '../kernel/audit/audit.ts';
import { type Batcher, type BatchOutcome, createBatcher } from '../kernel/batch.ts';
import type { Trx } from '../kernel/db/database.ts';
import { AppError } from '../kernel/errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { type Control, loadControls, requirePurpose } from '../kernel/policy/policy.ts';
import { searchTerms } from '../kernel/search-terms.ts';
import type { Recipient } from '../notifications/notifications.ts';
import { findSubjectsByIndex } from '../subjects/subject-repository.ts';
import { type PreparedSubject, prepareSubject } from '../subjects/subjects.ts';
import { deliverMessageNotifications, queuedNotifications } from './deliver-notifications.ts';
import {
  findIntakeContexts,
  findMessageByIdempotencyKey,
  type IntakeContext,
  insertIntakeBatch,
  type QueuedNotification,
  type SealedMessage,
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

type Job = TakeMessage & { phoneBidx: Buffer | null; emailBidx: Buffer | null };

/**
 * One batcher per kernel: messages for one client account that arrive together are written together. Two batches of
 * an account may be in flight at once: the second does its reads and inserts while the first commits, and waits for
 * the account's audit chain only at its end (measured: one batch at a time left the server idle half the time).
 */
const batchers = new WeakMap<Deps, Batcher<Job, MessageReceipt>>();

export const takeMessage = async (deps: Deps, input: TakeMessage): Promise<MessageReceipt> => {
  if (!input.phone && !input.email) {
    throw new AppError('VALIDATION_FAILED', 'Give a phone number or an e-mail address, so the caller can be reached', {
      fields: {
        phone: 'a phone number or an e-mail address is needed',
        email: 'a phone number or an e-mail address is needed',
      },
    });
  }
  const { vault } = deps;
  let submit = batchers.get(deps);
  if (!submit) {
    submit = createBatcher((accountId, jobs) => recordInBatches(deps, accountId, jobs), { concurrency: 2 });
    batchers.set(deps, submit);
  }
  const receipt = await submit(input.accountId, {
    ...input,
    phoneBidx: input.phone ? vault.blindIndex('phone', input.accountId, input.phone) : null,
    emailBidx: input.email ? vault.blindIndex('email', input.accountId, input.email) : null,
  });
  if (!receipt.replayed && receipt.notifications > 0) {
    // After commit, off the request path: the receptionist watches the delivery list; the sweeper retries.
    void deliverMessageNotifications(deps, { accountId: input.accountId, messageId: receipt.messageId }).catch(
      () => null,
    );
  }

  return receipt;
};

/**
 * Writes a batch in one transaction. If the transaction fails as a whole (a lost connection, or two copies of one
 * form racing in two batches), each message is tried again on its own, so one message's trouble is not another's;
 * a message alone is tried again only after such a race, and then finds the copy that won.
 */
const recordInBatches = async (
  deps: Deps,
  accountId: string,
  jobs: readonly Job[],
): Promise<BatchOutcome<MessageReceipt>[]> => {
  try {
    return await recordBatch(deps, accountId, jobs);
  } catch (error) {
    if (jobs.length === 1 && (error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
    const outcomes: BatchOutcome<MessageReceipt>[] = [];
    for (const job of jobs) {
      outcomes.push(
        await recordAlone(deps, accountId, job).then(
          (value) => ({ ok: true as const, value }),
          (failure: unknown) => ({ ok: false as const, error: failure }),
        ),
      );
    }

    return outcomes;
  }
};

const recordAlone = async (deps: Deps, accountId: string, job: Job): Promise<MessageReceipt> => {
  try {
    const [outcome] = await recordBatch(deps, accountId, [job]);
    if (!outcome) throw new Error('no outcome for a message');
    if (!outcome.ok) throw outcome.error;

    return outcome.value;
  } catch (error) {
    if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;

    return replayRace(deps, accountId, job, error);
  }
};

/** Two copies of one form raced past the look-up: the unique index kept one; answer with it. */
const replayRace = (deps: Deps, accountId: string, job: Job, error: unknown) =>
  deps.db.tenant(accountId, async (trx) => {
    const earlier = await findMessageByIdempotencyKey(trx, accountId, job.idempotencyKey);
    if (!earlier) throw error;

    return replay(trx, earlier.id, earlier.caller_subject_id, earlier.urgency);
  });

const recordBatch = async (
  deps: Deps,
  accountId: string,
  jobs: readonly Job[],
): Promise<BatchOutcome<MessageReceipt>[]> => {
  // Who is e-mailed at once: per-item subscribers, and for an urgent message everyone who may see it; nobody on a
  // cancelled or deactivated account. Read before (never inside) the tenant transaction: PGlite has one connection.
  const recipients = await listMessageRecipients(deps, accountId);

  return deps.db.tenant(accountId, async (trx) => {
    const contexts = await findIntakeContexts(trx, accountId, jobs);
    // Checked here rather than in a transaction of its own before this one: one round trip instead of three.
    if (contexts[0]?.kind !== 'client') throw new AppError('NOT_FOUND', 'No such client account');
    const known = contexts.flatMap((c) => [c.phone_match, c.email_match]).filter((id): id is string => id !== null);
    const controls = await loadControls(trx, accountId, known);
    const batch: Batch = {
      callers: [],
      messages: [],
      terms: [],
      notifications: [],
      byKey: new Map(),
      newCallers: new Map(),
    };
    const outcomes: BatchOutcome<MessageReceipt>[] = [];
    for (const [i, job] of jobs.entries()) {
      const context = contexts[i] as IntakeContext;
      try {
        outcomes.push({ ok: true, value: await recordOne(deps, trx, job, context, controls, recipients, batch) });
      } catch (error) {
        // A refusal found before anything of this message was written (its purpose, an erased caller) is its own.
        if (error instanceof AppError) outcomes.push({ ok: false, error });
        else throw error;
      }
    }
    await insertIntakeBatch(trx, accountId, batch);

    return outcomes;
  });
};

/** What a batch has gathered so far, written in one statement per table at its end. */
type Batch = {
  callers: PreparedSubject[];
  messages: SealedMessage[];
  terms: { itemId: string; term: Buffer }[];
  notifications: QueuedNotification[];
  /** Receipts by idempotency key, so a form sent twice into one batch is recorded once. */
  byKey: Map<string, MessageReceipt>;
  /** Callers created in this batch, by the hex of their phone's and e-mail's blind index. */
  newCallers: Map<string, string>;
};

const recordOne = async (
  deps: Deps,
  trx: Trx,
  input: Job,
  context: IntakeContext,
  controls: ReadonlyMap<string, readonly Control[]>,
  recipients: Readonly<Record<'normal' | 'urgent', readonly Recipient[]>>,
  batch: Batch,
): Promise<MessageReceipt> => {
  if (context.earlier_id && context.earlier_caller_subject_id && context.earlier_urgency)
    return replay(trx, context.earlier_id, context.earlier_caller_subject_id, context.earlier_urgency);
  const twin = batch.byKey.get(input.idempotencyKey);
  if (twin) return { ...twin, linkedExisting: true, replayed: true };

  const bidx = (b: Buffer | null) => (b ? batch.newCallers.get(b.toString('hex')) : undefined);
  const existing = context.phone_match ?? bidx(input.phoneBidx) ?? context.email_match ?? bidx(input.emailBidx) ?? null;
  let callerSubjectId = existing;
  if (callerSubjectId === null) {
    const caller = await prepareSubject(deps, trx, {
      accountId: input.accountId,
      kind: 'caller',
      name: input.callerName,
      email: input.email,
      phone: input.phone,
      source: 'phone call taken by staff',
      actor: input.actor,
      purpose: MESSAGE_PURPOSE,
    });
    batch.callers.push(caller);
    callerSubjectId = caller.id;
  }
  const createdInThisTransaction = existing === null || !controls.has(existing);
  await requirePurpose(trx, deps.policy, {
    accountId: input.accountId,
    subjectId: callerSubjectId,
    purpose: MESSAGE_PURPOSE,
    operation: 'use',
    createdInThisTransaction,
    controls: controls.get(callerSubjectId),
  });
  if (existing === null) {
    for (const b of [input.phoneBidx, input.emailBidx]) if (b) batch.newCallers.set(b.toString('hex'), callerSubjectId);
  }
  const id = crypto.randomUUID();
  const now = deps.clock.now();
  const { vault } = deps;
  const company = await vault.sealNullable(trx, callerSubjectId, 'phone_messages.company', input.company);
  const reason = await vault.sealNullable(trx, callerSubjectId, 'phone_messages.reason', input.reason);
  const body = await vault.seal(trx, callerSubjectId, 'phone_messages.body', input.message);
  batch.messages.push({
    id,
    accountId: input.accountId,
    callerSubjectId,
    company,
    reason,
    body,
    urgency: input.urgency,
    callbackRequested: input.callbackRequested,
    callAt: input.callAt ?? now,
    takenBy: input.actor.id,
    idempotencyKey: input.idempotencyKey,
    createdAt: now,
  });
  const words = [input.callerName, input.company, input.reason, input.message];
  for (const term of searchTerms(vault, input.accountId, words)) batch.terms.push({ itemId: id, term });
  const toNotify = recipients[input.urgency];
  batch.notifications.push(
    ...queuedNotifications(deps, { accountId: input.accountId, itemId: id, urgency: input.urgency, at: now }, toNotify),
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
    details: { urgency: input.urgency, linkedExisting: existing !== null, notifications: toNotify.length },
  });
  const receipt: MessageReceipt = {
    messageId: id,
    callerSubjectId,
    linkedExisting: existing !== null,
    urgency: input.urgency,
    notifications: toNotify.length,
    replayed: false,
  };
  batch.byKey.set(input.idempotencyKey, receipt);

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
