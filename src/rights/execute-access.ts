/**
 * @module Access (Art. 15) and portability (Art. 20): for every person the request covers in the answering account,
 * everything held about them is read (the subject row, every subject data source, scans of their post, processing
 * controls, marketing sends, legal holds and the audit trail about them, by role), assembled into a package
 * (`access-package.ts`), sealed under a key of its own, stored, and released to the person's status link until it
 * expires (`package-download.ts` serves it; the purge job deletes the bytes and the key).
 *
 * @example
 * await completeRequest(kernel, SUBJECT_DATA_SOURCES, { accountId, requestId, actor, input: {} })
 * // an access request's outcome then carries `packageId`, downloadable with the status token
 */
import crypto from 'node:crypto';
import { fileStorageFor } from '../files/file-storage.ts';
import { readFile } from '../files/files.ts';
import { recordAudit } from '../kernel/audit/audit.ts';
import { beforeCommit } from '../kernel/db/database.ts';
import { PROVIDER_ACCOUNT_ID } from '../kernel/db/schema.ts';
import { AppError } from '../kernel/errors.ts';
import { getSubjectRow } from '../subjects/subject-repository.ts';
import { exportSubject } from '../subjects/subjects.ts';
import { assemblePackage, DATASETS, type GatheredPerson, type PackageKind, userIdsIn } from './access-package.ts';
import type { ExecutionContext, ExecutionOutcome, Executor, KeptRecord } from './complete-request.ts';
import {
  accountName,
  actorRolesAbout,
  actorRolesOf,
  insertPackage,
  listLegalHolds,
  listMarketingSends,
} from './package-repository.ts';

/**
 * How long the download link works. Long enough for someone who checks e-mail rarely, or is away, to fetch it (and
 * for a routed part answered late to line up with the rest); short enough that a full copy of a person's data does
 * not sit on our systems, or behind a forwarded link, for longer than the month-long request it answers. After
 * this the bytes and their key are deleted; the person can ask again.
 */
export const PACKAGE_LIFETIME_DAYS = 30;

/** The field name the package bytes are sealed under (bound into the ciphertext). */
export const PACKAGE_FIELD = 'access_packages.zip';

export const packageStorageKey = (accountId: string, packageId: string) => `${accountId}/${packageId}`;

const DAY = 86_400_000;

export const gatherPerson = async (
  ctx: Pick<ExecutionContext, 'deps' | 'trx' | 'accountId' | 'sources' | 'actor'>,
  subjectId: string,
): Promise<GatheredPerson | null> => {
  const { deps, trx, accountId } = ctx;
  // Issued together: the connection runs the next read while the person's records are decrypted.
  const exporting = exportSubject(deps, trx, ctx.sources, { accountId, subjectId, actor: ctx.actor });
  // It fails (NOT_FOUND) exactly when the row is missing, which is answered below: not an unhandled rejection.
  exporting.catch(() => {});
  const [row, sends, holds] = await Promise.all([
    getSubjectRow(trx, subjectId),
    listMarketingSends(trx, subjectId),
    listLegalHolds(trx, subjectId),
  ]);
  // Erased since the request was routed: nothing left to copy.
  if (!row) return null;
  const exported = await exporting;
  const datasets: Record<string, readonly unknown[]> = { ...exported.data, marketing_sends: sends, legal_holds: holds };
  const files: GatheredPerson['files'][number][] = [];
  for (const item of (exported.data.post_items ?? []) as {
    id: string;
    files?: { id: string; mediaType: string }[];
  }[]) {
    for (const meta of item.files ?? []) {
      const file = await readFile(deps, trx, meta.id);
      files.push({
        id: meta.id,
        itemId: item.id,
        mediaType: meta.mediaType,
        bytes: file ? new Uint8Array(file.bytes) : null,
      });
    }
  }

  return {
    subjectId,
    person: {
      kind: exported.subject.kind,
      name: exported.subject.name,
      email: exported.subject.email,
      phone: exported.subject.phone,
      source: exported.subject.source,
      createdAt: exported.subject.createdAt,
    },
    datasets,
    processingControls: exported.processingControls,
    processingHistory: exported.processingHistory,
    files,
  };
};

/**
 * Free text someone else wrote about the person (a message as the receptionist took it down) may name other
 * people, which software cannot find reliably: it is held for a reviewer, who marks what to redact (Art. 15(4)).
 */
export const freeTextToReview = (people: readonly GatheredPerson[]) =>
  people.flatMap((p) =>
    Object.entries(p.datasets).flatMap(([dataset, records]) => {
      const fields = DATASETS[dataset]?.writtenByOthers ?? [];

      return (records as Record<string, unknown>[]).flatMap((r) =>
        fields
          .filter((field) => typeof r[field] === 'string' && (r[field] as string).trim() !== '')
          .map((field) => ({ recordId: String(r.id), dataset, field, text: r[field] as string })),
      );
    }),
  );

const executePackage =
  (kind: PackageKind): Executor =>
  async (ctx): Promise<ExecutionOutcome> => {
    const { deps, trx, accountId } = ctx;
    const isProvider = accountId === PROVIDER_ACCOUNT_ID;
    const file = deps.policyFile.file;
    // Asked first, so the connection answers it while the first person's records are decrypted.
    const naming = isProvider
      ? Promise.resolve(file.controller.tradingName ?? file.controller.name)
      : accountName(trx, accountId);
    naming.catch(() => {}); // awaited below, unless the review check throws first
    const now = deps.clock.now();
    const packageId = crypto.randomUUID();
    // Also sent ahead of the gathering, which the connection then runs while these are answered: the package's key
    // (destroyed again below if no one is left to copy) and the roles of those who acted on the people's data.
    const keying = deps.vault.createKey(trx, accountId, packageId, deps.clock);
    keying.catch(() => {}); // awaited below
    const knownRoles = actorRolesAbout(trx, accountId, ctx.subjectIds);
    knownRoles.catch(() => {}); // awaited below
    const people: GatheredPerson[] = [];
    const gone: string[] = [];
    for (const subjectId of ctx.subjectIds) {
      const person = await gatherPerson(ctx, subjectId);
      if (person) people.push(person);
      else gone.push(subjectId);
    }
    // Listed only to refuse: once reviewed, the list (a line per field of every record) is not needed.
    const review = ctx.input.reviewedForOtherPeople === true ? [] : freeTextToReview(people);
    if (review.length > 0) {
      throw new AppError('CONFLICT', 'Check what others wrote about the person for other people’s data first', {
        reason: 'review_required',
        fields: review.length,
      });
    }
    const goneOutcomes = gone.map((subjectId) => ({ subjectId, done: 'nothing held (no longer on record)', kept: [] }));
    const name = await naming;
    await keying;
    if (people.length === 0) {
      await deps.vault.destroyKey(trx, packageId);
      return {
        summary: `${name} holds no personal data about you, apart from your request itself.`,
        kept: [],
        subjects: goneOutcomes,
      };
    }

    const expiresAt = new Date(now.getTime() + PACKAGE_LIFETIME_DAYS * DAY);
    const roles = await actorRolesOf(trx, accountId, userIdsIn(people), await knownRoles);
    const assembled = await assemblePackage({
      kind,
      packageId,
      requestId: ctx.request.id,
      generatedAt: now,
      expiresAt,
      answeredBy: { accountId, name, isProvider },
      policy: file,
      people,
      roles,
      redactions: ctx.input.redactions ?? [],
    });
    const sealed = await deps.vault.sealBytes(trx, packageId, PACKAGE_FIELD, Buffer.from(assembled.zip));
    const records = Object.values(assembled.counts).reduce((n, c) => n + c, 0);
    // The bytes are written (and synced) while the request is closed, and are on disk before the transaction
    // commits: if it fails, they are left sealed under a key that was never committed, so they are unreadable.
    const storing = fileStorageFor(deps.config).put(packageStorageKey(accountId, packageId), sealed);
    storing.catch(() => {}); // awaited before commit
    if (!beforeCommit(trx, () => storing)) await storing;
    await insertPackage(trx, {
      id: packageId,
      accountId,
      requestId: ctx.request.id,
      sizeBytes: assembled.zip.length,
      createdAt: now,
      expiresAt,
    });
    await recordAudit(trx, deps.clock, {
      accountId,
      actor: ctx.actor,
      action: 'access_package.create',
      entity: 'access_package',
      entityId: packageId,
      purpose: 'legal_obligation',
      details: {
        kind,
        requestId: ctx.request.id,
        subjects: people.length,
        records,
        redactedFields: assembled.redactedFields,
        sizeBytes: assembled.zip.length,
      },
    });

    const kept: KeptRecord[] =
      assembled.redactedFields > 0
        ? [
            {
              what: `Other people’s e-mail addresses and phone numbers in ${assembled.redactedFields} field(s) written about you`,
              reason:
                'They are other people’s personal data (GDPR Art. 15(4)); each is replaced by “[redacted]” in your copy.',
            },
          ]
        : [];
    const until = expiresAt.toISOString().slice(0, 10);
    const counted = `${records} record${records === 1 ? '' : 's'}`;
    const summary =
      kind === 'access'
        ? `${name} has prepared a copy of all the personal data it holds about you (${counted}), with why ` +
          `and how it is used. Download it from your request’s status page until ${until}; it is then deleted.`
        : `${name} has prepared the data you provided, in JSON and CSV with a description of the format ` +
          `(${counted}). Download it from your request’s status page until ${until}; it is then deleted.`;

    return {
      summary,
      kept,
      packageId,
      subjects: [
        ...people.map((p) => ({
          subjectId: p.subjectId,
          done: 'copy provided',
          kept: [],
          counts: Object.fromEntries(Object.entries(p.datasets).map(([k, rows]) => [k, rows.length])),
        })),
        ...goneOutcomes,
      ],
    };
  };

export const executeAccess: Executor = executePackage('access');
export const executePortability: Executor = executePackage('portability');
