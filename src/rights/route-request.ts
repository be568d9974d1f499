/**
 * @module Finding whom a verified request is about, and who must answer (CC-11). The person's address is matched
 * by blind index in every account at once. Matches in the provider's own account are answered by the provider; a
 * match in a client's account is data the provider holds as that client's processor (phone messages, post), so a
 * part of the request goes to the client, with the same clock and tools, and the person is told who controls it.
 *
 * Only the proven identifier is matched: the e-mail address for a code or a session, and the phone number as well
 * when staff checked the person by phone or document. Names are never matched: two people may share one.
 *
 * @example
 * await routeRequest(kernel, { requestId }) // idempotent: safe to run again after a crash
 */
import crypto from 'node:crypto';
import { recordAudit, SYSTEM_ACTOR } from '../kernel/audit/audit.ts';
import { PROVIDER_ACCOUNT_ID } from '../kernel/db/schema.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { sendRequestMail, userAddresses } from './request-mail.ts';
import { newToken } from './request-secrets.ts';
import { refreshClock } from './request-state.ts';
import {
  findSubjectsAcrossAccounts,
  getRequestRow,
  insertRequest,
  insertRequestEvent,
  insertRequestSubjects,
  listAccountsForRouting,
  listRequestEvents,
} from './rights-repository.ts';
import { requesterIndex } from './submit-request.ts';

type Deps = Pick<Kernel, 'db' | 'vault' | 'clock' | 'keyring' | 'mailer' | 'config' | 'policyFile'>;

type Match = { subjectId: string; accountId: string; matchedBy: 'email' | 'phone' };

export const routeRequest = async (deps: Deps, input: { requestId: string }) => {
  const request = await deps.db.tenant(PROVIDER_ACCOUNT_ID, async (trx) => {
    const row = await getRequestRow(trx, input.requestId);
    if (!row?.verified_at) return null;
    const events = await listRequestEvents(trx, row.id);
    if (events.some((e) => e.event === 'routed')) return null;
    const open = (blob: Buffer | null, field: string) => (blob ? deps.vault.open(trx, blob, field) : null);

    return {
      row,
      email: (await open(row.requester_email, 'rights_requests.requester_email')) as string,
      name: await open(row.requester_name, 'rights_requests.requester_name'),
      phone:
        row.verification_method === 'phone' || row.verification_method === 'document'
          ? await open(row.requester_phone, 'rights_requests.requester_phone')
          : null,
      details: await open(row.details, 'rights_requests.details'),
    };
  });
  if (!request) return { routedTo: [] as string[] };

  const { accounts, matches } = await deps.db.system(async (trx) => {
    const accounts = await listAccountsForRouting(trx);
    const found: Match[] = [];
    const byEmail = await findSubjectsAcrossAccounts(
      trx,
      'email_bidx',
      accounts.map((a) => ({ accountId: a.id, bidx: deps.vault.blindIndex('email', a.id, request.email) })),
    );
    for (const s of byEmail) found.push({ subjectId: s.id, accountId: s.account_id, matchedBy: 'email' });
    if (request.phone) {
      const phone = request.phone;
      const byPhone = await findSubjectsAcrossAccounts(
        trx,
        'phone_bidx',
        accounts.map((a) => ({ accountId: a.id, bidx: deps.vault.blindIndex('phone', a.id, phone) })),
      );
      for (const s of byPhone) {
        if (!found.some((f) => f.subjectId === s.id)) {
          found.push({ subjectId: s.id, accountId: s.account_id, matchedBy: 'phone' });
        }
      }
    }

    return { accounts, matches: found };
  });

  const clientIds = [...new Set(matches.map((m) => m.accountId))].filter((id) => id !== PROVIDER_ACCOUNT_ID);
  const now = deps.clock.now();
  const parent = request.row;
  const routed: { accountId: string; name: string; partId: string }[] = [];

  for (const accountId of clientIds) {
    const partId = crypto.randomUUID();
    const created = await deps.db.tenant(accountId, async (trx) => {
      const existing = await trx
        .selectFrom('rights_requests')
        .select('id')
        .where('parent_id', '=', parent.id)
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      if (existing) return existing.id;
      await deps.vault.createKey(trx, accountId, partId, deps.clock);
      const seal = (field: string, value: string | null) => deps.vault.sealNullable(trx, partId, field, value);
      await insertRequest(trx, {
        id: partId,
        account_id: accountId,
        parent_id: parent.id,
        kind: parent.kind,
        status: 'received',
        requester_email: (await seal('rights_requests.requester_email', request.email)) as Buffer,
        requester_email_bidx: requesterIndex(deps, accountId, request.email),
        requester_name: await seal('rights_requests.requester_name', request.name),
        requester_phone: await seal('rights_requests.requester_phone', request.phone),
        details: await seal('rights_requests.details', request.details),
        channel: parent.channel,
        verification_method: parent.verification_method,
        // The client can reach the person only through the provider's status page, so no token of its own.
        status_token_hash: newToken().hash,
        received_at: now,
        verified_at: now,
        updated_at: now,
      });
      const event = (name: string, details: Record<string, unknown>) =>
        insertRequestEvent(trx, {
          accountId,
          requestId: partId,
          event: name,
          at: now,
          actorId: null,
          actorRole: 'system',
          details,
        });
      await event('received', { routedFrom: 'provider', kind: parent.kind });
      await event('verified', { method: parent.verification_method, by: 'provider' });
      await insertRequestSubjects(
        trx,
        matches
          .filter((m) => m.accountId === accountId)
          .map((m) => ({ requestId: partId, accountId, subjectId: m.subjectId, matchedBy: m.matchedBy })),
      );
      await refreshClock(deps, trx, partId);
      await recordAudit(trx, deps.clock, {
        accountId,
        actor: SYSTEM_ACTOR,
        action: 'rights_request.routed_in',
        entity: 'rights_request',
        entityId: partId,
        purpose: 'legal_obligation',
        details: { kind: parent.kind, subjects: matches.filter((m) => m.accountId === accountId).length },
      });

      return partId;
    });
    routed.push({ accountId, name: accounts.find((a) => a.id === accountId)?.name ?? '', partId: created });
  }

  await deps.db.tenant(PROVIDER_ACCOUNT_ID, async (trx) => {
    await insertRequestSubjects(
      trx,
      matches
        .filter((m) => m.accountId === PROVIDER_ACCOUNT_ID)
        .map((m) => ({
          requestId: parent.id,
          accountId: PROVIDER_ACCOUNT_ID,
          subjectId: m.subjectId,
          matchedBy: m.matchedBy,
        })),
    );
    await insertRequestEvent(trx, {
      accountId: PROVIDER_ACCOUNT_ID,
      requestId: parent.id,
      event: 'routed',
      at: now,
      actorId: null,
      actorRole: 'system',
      // Client ids, not names: the names are read from the accounts table when shown.
      details: {
        ownSubjects: matches.filter((m) => m.accountId === PROVIDER_ACCOUNT_ID).length,
        routedTo: routed.map((r) => r.accountId),
      },
    });
    await recordAudit(trx, deps.clock, {
      accountId: PROVIDER_ACCOUNT_ID,
      actor: SYSTEM_ACTOR,
      action: 'rights_request.route',
      entity: 'rights_request',
      entityId: parent.id,
      purpose: 'legal_obligation',
      details: { routedTo: routed.length },
    });
  });

  if (routed.length > 0) {
    const owners = await deps.db.system((trx) =>
      userAddresses(
        deps,
        trx,
        routed.map((r) => r.accountId),
        ['owner'],
      ),
    );
    for (const owner of owners) {
      await sendRequestMail(deps, { to: owner.email, template: 'routed_to_client', kind: parent.kind });
    }
  }

  return { routedTo: routed.map((r) => r.name) };
};
