import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { localFileStorage, writeDurably } from './file-storage.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-file-storage-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** FileHandle is not exported by Node; its prototype is reached through a handle. */
const fileHandlePrototype = async () => {
  const handle = await fs.promises.open(fileURLToPath(import.meta.url), 'r');
  await handle.close();

  return Object.getPrototypeOf(handle) as { sync: () => Promise<void> };
};

describe('local file storage', () => {
  it('flushes the bytes before the file takes its name, then the folder, before it resolves', async () => {
    const file = path.join(root, 'durable.bin');
    const events: string[] = [];
    const proto = await fileHandlePrototype();
    const sync = proto.sync;
    vi.spyOn(proto, 'sync').mockImplementation(async function (this: unknown) {
      events.push(fs.existsSync(file) ? 'sync after rename' : 'sync before rename');

      return sync.call(this);
    });
    await writeDurably(file, Buffer.from('sealed bytes'));

    expect(events).toEqual(['sync before rename', 'sync after rename']);
    expect(fs.readFileSync(file, 'utf8')).toBe('sealed bytes');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(root).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('leaves neither the file nor a temporary one behind when the bytes cannot be flushed', async () => {
    const file = path.join(root, 'failed.bin');
    const proto = await fileHandlePrototype();
    vi.spyOn(proto, 'sync').mockRejectedValue(Object.assign(new Error('EIO'), { code: 'EIO' }));

    await expect(writeDurably(file, Buffer.from('x'))).rejects.toThrow('EIO');
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.readdirSync(root).filter((f) => f.startsWith('failed.bin'))).toEqual([]);
  });

  it('stores, reads back and deletes under an account/file key, and refuses any other key', async () => {
    const storage = localFileStorage(root);
    const key = '3f2b1c1e-8a4d-4b5e-9c6f-0a1b2c3d4e5f/7e6d5c4b-3a29-4817-a6f5-e4d3c2b1a090';
    await storage.put(key, Buffer.from('ciphertext'));
    expect((await storage.get(key))?.toString()).toBe('ciphertext');
    await storage.delete(key);
    expect(await storage.get(key)).toBeNull();
    await expect(storage.put('../escape', Buffer.from('x'))).rejects.toThrow('Invalid storage key');
  });
});
