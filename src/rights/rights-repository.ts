/**
 * @module SQL for rights requests, their events, the people they cover, legal holds and access packages. Values
 * arrive sealed; this file never sees plaintext.
 */
import { sql } from 'kysely';
import type { Trx } from '../kernel/db/database.ts';
import {
  OPEN_RIGHTS_STATUSES,
  type RightsRequestKind,
  type RightsRequestStatus,
  type RightsRequestsTable,
} from '../kernel/db/schema.ts';

export type RequestRow = Awaited<ReturnType<typeof getRequestRow>> & {};

export const insertRequest = (trx: Trx, row: import('kysely').Insertable<RightsRequestsTable>) =>
  trx.insertInto('rights_requests').values(row).execute();

export const getRequestRow = (trx: Trx, requestId: string) =>
  trx.selectFrom('rights_requests').selectAll().where('id', '=', requestId).executeTakeFirst();

/** Locks the row: two staff members acting on one request at once take turns. */
export const lockRequestRow = (trx: Trx, requestId: string) =>
  trx.selectFrom('rights_requests').selectAll().where('id', '=', requestId).forUpdate().executeTakeFirst();

export const findRequestByStatusToken = (trx: Trx, tokenHash: Buffer) =>
  trx.selectFrom('rights_requests').selectAll().where('status_token_hash', '=', tokenHash).executeTakeFirst();

export const updateRequest = (trx: Trx, requestId: string, changes: import('kysely').Updateable<RightsRequestsTable>) =>
  trx.updateTable('rights_requests').set(changes).where('id', '=', requestId).execute();

export const insertRequestEvent = (
  trx: Trx,
  event: {
    accountId: string;
    requestId: string;
    event: string;
    at: Date;
    actorId: string | null;
    actorRole: string | null;
    reason?: string | null;
    details?: Record<string, unknown>;
  },
) =>
  trx
    .insertInto('rights_request_events')
    .values({
      account_id: event.accountId,
      request_id: event.requestId,
      event: event.event,
      at: event.at,
      actor_id: event.actorId,
      actor_role: event.actorRole,
      reason: event.reason ?? null,
      details: JSON.stringify(event.details ?? {}),
    })
    .execute();

export const listRequestEvents = (trx: Trx, requestId: string) =>
  trx
    .selectFrom('rights_request_events')
    .select(['event', 'at', 'actor_role', 'reason', 'details'])
    .where('request_id', '=', requestId)
    .orderBy('at')
    .orderBy('id')
    .execute();

export type QueueFilter = { status?: RightsRequestStatus | 'open'; kind?: RightsRequestKind };

/** The queue: open requests first by due date; closed ones after, newest first. */
export const listRequests = (trx: Trx, accountId: string, filter: QueueFilter, limit = 200) => {
  let query = trx
    .selectFrom('rights_requests')
    .select([
      'id',
      'parent_id',
      'kind',
      'status',
      'channel',
      'received_at',
      'verified_at',
      'clock_start',
      'due_on',
      'extended',
      'fee_status',
      'closed_at',
      'requester_email',
      'requester_name',
    ])
    .where('account_id', '=', accountId);
  if (filter.status === 'open') query = query.where('status', 'in', OPEN_RIGHTS_STATUSES);
  else if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.kind) query = query.where('kind', '=', filter.kind);

  return query
    .orderBy(sql`case when status in ('received', 'in_progress', 'awaiting_clarification') then 0 else 1 end`)
    .orderBy('due_on', 'asc')
    .orderBy('received_at', 'desc')
    .limit(limit)
    .execute();
};

export const listChildRequests = (trx: Trx, parentId: string) =>
  trx
    .selectFrom('rights_requests')
    .innerJoin('accounts', 'accounts.id', 'rights_requests.account_id')
    .select([
      'rights_requests.id',
      'rights_requests.account_id',
      'accounts.name as account_name',
      'rights_requests.kind',
      'rights_requests.status',
      'rights_requests.due_on',
      'rights_requests.extended',
      'rights_requests.closed_at',
      'rights_requests.received_at',
    ])
    .where('parent_id', '=', parentId)
    .orderBy('accounts.name')
    .execute();

/** Open requests whose clocks run, across every account (the reminder job runs in the system scope). */
export const listOpenRequestsEverywhere = (trx: Trx) =>
  trx
    .selectFrom('rights_requests')
    .select(['id', 'account_id', 'parent_id', 'kind', 'status', 'due_on', 'reminders_sent'])
    .where('status', 'in', ['received', 'in_progress'])
    .where('due_on', 'is not', null)
    .execute();

export const deleteUnverifiedBefore = (trx: Trx, cutoff: Date) =>
  trx
    .deleteFrom('rights_requests')
    .where('status', 'in', ['awaiting_verification', 'expired'])
    .where('received_at', '<', cutoff)
    .returning(['id', 'account_id'])
    .execute();

export const insertRequestSubjects = (
  trx: Trx,
  rows: readonly { requestId: string; accountId: string; subjectId: string; matchedBy: string }[],
) =>
  rows.length === 0
    ? Promise.resolve()
    : trx
        .insertInto('rights_request_subjects')
        .values(
          rows.map((r) => ({
            request_id: r.requestId,
            account_id: r.accountId,
            subject_id: r.subjectId,
            matched_by: r.matchedBy,
          })),
        )
        .onConflict((oc) => oc.columns(['request_id', 'subject_id']).doNothing())
        .execute();

export const listRequestSubjects = (trx: Trx, requestId: string) =>
  trx
    .selectFrom('rights_request_subjects')
    .leftJoin('subjects', 'subjects.id', 'rights_request_subjects.subject_id')
    .select([
      'rights_request_subjects.subject_id',
      'rights_request_subjects.matched_by',
      'rights_request_subjects.outcome',
      'subjects.kind',
      'subjects.id as present',
      'subjects.name',
      'subjects.email',
      'subjects.phone',
    ])
    .where('rights_request_subjects.request_id', '=', requestId)
    .execute();

export const setRequestSubjectOutcome = (
  trx: Trx,
  requestId: string,
  subjectId: string,
  outcome: Record<string, unknown>,
) =>
  trx
    .updateTable('rights_request_subjects')
    .set({ outcome: JSON.stringify(outcome) })
    .where('request_id', '=', requestId)
    .where('subject_id', '=', subjectId)
    .execute();

/**
 * Every subject, in every account, whose blind index matches one of the given (account, index) pairs: one
 * statement however many accounts there are. System scope only (it crosses tenants by design: routing).
 */
export const findSubjectsAcrossAccounts = async (
  trx: Trx,
  field: 'email_bidx' | 'phone_bidx',
  pairs: readonly { accountId: string; bidx: Buffer }[],
) => {
  if (pairs.length === 0) return [];
  const result = await sql<{ id: string; account_id: string; kind: string }>`
    select s.id, s.account_id, s.kind
    from unnest(${pairs.map((p) => p.accountId)}::uuid[], ${pairs.map((p) => p.bidx)}::bytea[]) as wanted(account_id, bidx)
    join subjects s on s.account_id = wanted.account_id and s.${sql.raw(field)} = wanted.bidx`.execute(trx);

  return result.rows;
};

export const listAccountsForRouting = (trx: Trx) =>
  trx.selectFrom('accounts').select(['id', 'kind', 'name', 'status']).execute();

export const activeLegalHolds = (trx: Trx, subjectIds: readonly string[]) =>
  subjectIds.length === 0
    ? Promise.resolve([])
    : trx
        .selectFrom('legal_holds')
        .selectAll()
        .where('subject_id', 'in', subjectIds)
        .where('lifted_at', 'is', null)
        .execute();

/** Counts for the dashboard: by month of receipt, kind and status, and whether closed by the due date. */
export const requestStatistics = (trx: Trx, accountId: string, since: Date) =>
  trx
    .selectFrom('rights_requests')
    .select([
      sql<string>`to_char(received_at at time zone 'UTC', 'YYYY-MM')`.as('month'),
      'kind',
      'status',
      sql<number>`count(*)::int`.as('count'),
      // Closed while the clock stood still (no due date then) is within time: the pause stops the deadline.
      sql<number>`count(*) filter (where closed_at is not null and (due_on is null or to_char(closed_at at time zone 'UTC', 'YYYY-MM-DD') <= due_on))::int`.as(
        'on_time',
      ),
      sql<number>`count(*) filter (where status in ('completed', 'refused'))::int`.as('closed'),
    ])
    .where('account_id', '=', accountId)
    .where('received_at', '>=', since)
    .where('status', 'not in', ['awaiting_verification', 'expired'])
    .groupBy(['month', 'kind', 'status'])
    .orderBy('month')
    .execute();

/** Active users of the given accounts in the given roles, with their sealed e-mail addresses. */
export const listUserAddresses = (trx: Trx, accountIds: readonly string[], roles: readonly string[]) =>
  accountIds.length === 0
    ? Promise.resolve([])
    : trx
        .selectFrom('users')
        .innerJoin('subjects', 'subjects.id', 'users.subject_id')
        .select(['users.id', 'users.account_id', 'subjects.email'])
        .where('users.account_id', 'in', accountIds)
        .where('users.role', 'in', roles as never[])
        .where('users.status', '=', 'active')
        .execute();

/**
 * The purposes the people's data was processed for, from the audit trail about them. Handling rights requests
 * (copies, erasure, holds) is not a disclosure to the policy's recipients, and is left out (Art. 19, see
 * `tell-recipients.ts`).
 */
export const listPurposesUsedFor = async (trx: Trx, subjectIds: readonly string[]): Promise<Set<string>> => {
  if (subjectIds.length === 0) return new Set();
  const rows = await trx
    .selectFrom('audit_events')
    .select('purpose')
    .distinct()
    .where('subject_id', 'in', subjectIds)
    .where('purpose', 'is not', null)
    .where((eb) =>
      eb.and([
        eb('action', 'not like', 'rights_request.%'),
        eb('action', 'not like', 'access_package.%'),
        eb('action', 'not like', 'legal_hold.%'),
        eb('action', 'not in', [
          'subject.export',
          'subject.erase',
          'subject.erase_withheld',
          'subject.rectify',
          'subject.restrict',
          'subject.restriction_lift',
          'subject.object',
          'subject.withdraw_consent',
        ]),
      ]),
    )
    .execute();

  return new Set(rows.map((r) => r.purpose as string));
};
