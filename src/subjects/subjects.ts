/**
 * @module Data subjects: every natural person whose data is held. Creating one creates their data key; every
 * personal field is sealed under it and exact-match look-ups go through blind indexes scoped to the account.
 *
 * @example
 * const id = await createSubject(kernel, trx, { accountId, kind: 'caller', name: 'Ann Example',
 *   email: 'ann@example.test', source: 'phone call', actor, purpose: 'service_delivery' })
 */
import crypto from 'node:crypto';
import { type Actor, recordAudit } from '../kernel/audit/audit.ts';
import type { SubjectKeyRow } from '../kernel/crypto/vault.ts';
import type { Trx } from '../kernel/db/database.ts';
import type { SubjectKind } from '../kernel/db/schema.ts';
import { AppError } from '../kernel/errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { requirePurpose } from '../kernel/policy/policy.ts';
import {
  deleteProcessingControls,
  deleteSubjectRow,
  findSubjectsByIndex,
  getSubjectRow,
  type IndexedField,
  insertErasureLedger,
  insertSubjects,
  listAuditEventsAbout,
  listProcessingControls,
  type SealedSubject,
} from './subject-repository.ts';

type Deps = Pick<Kernel, 'vault' | 'clock' | 'policy'>;

export type NewSubject = {
  accountId: string;
  kind: SubjectKind;
  name: string;
  email?: string | null;
  phone?: string | null;
  /** Where the data came from (AS-6, CV-3, CP-1): kept with the record. */
  source: string;
  actor: Actor;
  purpose: string;
};

/** A new subject, its data key and its audit event, ready for `insertSubjects`: nothing is written yet. */
export type PreparedSubject = { id: string; key: SubjectKeyRow; row: SealedSubject };

/**
 * Checks the purpose, makes the subject's key and seals its fields; the audit event is recorded now (appended at
 * commit). Insert the result with `insertSubjects` in the same transaction, before anything that refers to it.
 */
export const prepareSubject = async (deps: Deps, trx: Trx, input: NewSubject): Promise<PreparedSubject> => {
  await requirePurpose(trx, deps.policy, {
    accountId: input.accountId,
    subjectId: null,
    purpose: input.purpose,
    operation: 'use',
  });
  const id = crypto.randomUUID();
  const { vault } = deps;
  const key = vault.newKey(input.accountId, id, deps.clock);
  const scope = input.accountId;
  const email = input.email || null;
  const phone = input.phone || null;
  const row: SealedSubject = {
    id,
    accountId: input.accountId,
    kind: input.kind,
    name: await vault.sealNullable(trx, id, 'subjects.name', input.name),
    email: await vault.sealNullable(trx, id, 'subjects.email', email),
    phone: await vault.sealNullable(trx, id, 'subjects.phone', phone),
    nameBidx: vault.blindIndex('name', scope, input.name),
    emailBidx: email ? vault.blindIndex('email', scope, email) : null,
    phoneBidx: phone ? vault.blindIndex('phone', scope, phone) : null,
    source: input.source,
    at: deps.clock.now(),
  };
  await recordAudit(trx, deps.clock, {
    accountId: input.accountId,
    actor: input.actor,
    action: 'subject.create',
    entity: 'subject',
    entityId: id,
    subjectId: id,
    fields: ['name', ...(email ? ['email'] : []), ...(phone ? ['phone'] : [])],
    purpose: input.purpose,
    details: { kind: input.kind },
  });

  return { id, key, row };
};

export const createSubject = async (deps: Deps, trx: Trx, input: NewSubject): Promise<string> => {
  const subject = await prepareSubject(deps, trx, input);
  await insertSubjects(trx, [subject]);

  return subject.id;
};

export type SubjectView = {
  id: string;
  kind: SubjectKind;
  name: string | null;
  email: string | null;
  phone: string | null;
  source: string;
  createdAt: string;
};

type SubjectRow = NonNullable<Awaited<ReturnType<typeof getSubjectRow>>>;

const openSubject = async (deps: Pick<Kernel, 'vault'>, trx: Trx, row: SubjectRow): Promise<SubjectView> => {
  const open = (blob: Buffer | null, field: string) => (blob ? deps.vault.open(trx, blob, field) : null);

  return {
    id: row.id,
    kind: row.kind,
    name: await open(row.name, 'subjects.name'),
    email: await open(row.email, 'subjects.email'),
    phone: await open(row.phone, 'subjects.phone'),
    source: row.source,
    createdAt: row.created_at.toISOString(),
  };
};

const BY_FIELD: Record<'email' | 'phone' | 'name', IndexedField> = {
  email: 'email_bidx',
  phone: 'phone_bidx',
  name: 'name_bidx',
};

/** Exact-match search by blind index; every person shown is an audited read. */
export const findSubjects = async (
  deps: Deps,
  trx: Trx,
  input: { accountId: string; by: 'email' | 'phone' | 'name'; value: string; actor: Actor; purpose: string },
): Promise<SubjectView[]> => {
  const bidx = deps.vault.blindIndex(input.by, input.accountId, input.value);
  const rows = await findSubjectsByIndex(trx, input.accountId, BY_FIELD[input.by], bidx);
  const views: SubjectView[] = [];
  for (const row of rows) {
    const decision = await requirePurpose(trx, deps.policy, {
      accountId: input.accountId,
      subjectId: row.id,
      purpose: input.purpose,
      operation: 'use',
    }).catch(() => null);
    if (!decision) continue;
    views.push(await openSubject(deps, trx, row));
    await auditRead(deps, trx, input.accountId, input.actor, row.id, input.purpose, `search:${input.by}`);
  }

  return views;
};

export const readSubject = async (
  deps: Deps,
  trx: Trx,
  input: { accountId: string; subjectId: string; actor: Actor; purpose: string },
): Promise<SubjectView> => {
  const row = await getSubjectRow(trx, input.subjectId);
  if (!row) throw new AppError('NOT_FOUND', 'No such person in this account');
  await requirePurpose(trx, deps.policy, {
    accountId: input.accountId,
    subjectId: row.id,
    purpose: input.purpose,
    operation: 'use',
  });
  const view = await openSubject(deps, trx, row);
  await auditRead(deps, trx, input.accountId, input.actor, row.id, input.purpose, 'view');

  return view;
};

const auditRead = (
  deps: Deps,
  trx: Trx,
  accountId: string,
  actor: Actor,
  subjectId: string,
  purpose: string,
  via: string,
) =>
  recordAudit(trx, deps.clock, {
    accountId,
    actor,
    action: 'subject.read',
    entity: 'subject',
    entityId: subjectId,
    subjectId,
    fields: ['name', 'email', 'phone'],
    purpose,
    details: { via },
  });

/** Contributions to a subject's export and erasure from other features (notes, messages, post …). */
export type SubjectDataSource = {
  name: string;
  export(deps: Deps, trx: Trx, subjectId: string): Promise<unknown[]>;
  /**
   * Deletes the rows; returns how many. Keys are destroyed afterwards by `eraseSubject`, so a source that must read
   * the person's sealed fields first (the marketing suppression list does) can still open them with `deps.vault`.
   */
  erase(trx: Trx, subjectId: string, deps: Deps): Promise<number>;
};

export const exportSubject = async (
  deps: Deps,
  trx: Trx,
  sources: readonly SubjectDataSource[],
  input: { accountId: string; subjectId: string; actor: Actor },
) => {
  const row = await getSubjectRow(trx, input.subjectId);
  if (!row) throw new AppError('NOT_FOUND', 'No such person in this account');
  // The reads are issued together: the connection runs the next one while the rows of the last are decrypted.
  const [subject, exported, controls, history] = await Promise.all([
    openSubject(deps, trx, row),
    Promise.all(sources.map((source) => source.export(deps, trx, input.subjectId))),
    listProcessingControls(trx, input.subjectId),
    listAuditEventsAbout(trx, input.subjectId),
  ]);
  const data: Record<string, unknown[]> = {};
  sources.forEach((source, i) => {
    data[source.name] = exported[i] as unknown[];
  });
  await recordAudit(trx, deps.clock, {
    accountId: input.accountId,
    actor: input.actor,
    action: 'subject.export',
    entity: 'subject',
    entityId: input.subjectId,
    subjectId: input.subjectId,
    fields: ['name', 'email', 'phone', ...sources.map((s) => s.name)],
    purpose: 'legal_obligation',
    details: { format: 'json' },
  });

  return {
    format: 'custodian.subject-export/1',
    exportedAt: deps.clock.now().toISOString(),
    subject,
    data,
    processingControls: controls.map((c) => ({ ...c, recorded_at: c.recorded_at.toISOString() })),
    processingHistory: history.map((h) => ({
      seq: Number(h.seq),
      at: h.occurred_at.toISOString(),
      action: h.action,
      byRole: h.actor_role,
      purpose: h.purpose,
      fields: h.fields,
    })),
  };
};

/**
 * Erasure: every row about the person is deleted, then their data key is destroyed, so any copy of their
 * ciphertext that survives elsewhere is unreadable. What stays is an audit event and a ledger line, both ids only.
 */
/** Why a person was erased: a code, since it is kept in the audit trail and the erasure ledger. */
export const ERASURE_REASONS = [
  'data_subject_request',
  'retention_expired',
  'unlawful_processing',
  'duplicate_record',
] as const;
export type ErasureReason = (typeof ERASURE_REASONS)[number];

export const eraseSubject = async (
  deps: Deps,
  trx: Trx,
  sources: readonly SubjectDataSource[],
  input: { accountId: string; subjectId: string; actor: Actor; reason: ErasureReason },
) => {
  const row = await getSubjectRow(trx, input.subjectId);
  if (!row) throw new AppError('NOT_FOUND', 'No such person in this account');
  if (row.kind === 'staff' || row.kind === 'client_user') {
    throw new AppError('CONFLICT', 'This person has a user account: close the account before erasing them');
  }
  const counts: Record<string, number> = {};
  for (const source of sources) counts[source.name] = await source.erase(trx, input.subjectId, deps);
  counts.processing_controls = Number((await deleteProcessingControls(trx, input.subjectId)).numDeletedRows);
  await deleteSubjectRow(trx, input.subjectId);
  await deps.vault.destroyKey(trx, input.subjectId);
  await insertErasureLedger(trx, {
    subjectId: input.subjectId,
    accountId: input.accountId,
    at: deps.clock.now(),
    reason: input.reason,
  });
  await recordAudit(trx, deps.clock, {
    accountId: input.accountId,
    actor: input.actor,
    action: 'subject.erase',
    entity: 'subject',
    entityId: input.subjectId,
    subjectId: input.subjectId,
    fields: ['name', 'email', 'phone', ...sources.map((s) => s.name)],
    purpose: 'legal_obligation',
    details: { reason: input.reason, ...counts },
  });

  return { erased: true as const, counts };
};
