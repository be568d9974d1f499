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

/**
 * Where one sheet column's cell comes from, in a row of the batch (`RenderJob.rows`): a plain value (a date
 * column holds epoch milliseconds); a sealed field, whose row value is its length in `sealed` (null: no value;
 * the values lie in `sealed` row by row, in column order) and whose `field` is bound as associated data; or a
 * part (0 name, 1 phone, 2 e-mail) of the caller whose id the row holds.
 */
export type JobCell =
  | { value: number; date: boolean }
  | { sealed: number; field: string }
  | { caller: number; part: 0 | 1 | 2 };

/**
 * A batch of rows for a worker, as PostgreSQL packed it (see `export-repository.ts`): the rows as JSON lines,
 * sealed values as one buffer, keys as (16-byte key id, 32-byte key) pairs, and the batch's callers already opened
 * (id, name, phone, e-mail, one after another): a few values to clone or transfer instead of thousands.
 */
export type RenderJob = {
  cells: JobCell[];
  firstRow: number;
  count: number;
  rows: string;
  sealed: Uint8Array;
  keys: Uint8Array;
  callers: (string | null)[];
};

export type RenderRequest = { id: number; job: RenderJob };
export type RenderReply = { id: number; xml: Uint8Array } | { id: number; error: string };

export const KEY_ID_BYTES = 16;
export const KEY_BYTES = 32;

/** `bytes` in a buffer of its own (not a slice of Node's shared pool, or of a larger buffer), so it can be transferred. */
export const ownBuffer = (bytes: Uint8Array | null): Uint8Array => {
  if (!bytes) return new Uint8Array(0);
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes;
  const own = new Uint8Array(bytes.byteLength);
  own.set(bytes);

  return own;
};

/** Packs data keys for a job: `count` pairs written by `put(id, key)` (id: the 16 bytes of a uuid, or its text). */
export const keyPacker = (count: number) => {
  const packed = new Uint8Array(count * (KEY_ID_BYTES + KEY_BYTES));
  const view = Buffer.from(packed.buffer);
  let k = 0;

  return {
    put: (id: string | Uint8Array, key: Uint8Array) => {
      if (typeof id === 'string') view.write(id.replace(/-/g, ''), k, KEY_ID_BYTES, 'hex');
      else view.set(id, k);
      view.set(key, k + KEY_ID_BYTES);
      k += KEY_ID_BYTES + KEY_BYTES;
    },
    /** The pairs written so far, in a buffer of their own. */
    done: () => ownBuffer(packed.subarray(0, k)),
  };
};

/** Two workers at most: the main thread, the database and deflate need the rest of a small machine. */
const defaultSize = () => Math.max(1, Math.min(2, os.availableParallelism()));

export const createRenderPool = (size = defaultSize()) => {
  type Task = { job: RenderJob; resolve: (xml: Uint8Array) => void; reject: (error: Error) => void };
  // A job goes to the first worker to be free, one at a time: sent to the least busy one instead, it queued behind
  // a longer batch while the other worker idled (one worker did two thirds of an export).
  const queue: Task[] = [];
  let failed: Error | null = null;
  const failAll = (error: Error) => {
    failed ??= error;
    for (const w of workers) {
      w.task?.reject(error);
      w.task = null;
    }
    for (const task of queue.splice(0)) task.reject(error);
  };
  const workers = Array.from({ length: size }, () => {
    const worker = new Worker(new URL('./render-worker.ts', import.meta.url), {
      // A small young generation keeps the garbage of opened values and XML (most of what a worker allocates) from
      // growing the process; the old generation holds little more than the batch in hand.
      resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 128 },
    });
    const slot: { worker: Worker; task: Task | null } = { worker, task: null };
    worker.on('message', (reply: RenderReply) => {
      const task = slot.task;
      if (!task) return;
      slot.task = null;
      if ('error' in reply) task.reject(new AppError('INTERNAL', reply.error));
      else task.resolve(reply.xml);
      pump();
    });
    worker.on('error', () => failAll(new AppError('INTERNAL', 'Export worker failed')));
    worker.on('exit', () => failAll(new AppError('INTERNAL', 'Export worker stopped')));

    return slot;
  });
  let nextId = 0;
  const pump = () => {
    for (const slot of workers) {
      const task = slot.task === null ? queue.shift() : undefined;
      if (!task) continue;
      slot.task = task;
      const request: RenderRequest = { id: nextId, job: task.job };
      nextId += 1;
      slot.worker.postMessage(request, [task.job.sealed.buffer as ArrayBuffer, task.job.keys.buffer as ArrayBuffer]);
    }
  };

  return {
    size,
    /** Renders a job on the first free worker; resolves to the rows' XML, UTF-8. */
    render: (job: RenderJob): Promise<Uint8Array> =>
      new Promise<Uint8Array>((resolve, reject) => {
        if (failed) return reject(failed);
        queue.push({ job, resolve, reject });
        pump();
      }),
    close: async () => {
      await Promise.all(workers.map((w) => w.worker.terminate()));
    },
  };
};

export type RenderPool = ReturnType<typeof createRenderPool>;
