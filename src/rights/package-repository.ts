/**
 * @module SQL for access and portability packages, and for the tables about a person that no subject data source
 * exports (marketing sends, legal holds) and the roles of the users named in a person's records.
 */
import type { Trx } from '../kernel/db/database.ts';

export const insertPackage = (
  trx: Trx,
  row: {
    id: string;
    accountId: string;
    requestId: string;
    sizeBytes: number;
    createdAt: Date;
    expiresAt: Date;
  },
) =>
  trx
    .insertInto('access_packages')
    .values({
      id: row.id,
      account_id: row.accountId,
      request_id: row.requestId,
      status: 'released',
      size_bytes: row.sizeBytes,
      created_at: row.createdAt,
      released_at: row.createdAt,
      expires_at: row.expiresAt,
    })
    .execute();

/** System scope: a package in any account, with its request's parent (a routed part's package lives at a client). */
export const findPackageEverywhere = (trx: Trx, packageId: string) =>
  trx
    .selectFrom('access_packages')
    .innerJoin('rights_requests', 'rights_requests.id', 'access_packages.request_id')
    .select([
      'access_packages.id',
      'access_packages.account_id',
      'access_packages.request_id',
      'rights_requests.parent_id',
      'rights_requests.kind',
    ])
    .where('access_packages.id', '=', packageId)
    .executeTakeFirst();

/** Locks the row: a download and the purge job never interleave on one package. */
export const lockPackage = (trx: Trx, packageId: string) =>
  trx.selectFrom('access_packages').selectAll().where('id', '=', packageId).forUpdate().executeTakeFirst();

export const countDownload = (trx: Trx, packageId: string) =>
  trx
    .updateTable('access_packages')
    .set((eb) => ({ downloads: eb('downloads', '+', 1) }))
    .where('id', '=', packageId)
    .execute();

export const markPackageDeleted = (trx: Trx, packageId: string) =>
  trx.updateTable('access_packages').set({ status: 'deleted' }).where('id', '=', packageId).execute();

/** System scope: packages past their expiry that still have bytes and a key. */
export const listExpiredPackages = (trx: Trx, now: Date) =>
  trx
    .selectFrom('access_packages')
    .select(['id', 'account_id'])
    .where('status', '!=', 'deleted')
    .where('expires_at', '<=', now)
    .orderBy('expires_at')
    .execute();

export const accountName = async (trx: Trx, accountId: string) =>
  (await trx.selectFrom('accounts').select('name').where('id', '=', accountId).executeTakeFirst())?.name ?? '';

export const listMarketingSends = (trx: Trx, subjectId: string) =>
  trx
    .selectFrom('campaign_sends')
    .innerJoin('campaigns', 'campaigns.id', 'campaign_sends.campaign_id')
    .select([
      'campaign_sends.campaign_id as campaignId',
      'campaigns.template',
      'campaign_sends.outcome',
      'campaign_sends.at',
    ])
    .where('campaign_sends.subject_id', '=', subjectId)
    .orderBy('campaign_sends.at')
    .execute();

export const listLegalHolds = (trx: Trx, subjectId: string) =>
  trx
    .selectFrom('legal_holds')
    .select(['id', 'basis', 'reason', 'review_on as reviewOn', 'placed_at as placedAt', 'lifted_at as liftedAt'])
    .where('subject_id', '=', subjectId)
    .orderBy('placed_at')
    .execute();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The role each user acted in about these people, from the account's audit trail (the tenant cannot read `users`,
 * and the trail is what was true when they acted). Indexed by person: it can be read before their records are.
 */
export const actorRolesAbout = async (trx: Trx, accountId: string, subjectIds: readonly string[]) => {
  const roles = new Map<string, string>();
  if (subjectIds.length === 0) return roles;
  const rows = await trx
    .selectFrom('audit_events')
    .select(['actor_id', 'actor_role'])
    .distinct()
    .where('account_id', '=', accountId)
    .where('subject_id', 'in', subjectIds)
    .where('actor_id', 'is not', null)
    .where('actor_role', 'is not', null)
    .execute();
  for (const r of rows) if (r.actor_id && r.actor_role) roles.set(r.actor_id, r.actor_role);

  return roles;
};

/**
 * The roles of `userIds`: those in `known` (from `actorRolesAbout`), then the account's trail for any left over (a
 * user who wrote a record about the person without an audit event naming them).
 */
export const actorRolesOf = async (trx: Trx, accountId: string, userIds: string[], known: Map<string, string>) => {
  const roles = new Map<string, string>();
  const left: string[] = [];
  for (const u of userIds) {
    if (!UUID.test(u)) continue;
    const role = known.get(u);
    if (role) roles.set(u, role);
    else left.push(u);
  }
  if (left.length > 0) {
    const rest = await trx
      .selectFrom('audit_events')
      .select(['actor_id', 'actor_role'])
      .distinct()
      .where('account_id', '=', accountId)
      .where('actor_id', 'in', left)
      .where('actor_role', 'is not', null)
      .execute();
    for (const r of rest) if (r.actor_id && r.actor_role) roles.set(r.actor_id, r.actor_role);
  }

  return roles;
};
