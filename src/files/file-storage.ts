/**
 * @module Where sealed file bytes live. Only ciphertext ever reaches a storage adapter; the key stays in the
 * database (wrapped), so a copied folder or bucket is unreadable on its own.
 *
 * The local adapter writes `DATA_DIR/files/<accountId>/<fileId>` atomically (temporary file, then rename), mode 0600.
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
      const temporary = `${file}.${crypto.randomBytes(6).toString('hex')}.tmp`;
      await fs.promises.writeFile(temporary, sealed, { mode: 0o600 });
      await fs.promises.rename(temporary, file);
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
