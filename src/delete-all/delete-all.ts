/**
 * @module AS-4, "Delete all data": the owner, after typing the confirmation, removes every phone message, post item,
 * scan, search term, read marker and notification log line of the account, with the callers and senders they were
 * about, and destroys their data keys so no backup copy of the ciphertext can be read. What stays is an audit
 * tombstone of counts and ids-only ledger lines. The account itself, its users and their own keys remain (it is not
 * closed), and it works during a free trial. The owner gets a receipt by e-mail.
 *
 * @example
 * await deleteAllData(kernel, { owner, confirmation: 'DELETE ALL DATA' })
 */
import { sql } from 'kysely';
import type { ClientUser } from '../colleagues/colleague-access.ts';
import { fileStorageFor } from '../files/file-storage.ts';
import { recordAudit } from '../kernel/audit/audit.ts';
import { AppError } from '../kernel/errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { sendServiceMail } from '../notifications/notifications.ts';
import { removeAccountFiles } from '../portal/scan-files.ts';

export const DELETE_ALL_CONFIRMATION = 'DELETE ALL DATA';

type Deps = Pick<Kernel, 'db' | 'clock' | 'vault' | 'mailer' | 'config'>;

export type DeleteAllCounts = {
  phoneMessages: number;
  postItems: number;
  files: number;
  people: number;
  keys: number;
  searchTerms: number;
  readMarkers: number;
  notifications: number;
};

export const deleteAllData = async (deps: Deps, input: { owner: ClientUser; confirmation: string }) => {
  const { owner } = input;
  if (owner.role !== 'owner') throw new AppError('FORBIDDEN', 'Only the account owner can delete all data');
  if (input.confirmation.trim() !== DELETE_ALL_CONFIRMATION) {
    throw new AppError('VALIDATION_FAILED', `Type ${DELETE_ALL_CONFIRMATION} to confirm`, {
      fields: { confirmation: `type ${DELETE_ALL_CONFIRMATION}` },
    });
  }
  const at = deps.clock.now();
  const { counts, storageKeys } = await deps.db.tenant(owner.accountId, async (trx) => {
    const n = (r: { numDeletedRows: bigint } | undefined) => Number(r?.numDeletedRows ?? 0);
    // The people these items are about: callers and senders (never the account's own users or staff-noted contacts).
    const people = (
      await trx.selectFrom('subjects').select('id').where('kind', 'in', ['caller', 'sender']).execute()
    ).map((r) => r.id);
    const postIds = (await trx.selectFrom('post_items').select('id').execute()).map((r) => r.id);
    const files = await trx.deleteFrom('stored_files').returning(['key_id', 'storage_key']).execute();
    const fileKeyIds = files.map((f) => f.key_id);
    const counts: DeleteAllCounts = {
      searchTerms: n(await trx.deleteFrom('item_search_terms').executeTakeFirst()),
      readMarkers: n(await trx.deleteFrom('item_reads').executeTakeFirst()),
      notifications: n(await trx.deleteFrom('notifications').executeTakeFirst()),
      files: files.length,
      postItems: 0,
      phoneMessages: 0,
      people: 0,
      keys: 0,
    };
    await trx.deleteFrom('post_events').execute();
    counts.postItems = n(await trx.deleteFrom('post_items').executeTakeFirst());
    counts.phoneMessages = n(await trx.deleteFrom('phone_messages').executeTakeFirst());
    if (people.length > 0) {
      await trx.deleteFrom('processing_controls').where('subject_id', 'in', people).execute();
      await trx.deleteFrom('policy_agreements').where('subject_id', 'in', people).execute();
      // Contact notes about a caller go with the caller: nothing about them may outlive their key.
      await trx.deleteFrom('contact_notes').where('subject_id', 'in', people).execute();
      counts.people = n(await trx.deleteFrom('subjects').where('id', 'in', people).executeTakeFirst());
      await trx
        .insertInto('erasure_ledger')
        .values(
          people.map((id) => ({ subject_id: id, account_id: owner.accountId, erased_at: at, reason: 'delete_all' })),
        )
        .onConflict((oc) => oc.column('subject_id').doNothing())
        .execute();
    }
    const keyIds = [...new Set([...people, ...postIds, ...fileKeyIds])];
    for (let i = 0; i < keyIds.length; i += 5_000) {
      const chunk = keyIds.slice(i, i + 5_000);
      counts.keys += n(await trx.deleteFrom('subject_keys').where('subject_id', 'in', chunk).executeTakeFirst());
    }
    for (const id of keyIds) await deps.vault.destroyKey(trx, id).catch(() => null);
    await recordAudit(trx, deps.clock, {
      accountId: owner.accountId,
      actor: { id: owner.id, role: owner.role },
      action: 'account.delete_all',
      entity: 'account',
      entityId: owner.accountId,
      fields: ['phone_messages', 'post_items', 'stored_files', 'item_search_terms', 'subjects'],
      purpose: 'legal_obligation',
      details: { ...counts },
    });
    return { counts, storageKeys: files.map((f) => f.storage_key) };
  });
  // After the commit: the keys are already gone, so a file left by a failed removal is unreadable anyway.
  const storage = fileStorageFor(deps.config);
  for (const key of storageKeys) await storage.delete(key).catch(() => null);
  await removeAccountFiles(deps.config.dataDir, owner.accountId);
  if (deps.db.kind === 'pglite') await sql`checkpoint`.execute(deps.db.kysely).catch(() => null);
  // The owner's address: users sit outside row-level security, so this is read in the system scope.
  const ownerEmail = await deps.db.system(async (trx) => {
    const self = await trx
      .selectFrom('users')
      .innerJoin('subjects', 'subjects.id', 'users.subject_id')
      .select('subjects.email')
      .where('users.id', '=', owner.id)
      .where('users.account_id', '=', owner.accountId)
      .executeTakeFirst();

    return self?.email ? deps.vault.open(trx, self.email, 'subjects.email') : null;
  });
  let receipt: 'sent' | 'failed' | 'suppressed' = 'suppressed';
  if (ownerEmail) {
    receipt = await sendServiceMail(deps, {
      accountId: owner.accountId,
      userId: owner.id,
      to: ownerEmail,
      kind: 'legal',
      logAs: 'receipt',
      subject: 'Receipt: all data of your account was deleted',
      text: [
        'As you asked, every phone message, post item and scan held for your account has been deleted,',
        'with the details of the callers and senders they were about.',
        '',
        `Deleted on: ${at.toISOString()}`,
        `Phone messages: ${counts.phoneMessages}`,
        `Post items: ${counts.postItems}`,
        `Scans and photos: ${counts.files}`,
        `Callers and senders: ${counts.people}`,
        '',
        'Their encryption keys were destroyed, so copies in backups can no longer be read.',
        'Your account stays open; nothing else changes.',
      ].join('\n'),
    });
  }

  return { deletedAt: at.toISOString(), counts, receipt };
};
