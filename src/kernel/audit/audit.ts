/**
 * @module The audit trail: one hash chain per account, appended in the same transaction as the action it
 * records, so an action whose audit write fails does not happen. Events hold ids and field names, never values.
 *
 * `hash = SHA-256(canonical(event) || prev_hash)`; the chain head is locked while appending, so sequence numbers
 * have no gaps or forks under concurrency.
 *
 * @example
 * await recordAudit(trx, clock, { accountId, actor, action: 'note.create', entity: 'contact_note', entityId: id,
 *   subjectId, fields: ['body'], purpose: 'service_delivery' })
 */
import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Database, Trx } from '../db/database.ts';

export type Actor = { id: string | null; role: string | null };

export const SYSTEM_ACTOR: Actor = { id: null, role: 'system' };

export type AuditInput = {
  accountId: string;
  actor: Actor;
  /** verb-noun, e.g. `subject.read`, `note.create`, `subject.erase`, `data.disclose`. */
  action: string;
  entity: string;
  entityId?: string | null;
  subjectId?: string | null;
  /** Names of the personal fields touched, never their values. */
  fields?: readonly string[];
  purpose?: string | null;
  /** Non-personal facts only (counts, reasons, recipients' organisation ids). */
  details?: Record<string, string | number | boolean | null>;
};

const GENESIS: Buffer = Buffer.alloc(32);

export const recordAudit = async (trx: Trx, clock: Clock, input: AuditInput): Promise<{ seq: number }> => {
  await sql`insert into audit_heads (account_id, seq, hash) values (${input.accountId}, 0, ${GENESIS}) on conflict do nothing`.execute(
    trx,
  );
  const head = await trx
    .selectFrom('audit_heads')
    .select(['seq', 'hash'])
    .where('account_id', '=', input.accountId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const seq = Number(head.seq) + 1;
  const event = {
    account_id: input.accountId,
    seq: String(seq),
    occurred_at: clock.now(),
    actor_id: input.actor.id,
    actor_role: input.actor.role,
    action: input.action,
    entity: input.entity,
    entity_id: input.entityId ?? null,
    subject_id: input.subjectId ?? null,
    fields: [...(input.fields ?? [])],
    purpose: input.purpose ?? null,
    details: input.details ?? {},
  };
  const hash = chainHash(event, head.hash);
  await trx
    .insertInto('audit_events')
    .values({ ...event, details: JSON.stringify(event.details), prev_hash: head.hash, hash })
    .execute();
  await trx
    .updateTable('audit_heads')
    .set({ seq: String(seq), hash })
    .where('account_id', '=', input.accountId)
    .execute();

  return { seq };
};

type HashedFields = {
  account_id: string;
  seq: string;
  occurred_at: Date;
  actor_id: string | null;
  actor_role: string | null;
  action: string;
  entity: string;
  entity_id: string | null;
  subject_id: string | null;
  fields: string[];
  purpose: string | null;
  details: Record<string, unknown>;
};

export const chainHash = (e: HashedFields, prevHash: Buffer): Buffer => {
  const canonical = JSON.stringify([
    e.account_id,
    String(e.seq),
    e.occurred_at.toISOString(),
    e.actor_id,
    e.actor_role,
    e.action,
    e.entity,
    e.entity_id,
    e.subject_id,
    e.fields,
    e.purpose,
    Object.keys(e.details)
      .sort()
      .map((k) => [k, e.details[k]]),
  ]);

  return crypto.createHash('sha256').update(canonical).update(prevHash).digest();
};

export type ChainReport = {
  accountId: string;
  events: number;
  ok: boolean;
  /** The first event that does not verify, and why. */
  brokenAt?: { seq: number; reason: string };
};

/** Walks every account's chain from genesis; reads through the owner connection. */
export const verifyAuditChains = async (db: Database): Promise<ChainReport[]> => {
  const heads = await db.kysely
    .selectFrom('audit_heads')
    .select(['account_id', 'seq', 'hash'])
    .orderBy('account_id')
    .execute();
  const reports: ChainReport[] = [];
  for (const head of heads) reports.push(await verifyChain(db, head.account_id, Number(head.seq), head.hash));

  return reports;
};

const BATCH = 2_000;

const verifyChain = async (
  db: Database,
  accountId: string,
  headSeq: number,
  headHash: Buffer,
): Promise<ChainReport> => {
  let prev: Buffer = GENESIS;
  let expectedSeq = 1;
  let count = 0;
  const broken = (seq: number, reason: string): ChainReport => ({
    accountId,
    events: count,
    ok: false,
    brokenAt: { seq, reason },
  });
  for (;;) {
    const rows = await db.kysely
      .selectFrom('audit_events')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('seq', '>=', String(expectedSeq))
      .orderBy('seq')
      .limit(BATCH)
      .execute();
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== expectedSeq) return broken(expectedSeq, `event ${expectedSeq} is missing`);
      if (!row.prev_hash.equals(prev)) return broken(seq, 'previous-hash link does not match');
      if (!chainHash(row, prev).equals(row.hash)) return broken(seq, 'content does not match its hash');
      prev = row.hash;
      expectedSeq += 1;
      count += 1;
    }
    if (rows.length < BATCH) break;
  }
  if (count !== headSeq) return broken(count + 1, `chain ends at ${count} but its head says ${headSeq}`);
  if (!prev.equals(headHash)) return broken(count, 'chain head hash does not match the last event');

  return { accountId, events: count, ok: true };
};
