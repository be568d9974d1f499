/**
 * @module Logging a post item received for a client (AS-1): the item gets its own data key (key id = item id), its
 * sender and tracking number are sealed under it, the scan (PDF, JPEG or PNG, checked by content) is sealed under it
 * and stored, search terms are written, and the first lifecycle event (`received`) is recorded with who logged it.
 * The same idempotency key twice records one item. If anything fails, nothing stays: the transaction rolls back and
 * the stored bytes are removed.
 *
 * @example
 * const receipt = await logPostItem(kernel, { accountId, actor, sender: 'HMRC', itemType: 'letter',
 *   receivedAt: new Date(), idempotencyKey, scan: { bytes, declaredType: 'application/pdf' } })
 */
import crypto from 'node:crypto';
import { discardStoredFile, requireAllowedMediaType, storeFile } from '../files/files.ts';
import { type Actor, recordAudit } from '../kernel/audit/audit.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { requirePurpose } from '../kernel/policy/policy.ts';
import { searchTerms } from '../kernel/search-terms.ts';
import { insertSearchTerms } from '../messages/message-repository.ts';
import { findPostByIdempotencyKey, insertPostEvent, insertPostItem } from './post-repository.ts';

export const POST_PURPOSE = 'service_delivery';

type Deps = Pick<Kernel, 'db' | 'vault' | 'clock' | 'policy' | 'config'>;

export type LogPostItem = {
  accountId: string;
  actor: Actor & { id: string };
  receivedAt?: Date | undefined;
  sender: string;
  itemType: 'letter' | 'parcel' | 'recorded' | 'legal';
  trackingNumber?: string | undefined;
  idempotencyKey: string;
  scan?: { bytes: Buffer; declaredType?: string | undefined } | undefined;
};

export type PostReceipt = { postItemId: string; fileId: string | null; replayed: boolean };

const UNIQUE_VIOLATION = '23505';

export const logPostItem = async (deps: Deps, input: LogPostItem): Promise<PostReceipt> => {
  // Before anything is written: a mislabelled file leaves no trace.
  const mediaType = input.scan ? requireAllowedMediaType(input.scan.bytes, input.scan.declaredType) : null;
  let storedKey: string | null = null;
  try {
    return await deps.db.tenant(input.accountId, async (trx) => {
      const earlier = await findPostByIdempotencyKey(trx, input.accountId, input.idempotencyKey);
      if (earlier) return replay(trx, earlier.id);
      await requirePurpose(trx, deps.policy, {
        accountId: input.accountId,
        subjectId: null,
        purpose: POST_PURPOSE,
        operation: 'use',
      });
      const id = crypto.randomUUID();
      const now = deps.clock.now();
      await deps.vault.createKey(trx, input.accountId, id, deps.clock);
      await insertPostItem(trx, {
        id,
        accountId: input.accountId,
        senderSubjectId: null,
        sender: await deps.vault.seal(trx, id, 'post_items.sender', input.sender),
        itemType: input.itemType,
        trackingNumber: await deps.vault.sealNullable(trx, id, 'post_items.tracking_number', input.trackingNumber),
        receivedAt: input.receivedAt ?? now,
        loggedBy: input.actor.id,
        idempotencyKey: input.idempotencyKey,
        createdAt: now,
      });
      await insertPostEvent(trx, {
        accountId: input.accountId,
        postItemId: id,
        status: 'received',
        at: now,
        byUser: input.actor.id,
      });
      await insertSearchTerms(
        trx,
        input.accountId,
        'post',
        id,
        searchTerms(deps.vault, input.accountId, [input.sender, input.trackingNumber]),
      );
      let fileId: string | null = null;
      if (input.scan && mediaType) {
        const stored = await storeFile(deps, trx, {
          accountId: input.accountId,
          ownerKind: 'post_item',
          ownerId: id,
          keyId: id,
          bytes: input.scan.bytes,
          mediaType,
        });
        storedKey = stored.storageKey;
        fileId = stored.fileId;
      }
      await recordAudit(trx, deps.clock, {
        accountId: input.accountId,
        actor: input.actor,
        action: 'post.create',
        entity: 'post_item',
        entityId: id,
        fields: ['sender', ...(input.trackingNumber ? ['tracking_number'] : []), ...(fileId ? ['scan'] : [])],
        purpose: POST_PURPOSE,
        details: { itemType: input.itemType, ...(fileId ? { mediaType, bytes: input.scan?.bytes.length ?? 0 } : {}) },
      });

      return { postItemId: id, fileId, replayed: false };
    });
  } catch (error) {
    if (storedKey) await discardStoredFile(deps, storedKey).catch(() => null);
    if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;

    return deps.db.tenant(input.accountId, async (trx) => {
      const earlier = await findPostByIdempotencyKey(trx, input.accountId, input.idempotencyKey);
      if (!earlier) throw error;

      return replay(trx, earlier.id);
    });
  }
};

const replay = async (trx: Parameters<Parameters<Deps['db']['tenant']>[1]>[0], id: string): Promise<PostReceipt> => {
  const file = await trx
    .selectFrom('stored_files')
    .select('id')
    .where('owner_kind', '=', 'post_item')
    .where('owner_id', '=', id)
    .executeTakeFirst();

  return { postItemId: id, fileId: file?.id ?? null, replayed: true };
};
