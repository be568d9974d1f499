/**
 * @module Identity: the e-mailed code (single use, expiring, five tries), or a check staff made by phone or by
 * document. A verified request starts its clock and is routed: the people it covers are found in every account.
 *
 * @example
 * const { statusToken } = await verifyByCode(kernel, { requestId, code: '042917' })
 */
import { type Actor, recordAudit } from '../kernel/audit/audit.ts';
import type { Trx } from '../kernel/db/database.ts';
import { PROVIDER_ACCOUNT_ID, type VerificationMethod } from '../kernel/db/schema.ts';
import { AppError } from '../kernel/errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { sendRequestMail } from './request-mail.ts';
import { CODE_ATTEMPTS, codeMatches, newToken } from './request-secrets.ts';
import { refreshClock } from './request-state.ts';
import { insertRequestEvent, lockRequestRow, type RequestRow, updateRequest } from './rights-repository.ts';
import { routeRequest } from './route-request.ts';

type Deps = Pick<Kernel, 'db' | 'vault' | 'clock' | 'keyring' | 'mailer' | 'config' | 'policyFile' | 'policy'>;

const PERSON: Actor = { id: null, role: 'data_subject' };

/**
 * Checks the code. A wrong code counts against the request; the fifth closes it, as does an expired code. A code
 * that already worked does not work again (the request is no longer awaiting verification).
 */
export const verifyByCode = async (deps: Deps, input: { requestId: string; code: string }) => {
  const outcome = await deps.db.tenant(PROVIDER_ACCOUNT_ID, async (trx) => {
    const row = await lockRequestRow(trx, input.requestId);
    if (!row || row.parent_id !== null) throw new AppError('NOT_FOUND', 'No such request');
    if (row.status !== 'awaiting_verification') {
      throw new AppError('CONFLICT', 'This request is no longer waiting for a code', { reason: 'not_awaiting_code' });
    }
    const now = deps.clock.now();
    if (!row.code_expires_at || row.code_expires_at <= now) {
      await expire(deps, trx, row, 'code_expired');

      return { ok: false as const, reason: 'code_expired' as const, attemptsLeft: 0 };
    }
    if (!codeMatches(deps.keyring, row.id, input.code, row.code_hash)) {
      const attempts = row.code_attempts + 1;
      if (attempts >= CODE_ATTEMPTS) {
        await expire(deps, trx, row, 'too_many_attempts');

        return { ok: false as const, reason: 'too_many_attempts' as const, attemptsLeft: 0 };
      }
      await updateRequest(trx, row.id, { code_attempts: attempts, updated_at: now });

      return { ok: false as const, reason: 'wrong_code' as const, attemptsLeft: CODE_ATTEMPTS - attempts };
    }
    const statusToken = newToken();
    await updateRequest(trx, row.id, {
      status_token_hash: statusToken.hash,
      status_token: await deps.vault.seal(trx, row.id, 'rights_requests.status_token', statusToken.token),
      code_hash: null,
      code_expires_at: null,
    });
    const email = await verifyIn(deps, trx, row, { method: 'email_code', note: null, actor: PERSON });

    return { ok: true as const, statusToken: statusToken.token, email };
  });
  // Written before answering: a wrong guess is counted even though the caller gets an error.
  if (!outcome.ok) {
    throw new AppError('BAD_REQUEST', messageFor(outcome.reason), {
      reason: outcome.reason,
      attemptsLeft: outcome.attemptsLeft,
    });
  }
  await routeRequest(deps, { requestId: input.requestId });
  await sendRequestMail(deps, {
    to: outcome.email,
    template: 'verified',
    requestId: input.requestId,
    statusToken: outcome.statusToken,
  });

  return { statusToken: outcome.statusToken };
};

const messageFor = (reason: 'code_expired' | 'too_many_attempts' | 'wrong_code') =>
  reason === 'wrong_code'
    ? 'That code is not right. Check the latest e-mail and try again.'
    : reason === 'code_expired'
      ? 'That code has expired. Please send your request again.'
      : 'Too many wrong codes. Please send your request again.';

const expire = async (deps: Deps, trx: Trx, row: RequestRow, reason: string) => {
  await updateRequest(trx, row.id, { status: 'expired', code_hash: null, updated_at: deps.clock.now() });
  await insertRequestEvent(trx, {
    accountId: row.account_id,
    requestId: row.id,
    event: 'expired',
    at: deps.clock.now(),
    actorId: null,
    actorRole: 'system',
    reason,
  });
};

/** Staff record the identity check they made (by phone, per CP-2, or by a document), then the request is routed. */
export const markVerified = async (
  deps: Deps,
  input: { requestId: string; method: VerificationMethod; note: string | null; actor: Actor },
) => {
  await deps.db.tenant(PROVIDER_ACCOUNT_ID, async (trx) => {
    const row = await lockRequestRow(trx, input.requestId);
    if (!row || row.parent_id !== null) throw new AppError('NOT_FOUND', 'No such request');
    if (row.status !== 'awaiting_verification') throw new AppError('CONFLICT', 'This request is already verified');
    await verifyIn(deps, trx, row, input);
  });
  await routeRequest(deps, { requestId: input.requestId });
};

const verifyIn = async (
  deps: Deps,
  trx: Trx,
  row: RequestRow,
  input: { method: VerificationMethod; note: string | null; actor: Actor },
) => {
  const now = deps.clock.now();
  await updateRequest(trx, row.id, {
    status: 'received',
    verified_at: now,
    verification_method: input.method,
    updated_at: now,
  });
  await insertRequestEvent(trx, {
    accountId: row.account_id,
    requestId: row.id,
    event: 'verified',
    at: now,
    actorId: input.actor.id,
    actorRole: input.actor.role,
    // The note says how identity was checked ("answered the CP-2 questions"); it is written by staff, not the person.
    reason: input.note,
    details: { method: input.method },
  });
  await refreshClock(deps, trx, row.id);
  await recordAudit(trx, deps.clock, {
    accountId: row.account_id,
    actor: input.actor,
    action: 'rights_request.verify',
    entity: 'rights_request',
    entityId: row.id,
    purpose: 'legal_obligation',
    details: { method: input.method },
  });

  return (await deps.vault.open(trx, row.requester_email, 'rights_requests.requester_email')) as string;
};
