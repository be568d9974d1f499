/**
 * @module Publishing versions of the privacy notice and recording agreement to new purposes.
 *
 * Publishing stores the policy file's text for good (so `/privacy/v/N` can show it with its diff). A material change
 * is e-mailed to every active user as a service message, whatever their marketing choices (AS-20, CC-14, VO-16);
 * disabled users and deactivated or cancelled accounts get nothing. A purpose a version adds is refused by the
 * decision function for each person whose data predates it, until that person agrees (`recordPolicyAgreement`).
 *
 * @example
 * const { version, notified } = await publishPolicy(kernel, { source: fs.readFileSync(file, 'utf8'), actor })
 */
import crypto from 'node:crypto';
import { type Actor, recordAudit } from '../kernel/audit/audit.ts';
import type { Trx } from '../kernel/db/database.ts';
import { PROVIDER_ACCOUNT_ID } from '../kernel/db/schema.ts';
import { AppError } from '../kernel/errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import type { SubjectDataSource } from '../subjects/subjects.ts';
import { nameOf } from './describe.ts';
import { diffPolicies } from './policy-diff.ts';
import { parsePolicy } from './policy-loader.ts';
import {
  countActiveUsers,
  getPolicyVersionRow,
  insertPolicyAgreement,
  insertPolicyVersion,
  latestPolicyVersion,
  listActiveUsers,
  listPolicyVersionRows,
  previousPolicyVersionRow,
  setNotifiedCount,
} from './policy-repository.ts';
import type { PolicyFile } from './policy-schema.ts';
import type { PolicyChange } from './render-notice.ts';

type Deps = Pick<Kernel, 'db' | 'clock' | 'vault' | 'mailer' | 'config'>;

export type PublishResult = { version: number; material: boolean; newPurposes: string[]; notified: number };

export const publishPolicy = async (
  deps: Deps,
  input: { source: string; actor: Actor; name?: string },
): Promise<PublishResult> => {
  const file = parsePolicy(input.source, input.name);
  const change = file.changes.find((c) => c.version === file.version);
  if (!change) throw new AppError('VALIDATION_FAILED', `The change log has no entry for version ${file.version}`);
  const now = deps.clock.now();

  const recipients = await deps.db.system(async (trx) => {
    const latest = await latestPolicyVersion(trx);
    if (latest && latest.policy_id !== file.id) {
      throw new AppError('CONFLICT', `The published notice is "${latest.policy_id}", not "${file.id}"`, {
        policyId: latest.policy_id,
      });
    }
    if (latest && file.version <= latest.version) {
      throw new AppError(
        'CONFLICT',
        `Version ${latest.version} is already published: raise "version" and add a change-log entry`,
        {
          publishedVersion: latest.version,
        },
      );
    }
    await insertPolicyVersion(trx, {
      version: file.version,
      policyId: file.id,
      effectiveDate: file.effectiveDate,
      content: input.source,
      sha256: crypto.createHash('sha256').update(input.source).digest('hex'),
      material: change.material,
      summary: change.summary,
      newPurposes: [...change.newPurposes],
      publishedAt: now,
      publishedBy: input.actor.id,
    });
    await recordAudit(trx, deps.clock, {
      accountId: PROVIDER_ACCOUNT_ID,
      actor: input.actor,
      action: 'policy.publish',
      entity: 'policy_version',
      entityId: String(file.version),
      purpose: 'legal_obligation',
      details: { material: change.material, newPurposes: change.newPurposes.length },
    });
    if (!change.material) return [];
    const users = await listActiveUsers(trx);
    const out: { accountId: string; subjectId: string; email: string }[] = [];
    for (const u of users) {
      const email = u.email ? await deps.vault.open(trx, u.email, 'subjects.email') : null;
      if (email) out.push({ accountId: u.accountId, subjectId: u.subjectId, email });
    }

    return out;
  });

  // Mail goes out after the version is committed, so a notice never announces a version that does not exist.
  const mail = changeNoticeMail(deps.config.publicUrl, file, change);
  const sent: typeof recipients = [];
  for (const r of recipients) {
    try {
      await deps.mailer.send({
        to: r.email,
        ...mail,
        class: 'service',
        headers: { 'X-Custodian-Notice-Version': String(file.version) },
      });
      sent.push(r);
    } catch {
      // One bad address must not stop the rest; the count and the audit trail show who was reached.
    }
  }
  await deps.db.system(async (trx) => {
    await setNotifiedCount(trx, file.version, sent.length);
    for (const r of sent) {
      await recordAudit(trx, deps.clock, {
        accountId: r.accountId,
        actor: input.actor,
        action: 'policy.change_notice_sent',
        entity: 'policy_version',
        entityId: String(file.version),
        subjectId: r.subjectId,
        fields: ['email'],
        purpose: 'legal_obligation',
      });
    }
  });

  return {
    version: file.version,
    material: change.material,
    newPurposes: [...change.newPurposes],
    notified: sent.length,
  };
};

const changeNoticeMail = (publicUrl: string, file: PolicyFile, change: PolicyFile['changes'][number]) => {
  const link = `${publicUrl.replace(/\/$/, '')}/privacy/v/${file.version}`;
  const lines = [
    'Hello,',
    '',
    `We have changed our privacy notice. Version ${file.version} takes effect on ${file.effectiveDate}.`,
    '',
    `What has changed: ${change.summary}`,
  ];
  if (change.newPurposes.length > 0) {
    lines.push(
      '',
      'It adds new uses of personal data:',
      ...change.newPurposes.map((id) => `  - ${nameOf(file.purposes, id)}`),
      '',
      'We will not use your data in these new ways unless you agree. Sign in and choose "Agree" or "No thanks" under Privacy.',
    );
  }
  lines.push(
    '',
    `Read the new notice, with what changed: ${link}`,
    '',
    'This is a service message about your account: we send it even if you have opted out of marketing.',
    `${file.controller.name} · ${file.controller.privacyContact.email ?? ''}`,
  );

  return { subject: `Changes to our privacy notice (version ${file.version})`, text: lines.join('\n') };
};

export const listPolicyVersions = (deps: Pick<Kernel, 'db'>) =>
  deps.db.system(async (trx) =>
    (await listPolicyVersionRows(trx)).map((r) => ({
      version: r.version,
      effectiveDate: r.effective_date,
      material: r.material,
      summary: r.summary,
      newPurposes: r.new_purposes,
      publishedAt: r.published_at.toISOString(),
      notified: r.notified,
    })),
  );

/**
 * Why the loaded file can or cannot be published now: `ready` (a newer version with a change-log entry), `published`
 * (already live), `older` (behind what is live), `other-policy` (a different policy is live), `no-change-entry`.
 */
export type PublishState = 'ready' | 'published' | 'older' | 'other-policy' | 'no-change-entry';

/**
 * What the staff "Privacy notice" screen shows: the loaded file, every published version, whether the file can be
 * published, and how many people a material change notice would reach today.
 */
export const describePolicyPublishing = (deps: Pick<Kernel, 'db' | 'policyFile'>) =>
  deps.db.system(async (trx) => {
    const { file } = deps.policyFile;
    const named = (ids: readonly string[]) => ids.map((id) => ({ id, name: nameOf(file.purposes, id) }));
    const latest = await latestPolicyVersion(trx);
    const rows = await listPolicyVersionRows(trx);
    const change = file.changes.find((c) => c.version === file.version);
    const state: PublishState =
      latest && latest.policy_id !== file.id
        ? 'other-policy'
        : latest && latest.version === file.version
          ? 'published'
          : latest && latest.version > file.version
            ? 'older'
            : change
              ? 'ready'
              : 'no-change-entry';

    return {
      loaded: {
        id: file.id,
        title: file.title,
        version: file.version,
        effectiveDate: file.effectiveDate,
        change: change
          ? { material: change.material, summary: change.summary, newPurposes: named(change.newPurposes) }
          : null,
      },
      publishState: state,
      publishedPolicyId: latest?.policy_id ?? null,
      recipients: await countActiveUsers(trx),
      versions: rows.map((r) => ({
        version: r.version,
        effectiveDate: r.effective_date,
        material: r.material,
        summary: r.summary,
        newPurposes: named(r.new_purposes),
        publishedAt: r.published_at.toISOString(),
        notified: r.notified,
      })),
    };
  });

export type PublishedVersion = { file: PolicyFile; previous: { version: number; changes: PolicyChange[] } | null };

export const readPolicyVersion = (deps: Pick<Kernel, 'db'>, version: number): Promise<PublishedVersion> =>
  deps.db.system(async (trx) => {
    const row = await getPolicyVersionRow(trx, version);
    if (!row) throw new AppError('NOT_FOUND', `No published version ${version}`);
    const file = parsePolicy(row.content, `version ${version}`);
    const before = await previousPolicyVersionRow(trx, version);
    const previous = before
      ? {
          version: before.version,
          changes: diffPolicies(parsePolicy(before.content, `version ${before.version}`), file),
        }
      : null;

    return { file, previous };
  });

/**
 * Records the first version on a fresh installation, without mailing anyone: it is the notice people signed up
 * under. Later versions go through `publishPolicy`.
 */
export const ensureBaselineVersion = async (deps: Pick<Kernel, 'db' | 'clock' | 'policyFile'>) =>
  deps.db.system(async (trx) => {
    if (await latestPolicyVersion(trx)) return false;
    const { file, source } = deps.policyFile;
    const change = file.changes.find((c) => c.version === file.version);
    await insertPolicyVersion(trx, {
      version: file.version,
      policyId: file.id,
      effectiveDate: file.effectiveDate,
      content: source,
      sha256: crypto.createHash('sha256').update(source).digest('hex'),
      material: false,
      summary: change?.summary ?? '',
      newPurposes: [],
      publishedAt: deps.clock.now(),
      publishedBy: null,
    });

    return true;
  });

/** A person's yes or no to a purpose a notice version added; only such purposes can be agreed to. */
export const recordPolicyAgreement = async (
  deps: Pick<Kernel, 'db' | 'clock' | 'policy'>,
  input: { accountId: string; subjectId: string; purpose: string; agreed: boolean; actor: Actor },
) => {
  const introduced = deps.policy.newPurposes?.[input.purpose];
  if (!introduced) {
    throw new AppError('VALIDATION_FAILED', `"${input.purpose}" is not a new purpose awaiting agreement`, {
      fields: { purpose: 'not a new purpose' },
    });
  }
  await deps.db.tenant(input.accountId, async (trx) => {
    await insertPolicyAgreement(trx, { ...input, version: introduced.version, recordedAt: deps.clock.now() });
    await recordAudit(trx, deps.clock, {
      accountId: input.accountId,
      actor: input.actor,
      action: input.agreed ? 'policy.purpose_agreed' : 'policy.purpose_declined',
      entity: 'policy_agreement',
      subjectId: input.subjectId,
      purpose: input.purpose,
      details: { version: introduced.version },
    });
  });
};

/** Agreements are data about a person: they are exported with, and erased with, the rest. */
export const policyAgreementsSource: SubjectDataSource = {
  name: 'policy_agreements',
  export: (_deps, trx: Trx, subjectId) =>
    trx
      .selectFrom('policy_agreements')
      .select(['purpose', 'version', 'agreed', 'recorded_at'])
      .where('subject_id', '=', subjectId)
      .orderBy('recorded_at')
      .execute(),
  erase: async (trx: Trx, subjectId) =>
    Number(
      (await trx.deleteFrom('policy_agreements').where('subject_id', '=', subjectId).executeTakeFirst()).numDeletedRows,
    ),
};
