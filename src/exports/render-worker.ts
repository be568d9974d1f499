/**
 * @module The worker side of `render-pool.ts`: reads each batch's rows (JSON lines, as the database packed them),
 * opens their sealed values with the keys sent along with it and renders the rows with the sheet writer's own
 * `rowRenderer`, so the file is the same as one rendered on the main thread. A value whose key is not among the batch's keys (its person was erased) is an empty cell, as
 * elsewhere in the export. Errors go back without their cause's text: it could name a value.
 */
import { parentPort } from 'node:worker_threads';
import { openField } from '../kernel/crypto/cipher.ts';
import {
  type JobCell,
  KEY_BYTES,
  KEY_ID_BYTES,
  type RenderJob,
  type RenderReply,
  type RenderRequest,
} from './render-pool.ts';
import { excelDays, rowRenderer, type XlsxValue } from './xlsx-writer.ts';

const encoder = new TextEncoder();

type JsonValue = string | number | boolean | null;

/** The batch's rows as UTF-8 XML, in a buffer of its own (so it can be transferred rather than copied). */
const render = (job: RenderJob): Uint8Array => {
  const keys = new Map<string, Buffer>();
  const packedKeys = Buffer.from(job.keys.buffer, job.keys.byteOffset, job.keys.byteLength);
  for (let k = 0; k < packedKeys.length; k += KEY_ID_BYTES + KEY_BYTES)
    keys.set(
      packedKeys.toString('latin1', k, k + KEY_ID_BYTES),
      packedKeys.subarray(k + KEY_ID_BYTES, k + KEY_ID_BYTES + KEY_BYTES),
    );
  const callers = new Map<string, (string | null)[]>();
  for (let c = 0; c < job.callers.length; c += 4)
    callers.set(job.callers[c] as string, job.callers.slice(c + 1, c + 4));
  const sealed = Buffer.from(job.sealed.buffer, job.sealed.byteOffset, job.sealed.byteLength);
  let offset = 0;
  const open = (length: number, field: string): string | null => {
    const blob = sealed.subarray(offset, offset + length);
    offset += length;
    const key = keys.get(blob.toString('latin1', 1, 1 + KEY_ID_BYTES));

    return key ? openField(key, blob, field) : null;
  };
  const row = rowRenderer(job.cells.map((c) => ({ date: 'date' in c && c.date })));
  const values: XlsxValue[] = new Array(job.cells.length);
  // Each row is encoded as soon as it is rendered: its strings die young, where collecting them is cheap, instead
  // of a batch of them living long enough to be copied and promoted.
  let xml = new Uint8Array(256 * 1024);
  let length = 0;
  // Row by row, so each row's values die young too (the batch parsed at once outlived a few collections).
  let line = 0;
  for (let r = 0; r < job.count; r += 1) {
    const end = job.rows.indexOf('\n', line);
    const data = JSON.parse(job.rows.slice(line, end < 0 ? undefined : end)) as JsonValue[];
    line = end + 1;
    for (let c = 0; c < job.cells.length; c += 1) {
      const cell = job.cells[c] as JobCell;
      if ('value' in cell) {
        const value = data[cell.value] ?? null;
        // A date comes as epoch milliseconds; as days, in a date column, it is the cell a `Date` would have been.
        values[c] = cell.date && typeof value === 'number' ? excelDays(value) : value;
      } else if ('sealed' in cell) {
        const length = data[cell.sealed];
        values[c] = typeof length === 'number' ? open(length, cell.field) : null;
      } else {
        values[c] = callers.get(data[cell.caller] as string)?.[cell.part] ?? null;
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
  if (line !== 0 || offset !== sealed.length) throw new Error('batch does not match its count');

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
