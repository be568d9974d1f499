/**
 * @module Fetching an access or portability package with the request's status link, and deleting packages once they
 * expire. The link proves the person: the token's hash finds their request at the provider; the package must belong
 * to that request or to a part of it routed to a client (whose package lives in the client's tenant). Each fetch is
 * counted and audited. After expiry the link is refused and the purge job deletes the bytes and their key.
 *
 * @example
 * const { bytes, fileName } = await downloadPackage(kernel, { statusToken, packageId })
 * const html = await packageReport(kernel, { statusToken, packageId })
 * await purgeExpiredPackages(kernel) // { purged: 2 }
 */
import { fileStorageFor } from '../files/file-storage.ts';
import { type Actor, recordAudit, SYSTEM_ACTOR } from '../kernel/audit/audit.ts';
import { PROVIDER_ACCOUNT_ID } from '../kernel/db/schema.ts';
import { AppError } from '../kernel/errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { reportOf } from './access-package.ts';
import { PACKAGE_FIELD, packageStorageKey } from './execute-access.ts';
import {
  countDownload,
  findPackageEverywhere,
  listExpiredPackages,
  lockPackage,
  markPackageDeleted,
} from './package-repository.ts';
import { hashToken } from './request-secrets.ts';
import { findRequestByStatusToken, insertRequestEvent } from './rights-repository.ts';

type Deps = Pick<Kernel, 'db' | 'vault' | 'clock' | 'config'>;

export type PackageLink = { statusToken: string; packageId: string };

const PERSON: Actor = { id: null, role: 'data_subject' };
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// One answer for every link that does not lead to a package of this person's, so a link cannot be used to probe.
const notFound = () => new AppError('NOT_FOUND', 'No such download. Check the link in your latest e-mail.');

/** The package the link leads to, or NOT_FOUND. Provider then system scope, one after the other (never nested). */
const locate = async (deps: Deps, link: PackageLink) => {
  if (!TOKEN.test(link.statusToken) || !UUID.test(link.packageId)) throw notFound();
  const request = await deps.db.tenant(PROVIDER_ACCOUNT_ID, (trx) =>
    findRequestByStatusToken(trx, hashToken(link.statusToken)),
  );
  if (!request || request.parent_id !== null || request.status === 'awaiting_verification') throw notFound();
  const found = await deps.db.system((trx) => findPackageEverywhere(trx, link.packageId));
  if (!found || (found.request_id !== request.id && found.parent_id !== request.id)) throw notFound();

  return found;
};

/**
 * Opens the package in its own tenant, refusing an expired or deleted one; counts a download and audits every fetch,
 * naming who fetched it (the person by their link, or staff answering the request).
 */
const openPackage = async (
  deps: Deps,
  found: { id: string; account_id: string; kind: string },
  what: 'zip' | 'report',
  actor: Actor,
) =>
  deps.db.tenant(found.account_id, async (trx) => {
    const row = await lockPackage(trx, found.id);
    if (!row || row.status === 'draft') throw notFound();
    const now = deps.clock.now();
    if (row.status === 'deleted' || !row.expires_at || row.expires_at <= now) {
      throw new AppError(
        'CONFLICT',
        'This download link has expired and the copy has been deleted. You can ask for a new copy.',
        { reason: 'expired' },
      );
    }
    const sealed = await fileStorageFor(deps.config).get(packageStorageKey(row.account_id, row.id));
    const bytes = sealed ? await deps.vault.openBytes(trx, sealed, PACKAGE_FIELD) : null;
    if (!bytes) throw new AppError('CONFLICT', 'This copy is no longer available. You can ask for a new copy.');
    // The count is the person's downloads; staff checking what was sent are in the history and the audit trail.
    const counted = what === 'zip' && actor.role === PERSON.role;
    if (counted) await countDownload(trx, row.id);
    await insertRequestEvent(trx, {
      accountId: row.account_id,
      requestId: row.request_id,
      event: what === 'zip' ? 'package_downloaded' : 'package_report_viewed',
      at: now,
      actorId: actor.id,
      actorRole: actor.role,
      details: { packageId: row.id },
    });
    await recordAudit(trx, deps.clock, {
      accountId: row.account_id,
      actor,
      action: what === 'zip' ? 'access_package.download' : 'access_package.view_report',
      entity: 'access_package',
      entityId: row.id,
      purpose: 'legal_obligation',
      details: { kind: found.kind, download: row.downloads + (counted ? 1 : 0) },
    });

    return { bytes, kind: found.kind };
  });

/** The package's ZIP, for the person holding the status link; `fileName` has no personal data in it. */
export const downloadPackage = async (deps: Deps, link: PackageLink) => {
  const { bytes, kind } = await openPackage(deps, await locate(deps, link), 'zip', PERSON);

  return {
    bytes,
    fileName: `${kind === 'portability' ? 'your-data-portable' : 'your-data'}-${link.packageId.slice(0, 8)}.zip`,
  };
};

/** The package's HTML report (the same as report.html inside the ZIP), to read or print in the browser. */
export const packageReport = async (deps: Deps, link: PackageLink): Promise<string> => {
  const { bytes } = await openPackage(deps, await locate(deps, link), 'report', PERSON);

  return reportOf(bytes);
};

type StaffPackageInput = { accountId: string; requestId: string; packageId: string; actor: Actor };

/** A package prepared for a request this account answers, opened for the staff (or client owner) answering it. */
const openPackageForStaff = async (deps: Deps, input: StaffPackageInput, what: 'zip' | 'report') => {
  const found = await deps.db.tenant(input.accountId, (trx) => findPackageEverywhere(trx, input.packageId));
  if (!found || found.account_id !== input.accountId || found.request_id !== input.requestId)
    throw new AppError('NOT_FOUND', 'No such package for this request');

  return openPackage(deps, found, what, input.actor);
};

/**
 * The report of a package, for the staff (or client owner) answering the request: what the person was sent, to
 * answer their questions about it. Recorded in the request's history and the audit trail like the person's own
 * views; refused once the package has expired and been deleted.
 */
export const packageReportForStaff = async (deps: Deps, input: StaffPackageInput): Promise<string> =>
  reportOf((await openPackageForStaff(deps, input, 'report')).bytes);

/**
 * The whole ZIP the person was sent, for the staff answering the request: to check its files, or to hand it over
 * another way when the person cannot use the link. Recorded like the report; not counted as the person's download.
 */
export const packageZipForStaff = async (deps: Deps, input: StaffPackageInput) => {
  const { bytes, kind } = await openPackageForStaff(deps, input, 'zip');

  return {
    bytes,
    fileName: `${kind === 'portability' ? 'portability' : 'access'}-package-${input.packageId.slice(0, 8)}.zip`,
  };
};

/**
 * The job: every package past its expiry loses its bytes and its key and is marked deleted, one tenant
 * transaction each. The bytes go first, inside the transaction: if it then fails, the package is still listed and
 * the next run finishes it (deleting what is already gone is not an error).
 */
export const purgeExpiredPackages = async (deps: Deps) => {
  const due = await deps.db.system((trx) => listExpiredPackages(trx, deps.clock.now()));
  let purged = 0;
  for (const pkg of due) {
    const done = await deps.db.tenant(pkg.account_id, async (trx) => {
      const row = await lockPackage(trx, pkg.id);
      if (!row || row.status === 'deleted') return false;
      await fileStorageFor(deps.config).delete(packageStorageKey(row.account_id, row.id));
      await deps.vault.destroyKey(trx, row.id);
      await markPackageDeleted(trx, row.id);
      await recordAudit(trx, deps.clock, {
        accountId: row.account_id,
        actor: SYSTEM_ACTOR,
        action: 'access_package.purge',
        entity: 'access_package',
        entityId: row.id,
        purpose: 'legal_obligation',
        details: { downloads: row.downloads },
      });

      return true;
    });
    if (done) purged += 1;
  }

  return { purged };
};
