/**
 * @module The audit trail: one hash chain per account, appended in the same transaction as the action it
 * records, so an action whose audit write fails does not happen. Events hold ids and field names, never values.
 *
 * `hash = SHA-256(canonical(event) || prev_hash)`; the chain head is locked while appending, so sequence numbers
 * have no gaps or forks under concurrency. Inside `db.tenant`/`db.system` the events of a transaction are appended
 * together just before its commit (two statements per account), so the head is locked for the append and the commit
 * only, and concurrent actions for one account queue for that short tail rather than for each other's whole work.
 *
 * @example
 * await recordAudit(trx, clock, { accountId, actor, action: 'note.create', entity: 'contact_note', entityId: id,
 *   subjectId, fields: ['body'], purpose: 'service_delivery' })
 */
import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Clock } from '../clock.ts';
import { beforeCommit, type Database, type Trx } from '../db/database.ts';

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

type PendingEvent = Omit<HashedFields, 'seq'>;

/** Events recorded in a transaction and not yet appended, per transaction. */
const pending = new WeakMap<Trx, PendingEvent[]>();

/**
 * Records an event in `trx`. In a transaction opened by `db.tenant`/`db.system`, events are kept in memory and
 * appended together just before commit (still inside the transaction, so a failed append rolls the action back):
 * the account's chain head is then locked only for the append and the commit, not for the whole action. Elsewhere
 * the event is appended at once.
 */
export const recordAudit = async (trx: Trx, clock: Clock, input: AuditInput): Promise<void> => {
  const event: PendingEvent = {
    account_id: input.accountId,
    occurred_at: clock.now(),
    actor_id: input.actor.id,
    actor_role: input.actor.role,
    action: input.action,
    entity: input.entity,
    entity_id: input.entityId ?? null,
    subject_id: input.subjectId ?? null,
    fields: [...(input.fields ?? [])],
    purpose: input.purpose ?? null,
    // A copy: the event is hashed later, and must be what was recorded now.
    details: { ...input.details },
  };
  const queued = pending.get(trx);
  if (queued) {
    queued.push(event);
    return;
  }
  const events = [event];
  const deferred = beforeCommit(trx, async () => {
    pending.delete(trx);
    await appendEvents(trx, events);
  });
  if (deferred) pending.set(trx, events);
  else await appendEvents(trx, events);
};

/**
 * The last head this process wrote or read, per account: a guess that saves the locking read when nothing else has
 * appended to the chain since. The guess is checked by the database (see `appendIfHeadIs`), never trusted.
 */
const lastHeads = new Map<string, { seq: string; hash: Buffer }>();
const LAST_HEADS_LIMIT = 10_000;

const rememberHead = (accountId: string, head: { seq: string; hash: Buffer }) => {
  lastHeads.delete(accountId);
  if (lastHeads.size >= LAST_HEADS_LIMIT) lastHeads.delete(lastHeads.keys().next().value as string);
  lastHeads.set(accountId, head);
};

const chained = (events: readonly PendingEvent[], head: { seq: string; hash: Buffer }) => {
  let seq = Number(head.seq);
  let prev = head.hash;
  const rows = events.map((e) => {
    seq += 1;
    const event = { ...e, seq: String(seq) };
    const hash = chainHash(event, prev);
    const row = { ...event, details: JSON.stringify(event.details), prev_hash: prev, hash };
    prev = hash;

    return row;
  });

  return { rows, head: { seq: String(seq), hash: prev } };
};

const COLUMNS =
  'account_id, seq, occurred_at, actor_id, actor_role, action, entity, entity_id, subject_id, fields, purpose, details, prev_hash, hash';

type ChainedRow = ReturnType<typeof chained>['rows'][number];

/**
 * One round trip when the guessed head is the real one: the head moves only if it is still exactly (seq, hash), and
 * the events go in only if it moved, in one statement. The UPDATE takes the head's row lock until commit, and under
 * a concurrent append it re-reads the row once that commits, so a stale guess moves nothing and inserts nothing.
 */
const appendIfHeadIs = async (
  trx: Trx,
  accountId: string,
  guess: { seq: string; hash: Buffer },
  rows: readonly ChainedRow[],
  head: { seq: string; hash: Buffer },
) => {
  // The rows travel as one JSON array, typed by the table's own row type; bytea as hex, as PostgreSQL reads it.
  const json = JSON.stringify(
    rows.map((r) => ({
      ...r,
      occurred_at: r.occurred_at.toISOString(),
      details: JSON.parse(r.details) as unknown,
      prev_hash: `\\x${r.prev_hash.toString('hex')}`,
      hash: `\\x${r.hash.toString('hex')}`,
    })),
  );
  const result = await sql<{ appended: string }>`
    with moved as (
      update audit_heads set seq = ${head.seq}, hash = ${head.hash}
      where account_id = ${accountId} and seq = ${guess.seq} and hash = ${guess.hash}
      returning 1
    ), appended as (
      insert into audit_events (${sql.raw(COLUMNS)})
      select ${sql.raw(COLUMNS)} from jsonb_populate_recordset(null::audit_events, ${json}::jsonb)
      where exists (select 1 from moved)
      returning 1
    )
    select count(*) as appended from appended`.execute(trx);

  return Number(result.rows[0]?.appended) === rows.length;
};

/** Appends events in the order recorded; each account's head is locked (in account order, so never a deadlock). */
const appendEvents = async (trx: Trx, events: readonly PendingEvent[]) => {
  const byAccount = new Map<string, PendingEvent[]>();
  for (const event of events) byAccount.set(event.account_id, [...(byAccount.get(event.account_id) ?? []), event]);
  for (const accountId of [...byAccount.keys()].sort()) {
    const mine = byAccount.get(accountId) ?? [];
    const guess = lastHeads.get(accountId);
    if (guess) {
      const next = chained(mine, guess);
      if (await appendIfHeadIs(trx, accountId, guess, next.rows, next.head)) {
        rememberHead(accountId, next.head);
        continue;
      }
    }
    const next = chained(mine, await lockHead(trx, accountId));
    // One round trip: the events and the new head together.
    await trx
      .with('appended', (db) => db.insertInto('audit_events').values(next.rows))
      .updateTable('audit_heads')
      .set({ seq: next.head.seq, hash: next.head.hash })
      .where('account_id', '=', accountId)
      .execute();
    rememberHead(accountId, next.head);
  }
};

/** The account's chain head, locked until commit; created at genesis for the account's first event. */
const lockHead = async (trx: Trx, accountId: string) => {
  const head = () =>
    trx
      .selectFrom('audit_heads')
      .select(['seq', 'hash'])
      .where('account_id', '=', accountId)
      .forUpdate()
      .executeTakeFirst();
  const found = await head();
  if (found) return found;
  await sql`insert into audit_heads (account_id, seq, hash) values (${accountId}, 0, ${GENESIS}) on conflict do nothing`.execute(
    trx,
  );

  return (await head()) ?? Promise.reject(new Error('audit head missing after insert'));
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
