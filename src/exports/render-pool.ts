/**
 * @module Worker threads that open an XLSX export's sealed fields and render them as sheet rows. Opening a field
 * costs one AES-GCM decipher (a few µs, mostly per-call overhead), and a heavy client has close to a million of
 * them: run on the main thread, they queued behind the database (PGlite runs there too), the XML and the ZIP. Here
 * the main thread reads a batch, unwraps its data keys and hands the batch over; a worker opens and renders it and
 * gives back the rows as UTF-8 XML, which the main thread deflates into the file in order.
 *
 * Workers receive the raw data keys of each batch's rows over their MessagePort (inside this process), never the
 * master key; a key travels with its batch and is forgotten with it. A pool lives for one export and is closed
 * with it, so nothing stays behind.
 *
 * @example
 * const pool = createRenderPool()
 * try { const xml = await pool.render(job) } finally { await pool.close() }
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { AppError } from '../kernel/errors.ts';
import type { XlsxValue } from './xlsx-writer.ts';

/** One sheet column: `field` names the sealed field (bound as associated data), null for a plain value. */
export type JobColumn = { date: boolean; field: string | null };

/**
 * A batch of rows for a worker. Sealed values travel as one buffer with [start, end) bounds per row and sealed
 * column (start -1: no value), keys as (16-byte key id, 32-byte key) pairs: three transferred buffers instead of
 * thousands of small cloned ones.
 */
export type RenderJob = {
  columns: JobColumn[];
  firstRow: number;
  count: number;
  /** Plain values, row by row, in column order. */
  plain: XlsxValue[];
  sealed: Uint8Array;
  bounds: Int32Array;
  keys: Uint8Array;
};

export type RenderRequest = { id: number; job: RenderJob };
export type RenderReply = { id: number; xml: Uint8Array } | { id: number; error: string };

export const KEY_ID_BYTES = 16;
export const KEY_BYTES = 32;

/**
 * Packs rows for a worker (`firstRow` is set when it is sent). `rows` gives, per row, its plain values and its sealed values in column order; `keys`
 * maps key ids (uuids) to the raw data keys those rows were sealed under.
 */
export const packJob = (
  columns: JobColumn[],
  rows: readonly { plain: XlsxValue[]; sealed: (Buffer | null)[] }[],
  keys: ReadonlyMap<string, Buffer>,
): RenderJob => {
  const sealedColumns = columns.filter((c) => c.field !== null).length;
  let total = 0;
  for (const row of rows) for (const blob of row.sealed) total += blob?.length ?? 0;
  // allocUnsafeSlow: a buffer of its own (not a slice of Node's shared pool), so it can be transferred.
  const sealed = Buffer.allocUnsafeSlow(total);
  const bounds = new Int32Array(rows.length * sealedColumns * 2);
  const plain: XlsxValue[] = [];
  let offset = 0;
  let b = 0;
  for (const row of rows) {
    for (const value of row.plain) plain.push(value);
    for (const blob of row.sealed) {
      if (blob) {
        blob.copy(sealed, offset);
        bounds[b] = offset;
        offset += blob.length;
        bounds[b + 1] = offset;
      } else {
        bounds[b] = -1;
        bounds[b + 1] = -1;
      }
      b += 2;
    }
  }
  const packedKeys = Buffer.allocUnsafeSlow(keys.size * (KEY_ID_BYTES + KEY_BYTES));
  let k = 0;
  for (const [id, key] of keys) {
    packedKeys.write(id.replace(/-/g, ''), k, KEY_ID_BYTES, 'hex');
    key.copy(packedKeys, k + KEY_ID_BYTES);
    k += KEY_ID_BYTES + KEY_BYTES;
  }

  return { columns, firstRow: 0, count: rows.length, plain, sealed, bounds, keys: packedKeys };
};

/** Two workers at most: the main thread, the database and deflate need the rest of a small machine. */
const defaultSize = () => Math.max(1, Math.min(2, os.availableParallelism()));

export const createRenderPool = (size = defaultSize()) => {
  type Pending = { resolve: (xml: Uint8Array) => void; reject: (error: Error) => void };
  const workers = Array.from({ length: size }, () => {
    const worker = new Worker(new URL('./render-worker.ts', import.meta.url), {
      // A small young generation keeps the garbage of opened values and XML (most of what a worker allocates) from
      // growing the process; the old generation holds little more than the batch in hand.
      resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 128 },
    });
    const pending = new Map<number, Pending>();
    const failAll = (error: Error) => {
      for (const p of pending.values()) p.reject(error);
      pending.clear();
    };
    worker.on('message', (reply: RenderReply) => {
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if ('error' in reply) p.reject(new AppError('INTERNAL', reply.error));
      else p.resolve(reply.xml);
    });
    worker.on('error', () => failAll(new AppError('INTERNAL', 'Export worker failed')));
    worker.on('exit', () => failAll(new AppError('INTERNAL', 'Export worker stopped')));

    return { worker, pending };
  });
  let nextId = 0;

  return {
    size,
    /** Renders a job on the least busy worker; resolves to the rows' XML, UTF-8. */
    render: (job: RenderJob): Promise<Uint8Array> => {
      const target = workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
      const id = nextId;
      nextId += 1;

      return new Promise<Uint8Array>((resolve, reject) => {
        target.pending.set(id, { resolve, reject });
        const request: RenderRequest = { id, job };
        target.worker.postMessage(request, [
          job.sealed.buffer as ArrayBuffer,
          job.bounds.buffer as ArrayBuffer,
          job.keys.buffer as ArrayBuffer,
        ]);
      });
    },
    close: async () => {
      await Promise.all(workers.map((w) => w.worker.terminate()));
    },
  };
};

export type RenderPool = ReturnType<typeof createRenderPool>;
