/**
 * @module The worker side of `render-pool.ts`: opens each batch's sealed values with the keys sent along with it
 * and renders the rows with the sheet writer's own `rowRenderer`, so the file is the same as one rendered on the
 * main thread. A value whose key is not among the batch's keys (its person was erased) is an empty cell, as
 * elsewhere in the export. Errors go back without their cause's text: it could name a value.
 */
import { parentPort } from 'node:worker_threads';
import { openField } from '../kernel/crypto/cipher.ts';
import { KEY_BYTES, KEY_ID_BYTES, type RenderJob, type RenderReply, type RenderRequest } from './render-pool.ts';
import { rowRenderer, type XlsxValue } from './xlsx-writer.ts';

const encoder = new TextEncoder();

/** The batch's rows as UTF-8 XML, in a buffer of its own (so it can be transferred rather than copied). */
const render = (job: RenderJob): Uint8Array => {
  const keys = new Map<string, Buffer>();
  const packedKeys = Buffer.from(job.keys.buffer, job.keys.byteOffset, job.keys.byteLength);
  for (let k = 0; k < packedKeys.length; k += KEY_ID_BYTES + KEY_BYTES)
    keys.set(
      packedKeys.toString('latin1', k, k + KEY_ID_BYTES),
      packedKeys.subarray(k + KEY_ID_BYTES, k + KEY_ID_BYTES + KEY_BYTES),
    );
  const sealed = Buffer.from(job.sealed.buffer, job.sealed.byteOffset, job.sealed.byteLength);
  const open = (start: number, end: number, field: string): string | null => {
    if (start < 0) return null;
    const blob = sealed.subarray(start, end);
    const key = keys.get(blob.toString('latin1', 1, 1 + KEY_ID_BYTES));

    return key ? openField(key, blob, field) : null;
  };
  const row = rowRenderer(job.columns);
  const values: XlsxValue[] = new Array(job.columns.length);
  // Each row is encoded as soon as it is rendered: its strings die young, where collecting them is cheap, instead
  // of a batch of them living long enough to be copied and promoted.
  let xml = new Uint8Array(256 * 1024);
  let length = 0;
  let p = 0;
  let b = 0;
  for (let r = 0; r < job.count; r += 1) {
    for (let c = 0; c < job.columns.length; c += 1) {
      const column = job.columns[c] as RenderJob['columns'][number];
      if (column.field === null) {
        values[c] = job.plain[p];
        p += 1;
      } else {
        values[c] = open(job.bounds[b] as number, job.bounds[b + 1] as number, column.field);
        b += 2;
      }
    }
    const text = row(job.firstRow + r, values);
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    if (xml.length - length < text.length * 3) {
      const grown = new Uint8Array(Math.max(xml.length * 2, length + text.length * 3));
      grown.set(xml.subarray(0, length));
      xml = grown;
    }
    length += encoder.encodeInto(text, xml.subarray(length)).written;
  }

  return xml.slice(0, length);
};

parentPort?.on('message', ({ id, job }: RenderRequest) => {
  let reply: RenderReply;
  try {
    const xml = render(job);
    reply = { id, xml };
    parentPort?.postMessage(reply, [xml.buffer as ArrayBuffer]);
  } catch {
    reply = { id, error: 'A sealed value of the export could not be opened' };
    parentPort?.postMessage(reply);
  }
});
