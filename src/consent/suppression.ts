/**
 * @module The marketing suppression list: keyed hashes (HMAC, the blind-index key, scope `suppression`) of
 * normalised e-mail addresses and phone numbers, never the values. The scope is the same for every client account,
 * so a person erased from one account and later imported into any account is still recognised.
 *
 * @example
 * await suppressAddresses(kernel, trx, { email: 'ann@example.test' }, 'unsubscribe')
 * await isSuppressed(kernel, trx, { email: 'ANN@example.test ' }) // true
 */
import type { Trx } from '../kernel/db/database.ts';
import type { Kernel } from '../kernel/kernel.ts';
import type { SubjectDataSource } from '../subjects/subjects.ts';
import {
  anySuppressed,
  getSubjectForMarketing,
  liftOptOut,
  listConsentRecords,
  suppressHash,
} from './consent-repository.ts';

export const SUPPRESSION_SCOPE = 'suppression';

export type Addresses = { email?: string | null | undefined; phone?: string | null | undefined };
export type SuppressionReason = 'opt_out' | 'objection' | 'erasure' | 'unsubscribe';

type Deps = Pick<Kernel, 'vault' | 'clock'>;

export const suppressionHashes = (deps: Pick<Kernel, 'vault'>, addresses: Addresses) => {
  const hashes: { kind: 'email' | 'phone'; hash: Buffer }[] = [];
  if (addresses.email)
    hashes.push({ kind: 'email', hash: deps.vault.blindIndex('email', SUPPRESSION_SCOPE, addresses.email) });
  if (addresses.phone)
    hashes.push({ kind: 'phone', hash: deps.vault.blindIndex('phone', SUPPRESSION_SCOPE, addresses.phone) });

  return hashes;
};

export const suppressAddresses = async (deps: Deps, trx: Trx, addresses: Addresses, reason: SuppressionReason) => {
  const hashes = suppressionHashes(deps, addresses);
  for (const { kind, hash } of hashes) await suppressHash(trx, kind, hash, reason, deps.clock.now());

  return hashes.length;
};

export const isSuppressed = (deps: Pick<Kernel, 'vault'>, trx: Trx, addresses: Addresses) =>
  anySuppressed(
    trx,
    suppressionHashes(deps, addresses).map((h) => h.hash),
  );

export const liftOwnOptOut = (deps: Pick<Kernel, 'vault'>, trx: Trx, addresses: Addresses) =>
  liftOptOut(
    trx,
    suppressionHashes(deps, addresses).map((h) => h.hash),
  );

/** The person's e-mail and phone, opened with their key (null once erased). */
export const subjectAddresses = async (deps: Pick<Kernel, 'vault'>, trx: Trx, subjectId: string) => {
  const row = await getSubjectForMarketing(trx, subjectId);
  if (!row) return null;

  return {
    row,
    email: row.email ? await deps.vault.open(trx, row.email, 'subjects.email') : null,
    phone: row.phone ? await deps.vault.open(trx, row.phone, 'subjects.phone') : null,
  };
};

/**
 * Export: the person's consent records. Erasure: their e-mail and phone go on the suppression list before the
 * subject row and key are deleted (CC-8: an erased person added back by an import is never mailed). The consent
 * records themselves stay: they hold ids, topics and states only, and are the evidence of what was agreed.
 */
export const consentSubjectSource: SubjectDataSource = {
  name: 'consent_records',
  export: async (_deps, trx, subjectId) =>
    (await listConsentRecords(trx, subjectId)).map((r) => ({
      id: r.id,
      channel: r.channel,
      topic: r.topic,
      state: r.state,
      basis: r.basis,
      method: r.method,
      noticeVersion: r.notice_version,
      recordedAt: r.recorded_at.toISOString(),
    })),
  erase: async (trx, subjectId, deps) => {
    const found = await subjectAddresses(deps, trx, subjectId);
    if (!found) return 0;

    await suppressAddresses(deps, trx, { email: found.email, phone: found.phone }, 'erasure');

    // Rows deleted: none. The records stay as ids-only evidence and the hashes are added, not removed.
    return 0;
  },
};
