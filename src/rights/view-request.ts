/**
 * @module Reading requests: the queue and one request for those who answer (staff, or a client's owner for a part
 * routed to them), the person's own status page by its link, and the dashboard figures.
 *
 * @example
 * const queue = await listQueue(kernel, { accountId, actor, filter: { status: 'open' } })
 * const status = await requestStatus(kernel, statusToken) // null for an unknown or forged link
 */
import { type Actor, recordAudit } from '../kernel/audit/audit.ts';
import type { Trx } from '../kernel/db/database.ts';
import { OPEN_RIGHTS_STATUSES, PROVIDER_ACCOUNT_ID, type RightsRequestStatus } from '../kernel/db/schema.ts';
import { AppError } from '../kernel/errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { ukCivilDate } from './bank-holidays.ts';
import { daysRemaining, isOverdue } from './deadline.ts';
import { hashToken } from './request-secrets.ts';
import { clockOf } from './request-state.ts';
import {
  findRequestByStatusToken,
  getRequestRow,
  listChildRequests,
  listRequestEvents,
  listRequestSubjects,
  listRequests,
  type QueueFilter,
  requestStatistics,
} from './rights-repository.ts';
import { recipientsView } from './tell-recipients.ts';

type Deps = Pick<Kernel, 'db' | 'vault' | 'clock' | 'policyFile'>;

const opener = (deps: Pick<Kernel, 'vault'>, trx: Trx) => (blob: Buffer | null, field: string) =>
  blob ? deps.vault.open(trx, blob, field) : Promise.resolve(null);

const timing = (deps: Pick<Kernel, 'clock'>, dueOn: string | null, open: boolean) => {
  if (!dueOn || !open) return { daysLeft: null, overdue: false };
  const today = ukCivilDate(deps.clock.now());

  return { daysLeft: daysRemaining(dueOn, today), overdue: isOverdue(dueOn, today) };
};

const isOpen = (status: RightsRequestStatus) => OPEN_RIGHTS_STATUSES.includes(status);

export const listQueue = (deps: Deps, input: { accountId: string; actor: Actor; filter: QueueFilter }) =>
  deps.db.tenant(input.accountId, async (trx) => {
    const rows = await listRequests(trx, input.accountId, input.filter);
    const open = opener(deps, trx);
    const items = [];
    for (const row of rows) {
      items.push({
        id: row.id,
        routed: row.parent_id !== null,
        kind: row.kind,
        status: row.status,
        channel: row.channel,
        requesterName: await open(row.requester_name, 'rights_requests.requester_name'),
        requesterEmail: await open(row.requester_email, 'rights_requests.requester_email'),
        receivedAt: row.received_at.toISOString(),
        dueOn: row.due_on,
        extended: row.extended,
        feeStatus: row.fee_status,
        closedAt: row.closed_at?.toISOString() ?? null,
        ...timing(deps, row.due_on, isOpen(row.status)),
      });
    }
    await recordAudit(trx, deps.clock, {
      accountId: input.accountId,
      actor: input.actor,
      action: 'rights_request.list',
      entity: 'rights_request',
      fields: ['requester_name', 'requester_email'],
      purpose: 'legal_obligation',
      details: { shown: items.length },
    });

    return items;
  });

export const viewRequest = async (deps: Deps, input: { accountId: string; requestId: string; actor: Actor }) => {
  const view = await deps.db.tenant(input.accountId, async (trx) => {
    const row = await getRequestRow(trx, input.requestId);
    if (!row) throw new AppError('NOT_FOUND', 'No such request');
    const open = opener(deps, trx);
    const events = await listRequestEvents(trx, row.id);
    const clock = await clockOf(deps, trx, row.id);
    const covered = await listRequestSubjects(trx, row.id);
    const packages = await trx
      .selectFrom('access_packages')
      .select(['id', 'status', 'size_bytes', 'created_at', 'released_at', 'expires_at', 'downloads'])
      .where('request_id', '=', row.id)
      .orderBy('created_at', 'desc')
      .execute();
    const holds = covered.length
      ? await trx
          .selectFrom('legal_holds')
          .select(['id', 'subject_id', 'basis', 'reason', 'review_on', 'placed_at'])
          .where(
            'subject_id',
            'in',
            covered.map((c) => c.subject_id),
          )
          .where('lifted_at', 'is', null)
          .execute()
      : [];
    const outcome = await open(row.outcome, 'rights_requests.outcome');
    await recordAudit(trx, deps.clock, {
      accountId: input.accountId,
      actor: input.actor,
      action: 'rights_request.view',
      entity: 'rights_request',
      entityId: row.id,
      fields: [
        'requester_email',
        'requester_name',
        'requester_phone',
        'details',
        'subjects.name',
        'subjects.email',
        'subjects.phone',
      ],
      purpose: 'legal_obligation',
    });

    return {
      id: row.id,
      accountId: row.account_id,
      routed: row.parent_id !== null,
      parentId: row.parent_id,
      kind: row.kind,
      status: row.status,
      channel: row.channel,
      requester: {
        email: await open(row.requester_email, 'rights_requests.requester_email'),
        name: await open(row.requester_name, 'rights_requests.requester_name'),
        phone: await open(row.requester_phone, 'rights_requests.requester_phone'),
      },
      details: await open(row.details, 'rights_requests.details'),
      verificationMethod: row.verification_method,
      receivedAt: row.received_at.toISOString(),
      verifiedAt: row.verified_at?.toISOString() ?? null,
      clock: {
        clockStart: clock?.clockStart ?? null,
        dueOn: clock?.dueOn ?? null,
        waitingFor: clock?.waitingFor ?? null,
        extensionNoticeBy: clock?.extensionNoticeBy ?? null,
        pausedDays: clock?.pausedDays ?? 0,
        extended: row.extended,
        ...timing(deps, clock?.dueOn ?? null, isOpen(row.status)),
      },
      fee: { status: row.fee_status, pence: row.fee_pence },
      closedAt: row.closed_at?.toISOString() ?? null,
      outcome: outcome ? (JSON.parse(outcome) as Record<string, unknown>) : null,
      events: events.map((e) => ({
        event: e.event,
        at: e.at.toISOString(),
        byRole: e.actor_role,
        reason: e.reason,
      })),
      subjects: await Promise.all(
        covered.map(async (c) => ({
          subjectId: c.subject_id,
          kind: c.kind,
          // Who the record is, so the answerer can tell the people a request covers apart (null once erased).
          name: await open(c.name, 'subjects.name'),
          email: await open(c.email, 'subjects.email'),
          phone: await open(c.phone, 'subjects.phone'),
          matchedBy: c.matched_by,
          present: c.present !== null,
          outcome: c.outcome,
        })),
      ),
      legalHolds: holds.map((h) => ({ ...h, placed_at: h.placed_at.toISOString() })),
      recipientsToTell: recipientsView(events),
      packages: packages.map((p) => ({
        id: p.id,
        status: p.status,
        sizeBytes: p.size_bytes,
        createdAt: p.created_at.toISOString(),
        releasedAt: p.released_at?.toISOString() ?? null,
        expiresAt: p.expires_at?.toISOString() ?? null,
        downloads: p.downloads,
      })),
    };
  });
  // The parts routed to clients live in their tenants: read after, never inside, the provider's transaction.
  const parts =
    input.accountId === PROVIDER_ACCOUNT_ID && !view.routed
      ? await deps.db.system((trx) => listChildRequests(trx, view.id))
      : [];

  return { ...view, parts: parts.map(partView(deps)) };
};

const partView = (deps: Pick<Kernel, 'clock'>) => (p: Awaited<ReturnType<typeof listChildRequests>>[number]) => ({
  id: p.id,
  controller: p.account_name,
  status: p.status,
  dueOn: p.due_on,
  extended: p.extended,
  closedAt: p.closed_at?.toISOString() ?? null,
  ...timing(deps, p.due_on, isOpen(p.status)),
});

/**
 * The person's view through their status link: the request and every part, with what was done and kept. An
 * unknown token, a forged one, or one replaced at verification answers null (the route says "not found").
 */
export const requestStatus = async (deps: Deps, token: string) => {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const mine = await deps.db.tenant(PROVIDER_ACCOUNT_ID, async (trx) => {
    const row = await findRequestByStatusToken(trx, hashToken(token));
    // A web request's first token is never handed out (a fresh one comes with the code), so any match is a link
    // the person was given, including a request logged by staff and still awaiting its identity check.
    if (!row || row.parent_id !== null) return null;
    const open = opener(deps, trx);
    const events = await listRequestEvents(trx, row.id);
    const outcome = await open(row.outcome, 'rights_requests.outcome');

    return {
      id: row.id,
      kind: row.kind,
      status: row.status,
      receivedAt: row.received_at.toISOString(),
      verifiedAt: row.verified_at?.toISOString() ?? null,
      dueOn: row.due_on,
      extended: row.extended,
      extensionReason: events.findLast((e) => e.event === 'extended')?.reason ?? null,
      waitingFor:
        row.status === 'awaiting_clarification' ? 'clarification' : row.fee_status === 'requested' ? 'fee' : null,
      closedAt: row.closed_at?.toISOString() ?? null,
      outcome: outcome ? (JSON.parse(outcome) as Record<string, unknown>) : null,
    };
  });
  if (!mine) return null;
  const parts = await deps.db.system(async (trx) => {
    const children = await listChildRequests(trx, mine.id);
    const result = [];
    for (const child of children) {
      const row = await getRequestRow(trx, child.id);
      const outcome = row?.outcome ? await deps.vault.open(trx, row.outcome, 'rights_requests.outcome') : null;
      result.push({
        controller: child.account_name,
        status: child.status,
        dueOn: child.due_on,
        extended: child.extended,
        closedAt: child.closed_at?.toISOString() ?? null,
        outcome: outcome ? (JSON.parse(outcome) as Record<string, unknown>) : null,
      });
    }

    return result;
  });
  const authority = deps.policyFile.file.controller.supervisoryAuthority;

  return {
    ...mine,
    answeredBy: deps.policyFile.file.controller.tradingName ?? deps.policyFile.file.controller.name,
    parts,
    complaint: { authority: authority.name, web: authority.web, how: authority.howToComplain },
  };
};

/**
 * Who to tell and how: the person's address on this request, their status link (a routed part uses the link of
 * the person's request at the provider) and the name of the business answering.
 */
export const personContact = async (
  deps: Pick<Kernel, 'db' | 'vault' | 'policyFile'>,
  input: { accountId: string; requestId: string },
) => {
  const own = await deps.db.tenant(input.accountId, async (trx) => {
    const row = await getRequestRow(trx, input.requestId);
    if (!row) throw new AppError('NOT_FOUND', 'No such request');
    const open = opener(deps, trx);

    return {
      parentId: row.parent_id,
      email: (await open(row.requester_email, 'rights_requests.requester_email')) as string,
      statusToken: await open(row.status_token, 'rights_requests.status_token'),
    };
  });
  if (!own.parentId) {
    const file = deps.policyFile.file;

    return {
      email: own.email,
      statusToken: own.statusToken,
      answeredBy: file.controller.tradingName ?? file.controller.name,
    };
  }
  const parentId = own.parentId;

  return deps.db.system(async (trx) => {
    const parent = await getRequestRow(trx, parentId);
    const account = await trx
      .selectFrom('accounts')
      .select('name')
      .where('id', '=', input.accountId)
      .executeTakeFirst();

    return {
      email: own.email,
      statusToken: parent?.status_token
        ? await deps.vault.open(trx, parent.status_token, 'rights_requests.status_token')
        : null,
      answeredBy: account?.name ?? '',
    };
  });
};

/** The dashboard: requests per month by kind and status, and the share answered by the due date. */
export const rightsDashboard = (deps: Deps, input: { accountId: string; months: number }) =>
  deps.db.tenant(input.accountId, async (trx) => {
    const now = deps.clock.now();
    const since = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (input.months - 1), 1));
    const rows = await requestStatistics(trx, input.accountId, since);
    const open = await trx
      .selectFrom('rights_requests')
      .select(['due_on', 'status'])
      .where('account_id', '=', input.accountId)
      .where('status', 'in', OPEN_RIGHTS_STATUSES)
      .execute();
    const today = ukCivilDate(now);
    const closed = rows.reduce((n, r) => n + r.closed, 0);
    const onTime = rows.reduce((n, r) => n + r.on_time, 0);

    return {
      since: since.toISOString().slice(0, 10),
      byMonth: rows.map((r) => ({ month: r.month, kind: r.kind, status: r.status, count: r.count })),
      open: open.length,
      overdue: open.filter((r) => r.due_on && isOverdue(r.due_on, today)).length,
      dueThisWeek: open.filter((r) => r.due_on && !isOverdue(r.due_on, today) && daysRemaining(r.due_on, today) <= 7)
        .length,
      closed,
      onTimeRate: closed === 0 ? null : onTime / closed,
    };
  });
