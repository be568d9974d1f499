/**
 * @module Where sealed file bytes live. Only ciphertext ever reaches a storage adapter; the key stays in the
 * database (wrapped), so a copied folder or bucket is unreadable on its own.
 *
 * The local adapter writes `DATA_DIR/files/<accountId>/<fileId>` atomically and durably, mode 0600: a temporary
 * file, flushed to disk, renamed into place, and the folder flushed too, all before `put` resolves. The caller
 * answers "stored" (and commits the row pointing at the file) only after that, so a crash a moment later loses
 * nothing that was acknowledged.
 * With `S3_URL` set, `fileStorageFor` returns the S3-compatible adapter of `s3-storage.ts` instead.
 *
 * @example
 * const storage = localFileStorage(path.join(dataDir, 'files'))
 * await storage.put(`${accountId}/${fileId}`, sealedBytes)
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../kernel/config.ts';
import { s3FileStorage } from './s3-storage.ts';

export type FileStorage = {
  put(key: string, sealed: Buffer): Promise<void>;
  /** The sealed bytes, or null when nothing is stored under the key. */
  get(key: string): Promise<Buffer | null>;
  /** Removes the object; removing what is not there is not an error. */
  delete(key: string): Promise<void>;
};

const SAFE_KEY = /^[0-9a-f-]{36}\/[0-9a-f-]{36}$/;

export const localFileStorage = (root: string): FileStorage => {
  const where = (key: string) => {
    if (!SAFE_KEY.test(key)) throw new Error('Invalid storage key');

    return path.join(root, key);
  };

  return {
    put: async (key, sealed) => {
      const file = where(key);
      await fs.promises.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      await writeDurably(file, sealed);
    },
    get: async (key) => {
      try {
        return await fs.promises.readFile(where(key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    delete: async (key) => {
      await fs.promises.rm(where(key), { force: true });
    },
  };
};

/**
 * Writes `bytes` to `file` so that after `writeDurably` resolves, the whole file is on disk under its name, even
 * through a power cut: the bytes are synced before the rename (or a crash could leave the name pointing at an empty
 * file) and the folder after it (or the rename itself could be lost).
 */
export const writeDurably = async (file: string, bytes: Uint8Array) => {
  const temporary = `${file}.${crypto.randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await fs.promises.open(temporary, 'w', 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(temporary, file);
  } catch (error) {
    // Nothing half-written is left under either name.
    await fs.promises.rm(temporary, { force: true });
    throw error;
  }
  const folder = await fs.promises.open(path.dirname(file), 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
};

const byConfig = new WeakMap<Config, FileStorage>();

/** The storage for a running configuration (one adapter per config object): S3 when `S3_URL` is set. */
export const fileStorageFor = (config: Config): FileStorage => {
  let storage = byConfig.get(config);
  if (!storage) {
    storage = config.s3 ? s3FileStorage(config.s3) : localFileStorage(path.join(config.dataDir, 'files'));
    byConfig.set(config, storage);
  }

  return storage;
};
