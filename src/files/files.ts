/**
 * @module Encrypted file storage for scans and photos: the content type is read from the bytes (magic numbers), the
 * bytes are sealed with AES-256-GCM under the owning item's key, stored through a `FileStorage` adapter, and
 * described by a `stored_files` row in the same transaction as the item.
 *
 * @example
 * const mediaType = requireAllowedMediaType(bytes) // throws 415 for anything but PDF, JPEG, PNG
 * const { fileId } = await storeFile(kernel, trx, { accountId, ownerKind: 'post_item', ownerId: itemId, keyId: itemId, bytes, mediaType })
 * const file = await readFile(kernel, trx, fileId) // { mediaType, bytes } or null when the key is destroyed
 */
import crypto from 'node:crypto';
import type { Trx } from '../kernel/db/database.ts';
import { AppError } from '../kernel/errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { fileStorageFor } from './file-storage.ts';

type Deps = Pick<Kernel, 'vault' | 'clock' | 'config'>;

export const ALLOWED_MEDIA_TYPES = ['application/pdf', 'image/jpeg', 'image/png'] as const;
export type AllowedMediaType = (typeof ALLOWED_MEDIA_TYPES)[number];

const SEALED_FIELD = 'stored_files.content';

/** The media type the bytes really are, whatever the file is called; null for anything else. */
export const detectMediaType = (bytes: Buffer): AllowedMediaType | null => {
  if (bytes.length >= 5 && bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';

  return null;
};

export const requireAllowedMediaType = (bytes: Buffer, declared?: string): AllowedMediaType => {
  const actual = detectMediaType(bytes);
  if (!actual) {
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      'The file is not a PDF, JPEG or PNG (checked by its content, not its name)',
      {
        fields: { file: 'must be a PDF, JPEG or PNG' },
        declared: declared ?? null,
      },
    );
  }

  return actual;
};

export type StoreFile = {
  accountId: string;
  ownerKind: 'post_item';
  ownerId: string;
  /** The key the bytes are sealed under: for post, the item's own key (key id = item id). */
  keyId: string;
  bytes: Buffer;
  mediaType: AllowedMediaType;
};

/**
 * Seals and writes the bytes, then records them. Call inside the owning item's transaction; if that transaction
 * fails the caller must `discardStoredFile` the returned storage key (the bytes are unreadable anyway).
 */
export const storeFile = async (deps: Deps, trx: Trx, input: StoreFile) => {
  const fileId = crypto.randomUUID();
  const storageKey = `${input.accountId}/${fileId}`;
  const sealed = await deps.vault.sealBytes(trx, input.keyId, SEALED_FIELD, input.bytes);
  await fileStorageFor(deps.config).put(storageKey, sealed);
  await trx
    .insertInto('stored_files')
    .values({
      id: fileId,
      account_id: input.accountId,
      owner_kind: input.ownerKind,
      owner_id: input.ownerId,
      key_id: input.keyId,
      media_type: input.mediaType,
      size_bytes: input.bytes.length,
      storage_key: storageKey,
      created_at: deps.clock.now(),
    })
    .execute();

  return { fileId, storageKey };
};

export const discardStoredFile = (deps: Pick<Kernel, 'config'>, storageKey: string) =>
  fileStorageFor(deps.config).delete(storageKey);

export type StoredFileMeta = { id: string; mediaType: string; sizeBytes: number; createdAt: string };

export const listFilesFor = async (
  trx: Trx,
  ownerKind: 'post_item',
  ownerIds: readonly string[],
): Promise<Map<string, StoredFileMeta[]>> => {
  const out = new Map<string, StoredFileMeta[]>();
  if (ownerIds.length === 0) return out;
  const rows = await trx
    .selectFrom('stored_files')
    .select(['id', 'owner_id', 'media_type', 'size_bytes', 'created_at'])
    .where('owner_kind', '=', ownerKind)
    .where('owner_id', 'in', ownerIds)
    .orderBy('created_at')
    .execute();
  for (const r of rows) {
    const list = out.get(r.owner_id) ?? [];
    list.push({ id: r.id, mediaType: r.media_type, sizeBytes: r.size_bytes, createdAt: r.created_at.toISOString() });
    out.set(r.owner_id, list);
  }

  return out;
};

/**
 * Decrypts a stored file (for 4B's portal preview and exports). Null when there is no such file in the tenant's
 * view, its bytes are gone, or its key has been destroyed. Audit the view at the call site.
 */
export const readFile = async (
  deps: Pick<Kernel, 'vault' | 'config'>,
  trx: Trx,
  fileId: string,
): Promise<{ id: string; ownerKind: 'post_item'; ownerId: string; mediaType: string; bytes: Buffer } | null> => {
  const row = await trx.selectFrom('stored_files').selectAll().where('id', '=', fileId).executeTakeFirst();
  if (!row) return null;
  const sealed = await fileStorageFor(deps.config).get(row.storage_key);
  if (!sealed) return null;
  const bytes = await deps.vault.openBytes(trx, sealed, SEALED_FIELD);
  if (!bytes) return null;

  return { id: row.id, ownerKind: row.owner_kind, ownerId: row.owner_id, mediaType: row.media_type, bytes };
};

/** Deletes the rows and the stored bytes of an owner's files (delete-all, erasure); returns how many. */
export const deleteFilesFor = async (
  deps: Pick<Kernel, 'config'>,
  trx: Trx,
  ownerKind: 'post_item',
  ownerIds: readonly string[],
) => {
  if (ownerIds.length === 0) return 0;
  const rows = await trx
    .deleteFrom('stored_files')
    .where('owner_kind', '=', ownerKind)
    .where('owner_id', 'in', ownerIds)
    .returning('storage_key')
    .execute();
  const storage = fileStorageFor(deps.config);
  for (const r of rows) await storage.delete(r.storage_key);

  return rows.length;
};
