/**
 * @module AS-3: every phone message and post transaction of the account, as XLSX (one sheet each, real dates,
 * readable headers; see `xlsx-writer.ts`), CSV or JSON, streamed as it is decrypted, batch by batch, so memory stays
 * flat however large the account. For XLSX, the database packs each batch into a few values (`packedMessageBatch`,
 * `packedPostBatch`), and the batches are opened and rendered in worker threads (`render-pool.ts`) while the main
 * thread reads the next ones. Starting an export is an audited event.
 *
 * @example
 * const out = await startExport(kernel, { user, format: 'xlsx' })
 * out.stream.pipe(response)
 */
import { PassThrough, type Readable } from 'node:stream';
import type { ClientUser } from '../colleagues/colleague-access.ts';
import { recordAudit } from '../kernel/audit/audit.ts';
import { keyIdOf, openField, unwrapKey } from '../kernel/crypto/cipher.ts';
import type { Trx } from '../kernel/db/database.ts';
import { AppError } from '../kernel/errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import {
  type Cursor,
  callers,
  countItems,
  messageBatch,
  type PackedBatch,
  packedMessageBatch,
  packedPostBatch,
  postBatch,
} from './export-repository.ts';
import {
  createRenderPool,
  type JobCell,
  KEY_ID_BYTES,
  keyPacker,
  ownBuffer,
  type RenderJob,
  type RenderPool,
} from './render-pool.ts';
import { createXlsxWriter, drained } from './xlsx-writer.ts';

type Deps = Pick<Kernel, 'db' | 'clock' | 'keyring'>;

export type ExportFormat = 'xlsx' | 'csv' | 'json';

// 500 rather than 1 000: half the rendered XML in hand (about 0.6 MB a batch) for the same CPU; the database work
// per row is the same either way.
const BATCH = 500;

export type MessageRow = {
  id: string;
  receivedAt: Date;
  urgency: string;
  callerName: string | null;
  callerPhone: string | null;
  callerEmail: string | null;
  company: string | null;
  reason: string | null;
  message: string | null;
  callbackRequested: boolean;
  actionedAt: Date | null;
};

export type PostRow = {
  id: string;
  receivedAt: Date;
  type: string;
  sender: string | null;
  trackingNumber: string | null;
  status: string;
  statusAt: Date | null;
  scans: number;
  actionedAt: Date | null;
};

type Column<R> = { header: string; key: keyof R & string; width: number; date?: boolean };

export const MESSAGE_COLUMNS: Column<MessageRow>[] = [
  { header: 'Received', key: 'receivedAt', width: 20, date: true },
  { header: 'Urgency', key: 'urgency', width: 10 },
  { header: 'Caller', key: 'callerName', width: 24 },
  { header: 'Phone', key: 'callerPhone', width: 18 },
  { header: 'E-mail', key: 'callerEmail', width: 28 },
  { header: 'Company', key: 'company', width: 24 },
  { header: 'Reason', key: 'reason', width: 30 },
  { header: 'Message', key: 'message', width: 60 },
  { header: 'Call back requested', key: 'callbackRequested', width: 12 },
  { header: 'Done', key: 'actionedAt', width: 20, date: true },
  { header: 'Reference', key: 'id', width: 38 },
];

export const POST_COLUMNS: Column<PostRow>[] = [
  { header: 'Received', key: 'receivedAt', width: 20, date: true },
  { header: 'Type', key: 'type', width: 10 },
  { header: 'Sender', key: 'sender', width: 30 },
  { header: 'Tracking number', key: 'trackingNumber', width: 22 },
  { header: 'Status', key: 'status', width: 20 },
  { header: 'Status since', key: 'statusAt', width: 20, date: true },
  { header: 'Scans', key: 'scans', width: 8 },
  { header: 'Done', key: 'actionedAt', width: 20, date: true },
  { header: 'Reference', key: 'id', width: 38 },
];

/** A caller as the export shows them, opened once per export; `key` (null once destroyed) opens their messages. */
type Caller = { key: Buffer | null; name: string | null; phone: string | null; email: string | null };
/**
 * Callers already read in this export: one caller's messages are spread over many batches. Bounded. A caller is
 * shown as first read (each batch is its own transaction, so an export was never one snapshot anyway).
 */
type CallerCache = Map<string, Caller>;
const CALLER_CACHE_LIMIT = 20_000;

/**
 * A data key, unwrapped once per export (the vault would look each uncached key up with a query of its own);
 * null when the key is gone (the person was erased).
 */
const unwrap = (deps: Pick<Kernel, 'keyring'>, wrapped: Buffer | null, kekId: string | null): Buffer | null => {
  if (!wrapped) return null;
  if (kekId !== deps.keyring.kekId) throw new AppError('INTERNAL', 'Data key wrapped by an unknown master key');

  return unwrapKey(deps.keyring.kek, wrapped);
};

/** Opens a sealed value with one of its batch's keys; null when its key is gone (the person was erased). */
const opener =
  (keys: ReadonlyMap<string, Buffer>) =>
  (blob: Buffer | null, field: string): string | null => {
    if (!blob) return null;
    const key = keys.get(keyIdOf(blob));

    return key ? openField(key, blob, field) : null;
  };

type MessageDbRow = Awaited<ReturnType<typeof messageBatch>>[number];
type PostDbRow = Awaited<ReturnType<typeof postBatch>>[number];

/** What a batch's rows need besides themselves: the keys they were sealed under, and their callers. */
type BatchContext = { keys: Map<string, Buffer>; callers: ReadonlyMap<string, Caller> };

/** Where each column comes from: a plain value (of the row or its batch), or a field sealed under a batch key. */
type Source<D> =
  | { plain: (row: D, batch: BatchContext) => unknown }
  | { sealed: (row: D) => Buffer | null; field: string };

const callerOf = (r: MessageDbRow, batch: BatchContext) => batch.callers.get(r.caller_subject_id);

// In the order of MessageRow's keys: the JSON export writes the rows as these objects.
const MESSAGE_SOURCES: { [K in keyof MessageRow]: Source<MessageDbRow> } = {
  id: { plain: (r) => r.id },
  receivedAt: { plain: (r) => r.call_at },
  urgency: { plain: (r) => r.urgency },
  callerName: { plain: (r, b) => callerOf(r, b)?.name ?? null },
  callerPhone: { plain: (r, b) => callerOf(r, b)?.phone ?? null },
  callerEmail: { plain: (r, b) => callerOf(r, b)?.email ?? null },
  company: { sealed: (r) => r.company, field: 'phone_messages.company' },
  reason: { sealed: (r) => r.reason, field: 'phone_messages.reason' },
  message: { sealed: (r) => r.body, field: 'phone_messages.body' },
  callbackRequested: { plain: (r) => r.callback_requested },
  actionedAt: { plain: (r) => r.actioned_at },
};

const POST_SOURCES: { [K in keyof PostRow]: Source<PostDbRow> } = {
  id: { plain: (r) => r.id },
  receivedAt: { plain: (r) => r.received_at },
  type: { plain: (r) => r.item_type },
  sender: { sealed: (r) => r.sender, field: 'post_items.sender' },
  trackingNumber: { sealed: (r) => r.tracking_number, field: 'post_items.tracking_number' },
  status: { plain: (r) => r.status.replace(/_/g, ' ') },
  statusAt: { plain: (r) => (r.status_at as Date | null) ?? null },
  scans: { plain: (r) => Number(r.files ?? 0) },
  actionedAt: { plain: (r) => r.actioned_at },
};

/**
 * One batch, read and already shaped inside its transaction (opened into rows, or packed for a worker), so the
 * database rows are garbage at once rather than living, and being promoted, while earlier batches are written.
 */
type Page<P> = { count: number; last: Cursor; payload: P };
type Shape<D, P> = (rows: D[], batch: BatchContext) => P;

/** The batch's callers: from the cache, else read (one query for all the batch's new ones) and opened. */
const batchCallers = async (
  deps: Deps,
  trx: Trx,
  ids: Iterable<string>,
  cache: CallerCache,
): Promise<Map<string, Caller>> => {
  const found = new Map<string, Caller>();
  const unseen = new Set<string>();
  for (const id of ids) {
    const known = cache.get(id);
    if (known) found.set(id, known);
    else unseen.add(id);
  }
  if (unseen.size === 0) return found;
  const read = new Map((await callers(trx, [...unseen])).map((c) => [c.id, c]));
  for (const id of unseen) {
    const c = read.get(id);
    const key = c ? unwrap(deps, c.key_wrapped, c.key_kek_id) : null;
    const open = opener(key ? new Map([[id, key]]) : new Map());
    const caller: Caller = {
      key,
      name: open(c?.name ?? null, 'subjects.name'),
      phone: open(c?.phone ?? null, 'subjects.phone'),
      email: open(c?.email ?? null, 'subjects.email'),
    };
    found.set(id, caller);
    if (cache.size >= CALLER_CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(id, caller);
  }

  return found;
};

const fetchMessages = <P>(
  deps: Deps,
  accountId: string,
  after: Cursor,
  cache: CallerCache,
  shape: Shape<MessageDbRow, P>,
): Promise<Page<P>> =>
  deps.db.tenant(accountId, async (trx) => {
    const rows = await messageBatch(trx, accountId, after, BATCH);
    const found = await batchCallers(
      deps,
      trx,
      rows.map((r) => r.caller_subject_id),
      cache,
    );
    const keys = new Map<string, Buffer>();
    for (const [id, caller] of found) if (caller.key) keys.set(id, caller.key);
    const last = rows.at(-1);

    return {
      count: rows.length,
      last: last ? { at: last.call_at, id: last.id } : null,
      payload: shape(rows, { keys, callers: found }),
    };
  });

const NO_CALLERS: ReadonlyMap<string, Caller> = new Map();

// Post items each have their own key, used once: nothing worth keeping between batches.
const fetchPost = <P>(deps: Deps, accountId: string, after: Cursor, shape: Shape<PostDbRow, P>): Promise<Page<P>> =>
  deps.db.tenant(accountId, async (trx) => {
    const rows = await postBatch(trx, accountId, after, BATCH);
    const keys = new Map<string, Buffer>();
    for (const r of rows) {
      const key = unwrap(deps, r.key_wrapped, r.key_kek_id);
      if (key) keys.set(r.id, key);
    }
    const last = rows.at(-1);

    return {
      count: rows.length,
      last: last ? { at: last.received_at, id: last.id } : null,
      payload: shape(rows, { keys, callers: NO_CALLERS }),
    };
  });

/**
 * Batches in keyset order, one short tenant transaction each; the next batch is already being read while the
 * current one is opened and written out.
 */
async function* pages<P>(fetch: (after: Cursor) => Promise<Page<P>>): AsyncGenerator<Page<P>> {
  let next = fetch(null);
  for (;;) {
    const page = await next;
    const more = page.count === BATCH && page.last !== null;
    if (more) {
      next = fetch(page.last);
      // Handled here too, so an export abandoned mid-way does not leave an unhandled rejection behind.
      next.catch(() => null);
    }
    if (page.count > 0) yield page;
    if (!more) return;
  }
}

const messagePages = <P>(deps: Deps, accountId: string, shape: Shape<MessageDbRow, P>) => {
  const cache: CallerCache = new Map();

  return pages((after) => fetchMessages(deps, accountId, after, cache, shape));
};

const postPages = <P>(deps: Deps, accountId: string, shape: Shape<PostDbRow, P>) =>
  pages((after) => fetchPost(deps, accountId, after, shape));

/** Opens a batch on this thread, into row objects (CSV and JSON). */
const openRows =
  <D, R>(sources: { [K in keyof R]: Source<D> }): Shape<D, R[]> =>
  (rows, batch) => {
    const open = opener(batch.keys);
    const entries = Object.entries(sources) as [string, Source<D>][];

    return rows.map((row) => {
      const out: Record<string, unknown> = {};
      for (const [key, source] of entries)
        out[key] = 'plain' in source ? source.plain(row, batch) : open(source.sealed(row), source.field);

      return out as R;
    });
  };

async function* payloads<P>(source: AsyncGenerator<Page<P>>): AsyncGenerator<P> {
  for await (const page of source) yield page.payload;
}

export const messageRows = (deps: Deps, accountId: string): AsyncGenerator<MessageRow[]> =>
  payloads(messagePages(deps, accountId, openRows<MessageDbRow, MessageRow>(MESSAGE_SOURCES)));
export const postRows = (deps: Deps, accountId: string): AsyncGenerator<PostRow[]> =>
  payloads(postPages(deps, accountId, openRows<PostDbRow, PostRow>(POST_SOURCES)));

/**
 * Each XLSX column's cell in the rows of `packedMessageBatch` / `packedPostBatch`. Sealed values lie in the batch's
 * buffer in the order of their columns here (and of the queries' concatenation).
 */
const MESSAGE_CELLS: { [K in keyof MessageRow]: JobCell } = {
  id: { value: 0, date: false },
  receivedAt: { value: 2, date: true },
  urgency: { value: 3, date: false },
  callerName: { caller: 1, part: 0 },
  callerPhone: { caller: 1, part: 1 },
  callerEmail: { caller: 1, part: 2 },
  company: { sealed: 6, field: 'phone_messages.company' },
  reason: { sealed: 7, field: 'phone_messages.reason' },
  message: { sealed: 8, field: 'phone_messages.body' },
  callbackRequested: { value: 4, date: false },
  actionedAt: { value: 5, date: true },
};

const POST_CELLS: { [K in keyof PostRow]: JobCell } = {
  id: { value: 0, date: false },
  receivedAt: { value: 1, date: true },
  type: { value: 2, date: false },
  sender: { sealed: 3, field: 'post_items.sender' },
  trackingNumber: { sealed: 4, field: 'post_items.tracking_number' },
  status: { value: 5, date: false },
  statusAt: { value: 6, date: true },
  scans: { value: 7, date: false },
  actionedAt: { value: 8, date: true },
};

const cellsOf = <R>(columns: Column<R>[], cells: { [K in keyof R]: JobCell }) => columns.map((c) => cells[c.key]);

const cursorOf = (batch: PackedBatch): Cursor =>
  batch.last_at && batch.last_id ? { at: batch.last_at, id: batch.last_id } : null;

/** A message batch for a render worker: its callers read (or taken from the cache) and opened here. */
const fetchPackedMessages = (
  deps: Deps,
  accountId: string,
  after: Cursor,
  cache: CallerCache,
): Promise<Page<RenderJob>> =>
  deps.db.tenant(accountId, async (trx) => {
    const batch = await packedMessageBatch(trx, accountId, after, BATCH);
    const found = await batchCallers(deps, trx, batch.callers ?? [], cache);
    const keys = keyPacker(found.size);
    const callers: (string | null)[] = [];
    for (const [id, caller] of found) {
      if (caller.key) keys.put(id, caller.key);
      callers.push(id, caller.name, caller.phone, caller.email);
    }

    return {
      count: batch.count,
      last: cursorOf(batch),
      payload: {
        cells: cellsOf(MESSAGE_COLUMNS, MESSAGE_CELLS),
        firstRow: 0,
        count: batch.count,
        rows: batch.rows ?? '',
        sealed: ownBuffer(batch.sealed),
        keys: keys.done(),
        callers,
      },
    };
  });

/** A post batch for a render worker: each item's data key unwrapped here (the workers never see the master key). */
const fetchPackedPost = (deps: Deps, accountId: string, after: Cursor): Promise<Page<RenderJob>> =>
  deps.db.tenant(accountId, async (trx) => {
    const batch = await packedPostBatch(trx, accountId, deps.keyring.kekId, after, BATCH);
    if (batch.foreign_keys > 0) throw new AppError('INTERNAL', 'Data key wrapped by an unknown master key');
    const keys = keyPacker(batch.count);
    const packed = batch.keys;
    // Records of (length: int4, id: 16 bytes, wrapped key).
    for (let o = 0; packed && o < packed.length; ) {
      const length = packed.readInt32BE(o);
      const id = packed.subarray(o + 4, o + 4 + KEY_ID_BYTES);
      const start = o + 4 + KEY_ID_BYTES;
      keys.put(id, unwrapKey(deps.keyring.kek, packed.subarray(start, start + length)));
      o = start + length;
    }

    return {
      count: batch.count,
      last: cursorOf(batch),
      payload: {
        cells: cellsOf(POST_COLUMNS, POST_CELLS),
        firstRow: 0,
        count: batch.count,
        rows: batch.rows ?? '',
        sealed: ownBuffer(batch.sealed),
        keys: keys.done(),
        callers: [],
      },
    };
  });

/**
 * Fills one sheet. Reading runs ahead of writing: each batch goes to a worker as soon as it is read, and the next
 * is read meanwhile, while the rendered batches are deflated and written in order. (In one loop, a batch waiting
 * for deflate held up the next read, and one of the two workers idled about two thirds of the export.) At most
 * `pool.size + 2` batches are in hand, read or rendered and not yet written, so memory stays flat.
 */
const fillSheet = async (
  pool: RenderPool,
  rendered: { nextRow: () => number; rows: (xml: Uint8Array, count: number) => Promise<void> },
  source: AsyncGenerator<Page<RenderJob>>,
) => {
  const limit = pool.size + 2;
  const inHand: { xml: Promise<Uint8Array>; count: number }[] = [];
  // One waiter at a time: the reader waits only when `inHand` is full, the writer only when it is empty.
  let waiter: (() => void) | null = null;
  const wake = () => {
    const w = waiter;
    waiter = null;
    w?.();
  };
  const changed = () =>
    new Promise<void>((resolve) => {
      waiter = resolve;
    });
  let reading = true;
  let stopped = false;
  let firstRow = rendered.nextRow();
  const read = (async () => {
    try {
      for await (const page of source) {
        if (stopped) return;
        page.payload.firstRow = firstRow;
        firstRow += page.count;
        const xml = pool.render(page.payload);
        // Awaited in order below; handled here too, so a failure while an earlier batch is written is not unhandled.
        xml.catch(() => null);
        inHand.push({ xml, count: page.count });
        wake();
        while (inHand.length >= limit && !stopped) await changed();
      }
    } finally {
      reading = false;
      wake();
    }
  })();
  // Awaited below; handled here too, so a read failing after a write failed is not unhandled.
  read.catch(() => null);
  try {
    for (;;) {
      const next = inHand.shift();
      if (next) {
        wake();
        await rendered.rows(await next.xml, next.count);
      } else if (reading) await changed();
      else break;
    }
    await read;
  } finally {
    stopped = true;
    inHand.length = 0;
    wake();
  }
};

const writeXlsx = async (deps: Deps, accountId: string, out: PassThrough) => {
  // Deflate level 1: about 0.7 s less CPU than level 6 for a 190 000-item export (120 MB of XML), for a file about
  // 12 % larger (17 MB instead of 15). The export is CPU-bound on small servers; the download is not.
  const xlsx = createXlsxWriter(out, { level: 1 });
  const sheetColumns = <R>(columns: Column<R>[]) =>
    columns.map((c) => ({ header: c.header, width: c.width, date: c.date ?? false }));
  const pool = createRenderPool();
  try {
    const callerCache: CallerCache = new Map();
    await xlsx.sheet('Phone messages', sheetColumns(MESSAGE_COLUMNS), (_row, rendered) =>
      fillSheet(
        pool,
        rendered,
        pages((after) => fetchPackedMessages(deps, accountId, after, callerCache)),
      ),
    );
    await xlsx.sheet('Post', sheetColumns(POST_COLUMNS), (_row, rendered) =>
      fillSheet(
        pool,
        rendered,
        pages((after) => fetchPackedPost(deps, accountId, after)),
      ),
    );
    await xlsx.finish();
  } finally {
    await pool.close();
  }
};

const csvCell = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  const text = value instanceof Date ? value.toISOString() : String(value);
  // A leading = + - @ would be run as a formula by spreadsheet programs (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;

  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** One CSV: a "Kind" column, then the message columns, then the post-only ones. */
const CSV_COLUMNS = [
  { header: 'Kind', get: (r: Partial<MessageRow & PostRow> & { kind: string }) => r.kind },
  ...MESSAGE_COLUMNS.map((c) => ({ header: c.header, get: (r: Partial<MessageRow & PostRow>) => r[c.key] })),
  ...POST_COLUMNS.filter((c) => !MESSAGE_COLUMNS.some((m) => m.key === c.key)).map((c) => ({
    header: c.header,
    get: (r: Partial<MessageRow & PostRow>) => r[c.key],
  })),
];

const write = (out: PassThrough, chunk: string) => (out.write(chunk) ? Promise.resolve() : drained(out));

const writeCsv = async (deps: Deps, accountId: string, out: PassThrough) => {
  await write(out, `\uFEFF${CSV_COLUMNS.map((c) => csvCell(c.header)).join(',')}\r\n`);
  for await (const batch of messageRows(deps, accountId)) {
    await write(
      out,
      batch
        .map((r) => `${CSV_COLUMNS.map((c) => csvCell(c.get({ ...r, kind: 'phone message' }))).join(',')}\r\n`)
        .join(''),
    );
  }
  for await (const batch of postRows(deps, accountId)) {
    await write(
      out,
      batch.map((r) => `${CSV_COLUMNS.map((c) => csvCell(c.get({ ...r, kind: 'post' }))).join(',')}\r\n`).join(''),
    );
  }
  out.end();
};

const writeJson = async (deps: Deps, accountId: string, out: PassThrough, exportedAt: Date) => {
  await write(
    out,
    `{"format":"custodian.office-export/1","exportedAt":${JSON.stringify(exportedAt.toISOString())},"phoneMessages":[`,
  );
  let separator = '';
  for await (const batch of messageRows(deps, accountId)) {
    await write(out, `${separator}\n${batch.map((r) => JSON.stringify(r)).join(',\n')}`);
    separator = ',';
  }
  await write(out, '\n],"post":[');
  separator = '';
  for await (const batch of postRows(deps, accountId)) {
    await write(out, `${separator}\n${batch.map((r) => JSON.stringify(r)).join(',\n')}`);
    separator = ',';
  }
  await write(out, '\n]}\n');
  out.end();
};

const CONTENT_TYPE: Record<ExportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json',
};

/** Rough bytes per item in each format, so the browser can show progress for a stream of unknown length. */
const BYTES_PER_ITEM: Record<ExportFormat, number> = { xlsx: 190, csv: 260, json: 420 };

export const countExport = (deps: Pick<Kernel, 'db'>, user: ClientUser) =>
  deps.db.tenant(user.accountId, (trx) => countItems(trx));

/**
 * Audits the export, then returns a stream that fills as batches are decrypted. A failure half-way destroys the
 * stream (the download fails visibly) rather than ending it as if complete.
 */
export const startExport = async (
  deps: Deps,
  input: { user: ClientUser; format: ExportFormat },
): Promise<{ stream: Readable; filename: string; contentType: string; items: number; estimatedBytes: number }> => {
  const { user, format } = input;
  const now = deps.clock.now();
  const counts = await deps.db.tenant(user.accountId, async (trx) => {
    const c = await countItems(trx);
    await recordAudit(trx, deps.clock, {
      accountId: user.accountId,
      actor: { id: user.id, role: user.role },
      action: 'export.create',
      entity: 'account',
      entityId: user.accountId,
      fields: ['phone_messages', 'post_items'],
      purpose: 'service_delivery',
      details: { format, messages: c.messages, post: c.post },
    });

    return c;
  });
  const out = new PassThrough();
  const run =
    format === 'xlsx'
      ? writeXlsx(deps, user.accountId, out)
      : format === 'csv'
        ? writeCsv(deps, user.accountId, out)
        : writeJson(deps, user.accountId, out, now);
  run.catch((error: unknown) => out.destroy(error instanceof Error ? error : new Error('export failed')));
  const items = counts.messages + counts.post;

  return {
    stream: out,
    filename: `custodian-export-${now.toISOString().slice(0, 10)}.${format}`,
    contentType: CONTENT_TYPE[format],
    items,
    estimatedBytes: 4_000 + items * BYTES_PER_ITEM[format],
  };
};
