/**
 * @module Long text written piece by piece (reports, CSV files). A string built by `+=` is a rope: encoding a
 * megabyte of it to UTF-8 costs several times more than encoding the same text flat, and twice that again once one
 * character anywhere is outside Latin-1 (V8 then widens the whole string). `utf8Chunks` encodes as it goes, a chunk
 * of about 16 k characters at a time, so no long rope is ever built.
 *
 * @example
 * const out = utf8Chunks()
 * for (const row of rows) out.write(`<tr><td>${esc(row.name)}</td></tr>`)
 * const bytes = out.bytes()
 * writeJson(out, { people }) // the same text as JSON.stringify, written a record at a time
 */

/** Somewhere to write text: `utf8Chunks()` for long text, `textOut()` when a short string is wanted. */
export type TextOut = { write(text: string): void };

const CHUNK = 16_384;

export const utf8Chunks = () => {
  const chunks: Buffer[] = [];
  let pending = '';

  return {
    write(text: string) {
      pending += text;
      if (pending.length >= CHUNK) {
        chunks.push(Buffer.from(pending));
        pending = '';
      }
    },
    /** Everything written, as UTF-8. */
    bytes(): Buffer {
      if (pending.length > 0) {
        chunks.push(Buffer.from(pending));
        pending = '';
      }

      return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    },
  };
};

export const textOut = () => {
  const out = {
    text: '',
    write(text: string) {
      out.text += text;
    },
  };

  return out;
};

/**
 * Writes exactly `JSON.stringify(value)`, the outer objects and arrays a member at a time, so a document of
 * thousands of records reaches `out` in pieces (each record, `depth` levels down, is stringified whole).
 */
export const writeJson = (out: TextOut, value: unknown, depth = 5): void => {
  // Arrays and plain objects are walked; anything else (a Date, a boxed value, a class) is JSON.stringify's to write.
  const proto = typeof value === 'object' && value !== null ? Object.getPrototypeOf(value) : undefined;
  const plain =
    proto !== undefined &&
    (Array.isArray(value) || proto === Object.prototype || proto === null) &&
    typeof (value as { toJSON?: unknown }).toJSON !== 'function';
  if (depth === 0 || !plain) {
    out.write(JSON.stringify(value) ?? 'null');
    return;
  }
  if (Array.isArray(value)) {
    out.write('[');
    for (let i = 0; i < value.length; i += 1) {
      if (i > 0) out.write(',');
      const item: unknown = value[i];
      // As JSON.stringify does: what has no JSON form is null inside an array.
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') out.write('null');
      else writeJson(out, item, depth - 1);
    }
    out.write(']');
    return;
  }
  out.write('{');
  let first = true;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    // ... and left out of an object.
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    out.write(first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
    first = false;
    writeJson(out, item, depth - 1);
  }
  out.write('}');
};
