/**
 * @module Per-subject data keys: created with the subject, cached in memory, destroyed on erasure. Destroying a
 * key makes every value sealed under it unreadable (crypto-shredding).
 *
 * @example
 * const vault = createVault({ keyring })
 * await vault.createKey(trx, accountId, subjectId)
 * const blob = await vault.seal(trx, subjectId, 'contact_notes.body', 'Called about the lease')
 * await vault.open(trx, blob, 'contact_notes.body') // 'Called about the lease'
 */
import type { Clock } from '../clock.ts';
import type { Trx } from '../db/database.ts';
import { AppError } from '../errors.ts';
import {
  type BlindIndexKind,
  blindIndex,
  keyIdOf,
  newDataKey,
  openBytes,
  openField,
  sealBytes,
  sealField,
  unwrapKey,
  wrapKey,
} from './cipher.ts';
import type { Keyring } from './keyring.ts';

export type Vault = {
  createKey(trx: Trx, accountId: string, subjectId: string, clock: Clock): Promise<void>;
  /** A new data key for the subject, ready to seal with at once; the caller inserts the row (with others at once). */
  newKey(accountId: string, subjectId: string, clock: Clock): SubjectKeyRow;
  seal(trx: Trx, subjectId: string, field: string, plaintext: string): Promise<Buffer>;
  sealNullable(
    trx: Trx,
    subjectId: string,
    field: string,
    plaintext: string | null | undefined,
  ): Promise<Buffer | null>;
  /** The plaintext, or null when the subject's key has been destroyed. */
  open(trx: Trx, blob: Buffer, field: string): Promise<string | null>;
  /**
   * Opens many values without a wait each: the keys of `blobs` are read up front (one query for all that are not
   * cached), and the function returned opens any of those blobs at once (null for a destroyed key or a null blob).
   *
   * @example
   * const open = await vault.openerFor(trx, rows.map((r) => r.body))
   * const bodies = rows.map((r) => open(r.body, 'phone_messages.body'))
   */
  openerFor(trx: Trx, blobs: Iterable<Buffer | null>): Promise<Opener>;
  /** Binary content (a scan) sealed under a key; the key id is usually a subject's, or an item's for post. */
  sealBytes(trx: Trx, keyId: string, field: string, plaintext: Buffer): Promise<Buffer>;
  /** The bytes, or null when the key has been destroyed. */
  openBytes(trx: Trx, blob: Buffer, field: string): Promise<Buffer | null>;
  destroyKey(trx: Trx, subjectId: string): Promise<void>;
  blindIndex(kind: BlindIndexKind, scope: string, value: string): Buffer;
};

export type Opener = (blob: Buffer | null, field: string) => string | null;

export type SubjectKeyRow = {
  subject_id: string;
  account_id: string;
  kek_id: string;
  wrapped: Buffer;
  created_at: Date;
};

const CACHE_LIMIT = 20_000;

/**
 * How long an unwrapped data key is used from memory before it is read again. Another server process (or job
 * worker) that destroys a key cannot reach this cache: after this long, at the latest, this process stops opening
 * what was sealed under it too.
 */
export const KEY_CACHE_MS = 60_000;

export const createVault = ({
  keyring,
  now = () => performance.now(),
}: {
  keyring: Keyring;
  /** Milliseconds on any monotonic scale, for the cache's expiry (tests pass their own). */
  now?: () => number;
}): Vault => {
  const cache = new Map<string, { key: Buffer; until: number }>();
  // Keys destroyed by this process, never cached again: a transaction that read one before the erasure committed
  // must not put it back. Kept as long as a cached key would live (by then any such reader has finished).
  const destroyed = new Map<string, number>();

  const remember = (subjectId: string, key: Buffer) => {
    const at = now();
    const gone = destroyed.get(subjectId);
    if (gone !== undefined) {
      if (gone > at) return;
      destroyed.delete(subjectId);
    }
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(subjectId, { key, until: at + KEY_CACHE_MS });
  };

  const cached = (subjectId: string): Buffer | undefined => {
    const entry = cache.get(subjectId);
    if (!entry) return undefined;
    if (entry.until > now()) return entry.key;
    cache.delete(subjectId);

    return undefined;
  };

  const keyFor = async (trx: Trx, subjectId: string): Promise<Buffer | null> => {
    const hit = cached(subjectId);
    if (hit) return hit;
    const row = await trx
      .selectFrom('subject_keys')
      .select(['wrapped', 'kek_id'])
      .where('subject_id', '=', subjectId)
      .executeTakeFirst();
    if (!row) return null;
    if (row.kek_id !== keyring.kekId) throw new AppError('INTERNAL', 'Data key wrapped by an unknown master key');
    const key = unwrapKey(keyring.kek, row.wrapped);
    remember(subjectId, key);

    return key;
  };

  const openerFor: Vault['openerFor'] = async (trx, blobs) => {
    // Keyed by the key id's bytes in hex, which is cheaper to take from each blob than its uuid form.
    const keys = new Map<string, Buffer | null>();
    const missing = new Map<string, string>();
    for (const blob of blobs) {
      if (!blob) continue;
      const hex = blob.toString('hex', 1, 17);
      if (keys.has(hex) || missing.has(hex)) continue;
      const keyId = keyIdOf(blob);
      const hit = cached(keyId);
      if (hit) keys.set(hex, hit);
      else missing.set(hex, keyId);
    }
    if (missing.size > 0) {
      const rows = await trx
        .selectFrom('subject_keys')
        .select(['subject_id', 'wrapped', 'kek_id'])
        .where('subject_id', 'in', [...missing.values()])
        .execute();
      for (const row of rows) {
        if (row.kek_id !== keyring.kekId) throw new AppError('INTERNAL', 'Data key wrapped by an unknown master key');
        const key = unwrapKey(keyring.kek, row.wrapped);
        remember(row.subject_id, key);
        keys.set(row.subject_id.replaceAll('-', '').toLowerCase(), key);
      }
      for (const hex of missing.keys()) if (!keys.has(hex)) keys.set(hex, null);
    }

    return (blob, field) => {
      if (!blob) return null;
      const key = keys.get(blob.toString('hex', 1, 17));
      if (key === undefined) throw new Error(`openerFor: a blob under key ${keyIdOf(blob)} was not passed up front`);

      return key ? openField(key, blob, field) : null;
    };
  };

  const seal: Vault['seal'] = async (trx, subjectId, field, plaintext) => {
    const key = await keyFor(trx, subjectId);
    if (!key) throw new AppError('CONFLICT', 'This person has been erased');

    return sealField(key, subjectId, field, plaintext);
  };

  const newKey: Vault['newKey'] = (accountId, subjectId, clock) => {
    const key = newDataKey();
    // Remembered before the row commits: a rolled-back subject's id is random and never comes back.
    remember(subjectId, key);

    return {
      subject_id: subjectId,
      account_id: accountId,
      kek_id: keyring.kekId,
      wrapped: wrapKey(keyring.kek, key),
      created_at: clock.now(),
    };
  };

  return {
    createKey: async (trx, accountId, subjectId, clock) => {
      await trx
        .insertInto('subject_keys')
        .values(newKey(accountId, subjectId, clock))
        .execute();
    },
    newKey,
    seal,
    sealNullable: async (trx, subjectId, field, plaintext) =>
      plaintext === null || plaintext === undefined || plaintext === '' ? null : seal(trx, subjectId, field, plaintext),
    open: async (trx, blob, field) => {
      const key = await keyFor(trx, keyIdOf(blob));

      return key ? openField(key, blob, field) : null;
    },
    openerFor,
    sealBytes: async (trx, keyId, field, plaintext) => {
      const key = await keyFor(trx, keyId);
      if (!key) throw new AppError('CONFLICT', 'The key for this item has been destroyed');

      return sealBytes(key, keyId, field, plaintext);
    },
    openBytes: async (trx, blob, field) => {
      const key = await keyFor(trx, keyIdOf(blob));

      return key ? openBytes(key, blob, field) : null;
    },
    destroyKey: async (trx, subjectId) => {
      cache.delete(subjectId);
      if (destroyed.size >= CACHE_LIMIT) destroyed.delete(destroyed.keys().next().value as string);
      destroyed.set(subjectId, now() + KEY_CACHE_MS);
      await trx.deleteFrom('subject_keys').where('subject_id', '=', subjectId).execute();
    },
    blindIndex: (kind, scope, value) => blindIndex(keyring.blindIndexKey, kind, scope, value),
  };
};
