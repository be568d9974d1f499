/**
 * @module AS-3: every phone message and post transaction of the account, as XLSX (one sheet each, real dates,
 * readable headers; see `xlsx-writer.ts`), CSV or JSON, streamed as it is decrypted, batch by batch, so memory stays flat however large
 * the account. Starting an export is an audited event.
 *
 * @example
 * const out = await startExport(kernel, { user, format: 'xlsx' })
 * out.stream.pipe(response)
 */
import { PassThrough, type Readable } from 'node:stream';
import type { ClientUser } from '../colleagues/colleague-access.ts';
import { recordAudit } from '../kernel/audit/audit.ts';
import { keyIdOf, openField, unwrapKey } from '../kernel/crypto/cipher.ts';
import { AppError } from '../kernel/errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { type Cursor, countItems, messageBatch, postBatch } from './export-repository.ts';
import { createXlsxWriter, drained } from './xlsx-writer.ts';

type Deps = Pick<Kernel, 'db' | 'clock' | 'keyring'>;

export type ExportFormat = 'xlsx' | 'csv' | 'json';

const BATCH = 1_000;

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

/**
 * Opens sealed values with keys fetched once per batch. The vault opens one value at a time and looks each
 * uncached key up on its own; for an export of every item that would be a query per caller or post item.
 */
const batchOpener = (
  deps: Pick<Kernel, 'keyring'>,
  rows: { keyId: string; wrapped: Buffer | null; kekId: string | null }[],
  cache: KeyCache,
) => {
  for (const row of rows) {
    if (!row.wrapped || cache.has(row.keyId)) continue;
    if (row.kekId !== deps.keyring.kekId) throw new AppError('INTERNAL', 'Data key wrapped by an unknown master key');
    if (cache.size >= KEY_CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(row.keyId, unwrapKey(deps.keyring.kek, row.wrapped));
  }

  return (blob: Buffer | null, field: string): string | null => {
    if (!blob) return null;
    const key = cache.get(keyIdOf(blob));

    return key ? openField(key, blob, field) : null;
  };
};

/** Unwrapped keys kept for the length of one export: a caller's key serves every batch their messages fall in. */
type KeyCache = Map<string, Buffer>;
const KEY_CACHE_LIMIT = 20_000;

const fetchMessages = (deps: Deps, accountId: string, after: Cursor, cache: KeyCache) =>
  deps.db.tenant(accountId, async (trx) => {
    const batch = await messageBatch(trx, accountId, after, BATCH);
    const open = batchOpener(
      deps,
      batch.map((r) => ({ keyId: r.caller_subject_id, wrapped: r.key_wrapped, kekId: r.key_kek_id })),
      cache,
    );

    return batch.map(
      (r): MessageRow => ({
        id: r.id,
        receivedAt: r.call_at,
        urgency: r.urgency,
        callerName: open(r.name, 'subjects.name'),
        callerPhone: open(r.phone, 'subjects.phone'),
        callerEmail: open(r.email, 'subjects.email'),
        company: open(r.company, 'phone_messages.company'),
        reason: open(r.reason, 'phone_messages.reason'),
        message: open(r.body, 'phone_messages.body'),
        callbackRequested: r.callback_requested,
        actionedAt: r.actioned_at,
      }),
    );
  });

const fetchPost = (deps: Deps, accountId: string, after: Cursor, cache: KeyCache) =>
  deps.db.tenant(accountId, async (trx) => {
    const batch = await postBatch(trx, accountId, after, BATCH);
    const open = batchOpener(
      deps,
      batch.map((r) => ({ keyId: r.id, wrapped: r.key_wrapped, kekId: r.key_kek_id })),
      cache,
    );

    return batch.map(
      (r): PostRow => ({
        id: r.id,
        receivedAt: r.received_at,
        type: r.item_type,
        sender: open(r.sender, 'post_items.sender'),
        trackingNumber: open(r.tracking_number, 'post_items.tracking_number'),
        status: r.status.replace(/_/g, ' '),
        statusAt: (r.status_at as Date | null) ?? null,
        scans: Number(r.files ?? 0),
        actionedAt: r.actioned_at,
      }),
    );
  });

/**
 * Batches in keyset order, one short tenant transaction each; the next batch is already being read and decrypted
 * while the current one is written out.
 */
async function* batches<R extends { receivedAt: Date; id: string }>(
  fetch: (after: Cursor) => Promise<R[]>,
): AsyncGenerator<R[]> {
  let next = fetch(null);
  for (;;) {
    const rows = await next;
    const last = rows.at(-1);
    const more = rows.length === BATCH && last !== undefined;
    if (more) {
      next = fetch({ at: last.receivedAt, id: last.id });
      // Handled here too, so an export abandoned mid-way does not leave an unhandled rejection behind.
      next.catch(() => null);
    }
    if (rows.length > 0) yield rows;
    if (!more) return;
  }
}

export const messageRows = (deps: Deps, accountId: string, cache: KeyCache = new Map()) =>
  batches((after) => fetchMessages(deps, accountId, after, cache));
// Post items each have their own key, used once: no point caching them.
export const postRows = (deps: Deps, accountId: string) =>
  batches((after) => fetchPost(deps, accountId, after, new Map()));

const writeXlsx = async (deps: Deps, accountId: string, out: PassThrough) => {
  const xlsx = createXlsxWriter(out);
  const sheetColumns = <R>(columns: Column<R>[]) =>
    columns.map((c) => ({ header: c.header, width: c.width, date: c.date ?? false }));
  await xlsx.sheet('Phone messages', sheetColumns(MESSAGE_COLUMNS), async (row) => {
    for await (const batch of messageRows(deps, accountId)) {
      for (const r of batch)
        await row(
          MESSAGE_COLUMNS.map((c) => (c.key === 'callbackRequested' ? (r.callbackRequested ? 'yes' : 'no') : r[c.key])),
        );
    }
  });
  await xlsx.sheet('Post', sheetColumns(POST_COLUMNS), async (row) => {
    for await (const batch of postRows(deps, accountId))
      for (const r of batch) await row(POST_COLUMNS.map((c) => r[c.key]));
  });
  await xlsx.finish();
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
