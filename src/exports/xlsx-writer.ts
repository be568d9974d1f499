/**
 * @module A minimal streaming XLSX writer: sheets of inline strings, numbers and dates (with a date format, so they
 * are real dates in Excel), a bold header row frozen at the top, written row by row into a ZIP whose entries are
 * deflated as they go (data descriptors, so nothing is held back to learn sizes). Backpressure from the output
 * reaches the producer, so memory stays flat however many rows.
 *
 * Why not exceljs's streaming WorkbookWriter: measured on 190 000 rows it took about 7 s with a date style (every
 * cell's style is re-rendered), over the export's 5 s goal; this writer does the same rows in well under 2 s. The
 * tests still open the files with exceljs.
 *
 * @example
 * const xlsx = createXlsxWriter(out)
 * await xlsx.sheet('Phone messages', columns, async (row) => { for (const r of rows) await row(r) })
 * await xlsx.finish()
 */
import type { Writable } from 'node:stream';
import zlib from 'node:zlib';

export type XlsxColumn = { header: string; width: number; date?: boolean };
export type XlsxValue = string | number | boolean | Date | null | undefined;

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';
const XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const CHUNK = 64 * 1024;
const STYLE_DATE = 1;
const STYLE_HEADER = 2;

// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters to remove
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

// biome-ignore lint/suspicious/noControlCharactersInRegex: the characters `escapeXml` removes or replaces
const NEEDS_ESCAPE = /[&<>"\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

// Most cells need no escaping: one test instead of five replaces over every string.
const escapeXml = (text: string) =>
  !NEEDS_ESCAPE.test(text)
    ? text
    : text
        // Characters XML 1.0 cannot carry at all.
        .replace(INVALID_XML, '')
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;');

const columnName = (index: number): string => {
  let n = index + 1;
  let name = '';
  while (n > 0) {
    const rest = (n - 1) % 26;
    name = String.fromCharCode(65 + rest) + name;
    n = Math.floor((n - 1) / 26);
  }
  return name;
};

/** Days since 1899-12-30, the 1900 date system every spreadsheet reads, from epoch milliseconds. */
export const excelDays = (ms: number) => ms / 86_400_000 + 25_569;
const excelDate = (d: Date) => excelDays(d.getTime());

const cell = (ref: string, value: XlsxValue, date: boolean): string => {
  if (value === null || value === undefined || value === '') return '';
  if (value instanceof Date) return `<c r="${ref}" s="${STYLE_DATE}"><v>${excelDate(value)}</v></c>`;
  if (typeof value === 'number') return `<c r="${ref}"${date ? ` s="${STYLE_DATE}"` : ''}><v>${value}</v></c>`;
  const text = typeof value === 'boolean' ? (value ? 'yes' : 'no') : value;

  return `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${escapeXml(text)}</t></is></c>`;
};

/**
 * Renders data rows of one sheet as XML, so they can be rendered away from the writer (the export renders them in
 * worker threads and hands the bytes to `rows`). `r` is the row's number in the sheet; the header is row 1.
 */
export const rowRenderer = (columns: readonly Pick<XlsxColumn, 'date'>[]) => {
  const refs = columns.map((_, i) => columnName(i));
  const dates = columns.map((c) => c.date === true);

  return (r: number, values: readonly XlsxValue[]): string => {
    let xml = `<row r="${r}">`;
    for (let i = 0; i < refs.length; i += 1) xml += cell(`${refs[i]}${r}`, values[i], dates[i] === true);

    return `${xml}</row>`;
  };
};

type Entry = { name: Buffer; offset: number; crc: number; size: number; compressed: number };

const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};

/** 1980-01-01 00:00 in DOS time: the entries' dates carry no meaning. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const FLAGS = 0x0808; // sizes in a data descriptor; UTF-8 names

/** Waits until `out` takes more; fails if it is closed first (the client went away), so the producer stops. */
export const drained = (out: Writable) =>
  new Promise<void>((resolve, reject) => {
    if (out.destroyed) return reject(new Error('export stream closed'));
    const onDrain = () => {
      out.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      out.off('drain', onDrain);
      reject(new Error('export stream closed'));
    };
    out.once('drain', onDrain);
    out.once('close', onClose);
  });

export const createXlsxWriter = (out: Writable, options: { level?: number } = {}) => {
  const entries: Entry[] = [];
  const sheets: string[] = [];
  let offset = 0;

  const push = async (buffer: Buffer) => {
    offset += buffer.length;
    if (out.destroyed) throw new Error('export stream closed');
    if (!out.write(buffer)) await drained(out);
  };

  type Sink = { text: (text: string) => Promise<void>; bytes: (bytes: Uint8Array) => Promise<void> };

  const entry = async (name: string, produce: (write: Sink) => Promise<void>) => {
    const nameBytes = Buffer.from(name, 'utf8');
    const record: Entry = { name: nameBytes, offset, crc: 0, size: 0, compressed: 0 };
    await push(
      Buffer.concat([
        u32(0x04034b50),
        u16(20),
        u16(FLAGS),
        u16(8),
        u16(DOS_TIME),
        u16(DOS_DATE),
        u32(0),
        u32(0),
        u32(0),
        u16(nameBytes.length),
        u16(0),
        nameBytes,
      ]),
    );
    // Larger output chunks: fewer callbacks and writes for the tens of MB a big sheet deflates to.
    const deflate = zlib.createDeflateRaw({ level: options.level ?? 6, chunkSize: CHUNK });
    const forwarded = (async () => {
      for await (const chunk of deflate) {
        record.compressed += (chunk as Buffer).length;
        await push(chunk as Buffer);
      }
    })();
    let pending: string[] = [];
    let pendingLength = 0;
    const deflateBytes = async (bytes: Uint8Array) => {
      record.crc = zlib.crc32(bytes, record.crc);
      record.size += bytes.length;
      if (!deflate.write(bytes)) await drained(deflate);
    };
    const flush = async () => {
      if (pendingLength === 0) return;
      const bytes = Buffer.from(pending.join(''), 'utf8');
      pending = [];
      pendingLength = 0;
      await deflateBytes(bytes);
    };
    await produce({
      text: async (text) => {
        pending.push(text);
        pendingLength += text.length;
        if (pendingLength >= CHUNK) await flush();
      },
      bytes: async (bytes) => {
        await flush();
        if (bytes.length > 0) await deflateBytes(bytes);
      },
    });
    await flush();
    deflate.end();
    await forwarded;
    await push(Buffer.concat([u32(0x08074b50), u32(record.crc), u32(record.compressed), u32(record.size)]));
    entries.push(record);
  };

  return {
    /**
     * Writes one sheet; `fill` calls `row(values)` once per data row, in column order, or hands over rows already
     * rendered by `rowRenderer` with `rows(xml, count)` (UTF-8, numbered from `nextRow()`). Both can be mixed.
     */
    sheet: async (
      title: string,
      columns: readonly XlsxColumn[],
      fill: (
        row: (values: readonly XlsxValue[]) => Promise<void>,
        rendered: {
          nextRow: () => number;
          rows: (xml: Uint8Array, count: number) => Promise<void>;
        },
      ) => Promise<void>,
    ) => {
      sheets.push(title);
      const refs = columns.map((_, i) => columnName(i));
      const render = rowRenderer(columns);
      await entry(`xl/worksheets/sheet${sheets.length}.xml`, async (sink) => {
        const write = sink.text;
        await write(
          `${XML}<worksheet xmlns="${MAIN}" xmlns:r="${REL}"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>` +
            `<cols>${columns.map((c, i) => `<col min="${i + 1}" max="${i + 1}" width="${c.width}" customWidth="1"${c.date ? ` style="${STYLE_DATE}"` : ''}/>`).join('')}</cols><sheetData>` +
            `<row r="1">${columns.map((c, i) => `<c r="${refs[i]}1" t="inlineStr" s="${STYLE_HEADER}"><is><t>${escapeXml(c.header)}</t></is></c>`).join('')}</row>`,
        );
        let r = 1;
        await fill(
          async (values) => {
            r += 1;
            await write(render(r, values));
          },
          {
            nextRow: () => r + 1,
            rows: async (xml, count) => {
              r += count;
              await sink.bytes(xml);
            },
          },
        );
        await write('</sheetData></worksheet>');
      });
    },

    /** Writes the workbook's parts and the ZIP directory, then ends `out`. */
    finish: async () => {
      const fixed = async (name: string, text: string) => entry(name, async (sink) => sink.text(text));
      await fixed(
        'xl/styles.xml',
        `${XML}<styleSheet xmlns="${MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts>` +
          '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>' +
          '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
          '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
          '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
          '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
          '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
          '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>' +
          '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>',
      );
      await fixed(
        'xl/workbook.xml',
        `${XML}<workbook xmlns="${MAIN}" xmlns:r="${REL}"><sheets>${sheets.map((s, i) => `<sheet name="${escapeXml(s)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('')}</sheets></workbook>`,
      );
      await fixed(
        'xl/_rels/workbook.xml.rels',
        `${XML}<Relationships xmlns="${PKG_REL}">${sheets.map((_, i) => `<Relationship Id="rId${i + 1}" Type="${REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('')}` +
          `<Relationship Id="rId${sheets.length + 1}" Type="${REL}/styles" Target="styles.xml"/></Relationships>`,
      );
      await fixed(
        '_rels/.rels',
        `${XML}<Relationships xmlns="${PKG_REL}"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
      );
      await fixed(
        '[Content_Types].xml',
        `${XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
          sheets
            .map(
              (_, i) =>
                `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
            )
            .join('') +
          '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>',
      );
      const directoryStart = offset;
      for (const e of entries) {
        await push(
          Buffer.concat([
            u32(0x02014b50),
            u16(20),
            u16(20),
            u16(FLAGS),
            u16(8),
            u16(DOS_TIME),
            u16(DOS_DATE),
            u32(e.crc),
            u32(e.compressed),
            u32(e.size),
            u16(e.name.length),
            u16(0),
            u16(0),
            u16(0),
            u16(0),
            u32(0),
            u32(e.offset),
            e.name,
          ]),
        );
      }
      const directorySize = offset - directoryStart;
      await push(
        Buffer.concat([
          u32(0x06054b50),
          u16(0),
          u16(0),
          u16(entries.length),
          u16(entries.length),
          u32(directorySize),
          u32(directoryStart),
          u16(0),
        ]),
      );
      out.end();
    },
  };
};
