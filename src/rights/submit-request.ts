/**
 * @module How a rights request arrives: from the public privacy center (the person proves their address with an
 * e-mailed code), from a signed-in client user (the session is the proof), or logged by staff from a phone call, a
 * letter or an e-mail (staff record how they checked identity). Nothing is looked up until identity is proven.
 *
 * @example
 * const { requestId } = await submitRequest(kernel, { kind: 'access', email: 'ann@example.test', channel: 'web' })
 */
import crypto from 'node:crypto';
import { type Actor, recordAudit } from '../kernel/audit/audit.ts';
import type { Trx } from '../kernel/db/database.ts';
import {
  PROVIDER_ACCOUNT_ID,
  type RightsRequestChannel,
  type RightsRequestKind,
  type VerificationMethod,
} from '../kernel/db/schema.ts';
import { AppError } from '../kernel/errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { sendRequestMail } from './request-mail.ts';
import { CODE_TTL_MINUTES, newToken, newVerificationCode } from './request-secrets.ts';
import { insertRequest, insertRequestEvent } from './rights-repository.ts';
import { markVerified } from './verify-request.ts';

type Deps = Pick<Kernel, 'db' | 'vault' | 'clock' | 'keyring' | 'mailer' | 'config' | 'policyFile' | 'policy'>;

export type RequestInput = {
  kind: RightsRequestKind;
  email: string;
  name?: string | null | undefined;
  phone?: string | null | undefined;
  details?: string | null | undefined;
};

/** The scope of the requester's blind index: one per answering account, like every other index. */
export const requesterIndex = (deps: Pick<Kernel, 'vault'>, accountId: string, email: string) =>
  deps.vault.blindIndex('email', `rights:${accountId}`, email);

const createRow = async (
  deps: Deps,
  trx: Trx,
  input: RequestInput & { id: string; accountId: string; parentId?: string; channel: RightsRequestChannel },
) => {
  const { vault } = deps;
  await vault.createKey(trx, input.accountId, input.id, deps.clock);
  const statusToken = newToken();
  const now = deps.clock.now();
  await insertRequest(trx, {
    id: input.id,
    account_id: input.accountId,
    parent_id: input.parentId ?? null,
    kind: input.kind,
    status: 'awaiting_verification',
    requester_email: await vault.seal(trx, input.id, 'rights_requests.requester_email', input.email.trim()),
    requester_email_bidx: requesterIndex(deps, input.accountId, input.email),
    requester_name: await vault.sealNullable(trx, input.id, 'rights_requests.requester_name', input.name || null),
    requester_phone: await vault.sealNullable(trx, input.id, 'rights_requests.requester_phone', input.phone || null),
    details: await vault.sealNullable(trx, input.id, 'rights_requests.details', input.details || null),
    channel: input.channel,
    status_token_hash: statusToken.hash,
    status_token: await vault.seal(trx, input.id, 'rights_requests.status_token', statusToken.token),
    received_at: now,
    updated_at: now,
  });

  return statusToken.token;
};

/**
 * A request from the public privacy center. The answer is the same whoever the address belongs to, so the form
 * cannot be used to learn whether someone is known here; the code goes to the address, never to the browser.
 */
export const submitRequest = async (deps: Deps, input: RequestInput & { channel: 'web' }) => {
  const id = crypto.randomUUID();
  const { code, hash } = newVerificationCode(deps.keyring, id);
  const expiresAt = new Date(deps.clock.now().getTime() + CODE_TTL_MINUTES * 60_000);
  await deps.db.tenant(PROVIDER_ACCOUNT_ID, async (trx) => {
    // The token made here is never handed out: the person gets a fresh one once the code proves the address.
    await createRow(deps, trx, { ...input, id, accountId: PROVIDER_ACCOUNT_ID });
    await trx
      .updateTable('rights_requests')
      .set({ code_hash: hash, code_expires_at: expiresAt })
      .where('id', '=', id)
      .execute();
    await insertRequestEvent(trx, {
      accountId: PROVIDER_ACCOUNT_ID,
      requestId: id,
      event: 'received',
      at: deps.clock.now(),
      actorId: null,
      actorRole: 'data_subject',
      details: { channel: 'web', kind: input.kind },
    });
    await recordAudit(trx, deps.clock, {
      accountId: PROVIDER_ACCOUNT_ID,
      actor: { id: null, role: 'data_subject' },
      action: 'rights_request.receive',
      entity: 'rights_request',
      entityId: id,
      subjectId: null,
      fields: ['requester_email', ...(input.name ? ['requester_name'] : []), ...(input.details ? ['details'] : [])],
      purpose: 'legal_obligation',
      details: { kind: input.kind, channel: 'web' },
    });
  });
  await sendRequestMail(deps, { to: input.email, template: 'verification_code', kind: input.kind, code, expiresAt });

  return { requestId: id, codeExpiresAt: expiresAt.toISOString() };
};

/** A signed-in client user asking about themselves: their session is the identity proof. */
export const submitPortalRequest = async (
  deps: Deps,
  input: { kind: RightsRequestKind; details?: string | null; actor: Actor; subjectId: string; accountId: string },
) => {
  const person = await deps.db.tenant(input.accountId, async (trx) => {
    const row = await trx
      .selectFrom('subjects')
      .select(['name', 'email', 'phone'])
      .where('id', '=', input.subjectId)
      .executeTakeFirst();
    if (!row?.email) throw new AppError('CONFLICT', 'Your user has no e-mail address on record');
    const open = (blob: Buffer | null, field: string) => (blob ? deps.vault.open(trx, blob, field) : null);

    return {
      email: (await open(row.email, 'subjects.email')) as string,
      name: await open(row.name, 'subjects.name'),
      phone: await open(row.phone, 'subjects.phone'),
    };
  });

  return submitVerified(deps, {
    kind: input.kind,
    email: person.email,
    name: person.name,
    phone: null,
    details: input.details ?? null,
    channel: 'portal',
    method: 'session',
    actor: input.actor,
    note: null,
  });
};

/**
 * A request staff received by phone, e-mail or post, with the identity check they made (CP-2 questions by phone,
 * a document by post). Both are recorded; the clock starts from the later of the request and the proof.
 */
export const logStaffRequest = (
  deps: Deps,
  input: RequestInput & {
    channel: 'phone' | 'email' | 'post';
    verification: { method: 'phone' | 'document'; note: string } | null;
    actor: Actor;
  },
) =>
  submitVerified(deps, {
    ...input,
    method: input.verification?.method ?? null,
    note: input.verification?.note ?? null,
  });

const submitVerified = async (
  deps: Deps,
  input: RequestInput & {
    channel: RightsRequestChannel;
    method: VerificationMethod | null;
    note: string | null;
    actor: Actor;
  },
) => {
  const id = crypto.randomUUID();
  const statusToken = await deps.db.tenant(PROVIDER_ACCOUNT_ID, async (trx) => {
    const token = await createRow(deps, trx, { ...input, id, accountId: PROVIDER_ACCOUNT_ID });
    await insertRequestEvent(trx, {
      accountId: PROVIDER_ACCOUNT_ID,
      requestId: id,
      event: 'received',
      at: deps.clock.now(),
      actorId: input.actor.id,
      actorRole: input.actor.role,
      details: { channel: input.channel, kind: input.kind },
    });
    await recordAudit(trx, deps.clock, {
      accountId: PROVIDER_ACCOUNT_ID,
      actor: input.actor,
      action: 'rights_request.receive',
      entity: 'rights_request',
      entityId: id,
      subjectId: null,
      fields: ['requester_email'],
      purpose: 'legal_obligation',
      details: { kind: input.kind, channel: input.channel },
    });

    return token;
  });
  if (input.method) {
    await markVerified(deps, {
      requestId: id,
      method: input.method,
      note: input.note,
      actor: input.actor,
    });
  }
  await sendRequestMail(deps, { to: input.email, template: 'received', kind: input.kind, statusToken });

  return { requestId: id, statusToken };
};
