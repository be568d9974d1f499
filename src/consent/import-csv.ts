/**
 * @module A marketing list as CSV, for `custodian consent import`: a header row naming the columns `name`, `email`,
 * `phone` and optionally `channels` and `topics` (each a list separated by `;` or spaces: the consent the list
 * carries). Every row is validated before anything is written; the first bad row is named by line and field, and
 * its value is never echoed (it is personal data).
 *
 * @example
 * const people = parseImportCsv('name,email,channels,topics\nAnn,ann@example.test,email,marketing\n')
 * await importMarketingList(kernel, { accountId, actor, source: 'trade show', people })
 */
import { AppError } from '../kernel/errors.ts';
import { type ImportRow, ZImportPerson } from './import-list.ts';

const COLUMNS = ['name', 'email', 'phone', 'channels', 'topics'] as const;

/** RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks. Each with its first line. */
const records = (text: string) => {
  const out: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line += 1;
        cell += c;
      }
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      cells.push(cell);
      if (cells.some((x) => x.trim() !== '')) out.push({ line: start, cells });
      cells = [];
      cell = '';
      line += 1;
      start = line;
    } else cell += c;
  }
  if (quoted) throw new AppError('VALIDATION_FAILED', `line ${start}: a quoted field is not closed`, { line: start });
  cells.push(cell);
  if (cells.some((x) => x.trim() !== '')) out.push({ line: start, cells });

  return out;
};

const list = (value: string | undefined) =>
  (value ?? '')
    .split(/[;\s]+/)
    .map((x) => x.trim())
    .filter(Boolean);

export const parseImportCsv = (text: string): ImportRow[] => {
  const [header, ...rows] = records(text.replace(/^\uFEFF/, ''));
  if (!header) throw new AppError('VALIDATION_FAILED', 'The file is empty: expected a header row', { line: 1 });
  const names = header.cells.map((h) => h.trim().toLowerCase());
  const unknown = names.find((n) => !(COLUMNS as readonly string[]).includes(n));
  if (unknown !== undefined) {
    throw new AppError(
      'VALIDATION_FAILED',
      `line ${header.line}: unknown column "${unknown}" (columns: ${COLUMNS.join(', ')})`,
      { line: header.line, field: unknown },
    );
  }
  if (!names.includes('name')) {
    throw new AppError('VALIDATION_FAILED', `line ${header.line}: the header has no "name" column`, {
      line: header.line,
      field: 'name',
    });
  }
  if (rows.length === 0) throw new AppError('VALIDATION_FAILED', 'The file has no rows after the header', {});

  return rows.map(({ line, cells }) => {
    if (cells.length !== names.length) {
      throw new AppError(
        'VALIDATION_FAILED',
        `line ${line}: ${cells.length} fields where the header has ${names.length}`,
        { line },
      );
    }
    const get = (column: string) => {
      const v = cells[names.indexOf(column)]?.trim();
      return v ? v : undefined;
    };
    const channels = list(get('channels'));
    const topics = list(get('topics'));
    const parsed = ZImportPerson.safeParse({
      name: get('name') ?? '',
      email: get('email'),
      phone: get('phone'),
      consent: channels.length > 0 || topics.length > 0 ? { channels, topics } : undefined,
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = String(issue?.path[0] === 'consent' ? issue.path[1] : (issue?.path[0] ?? 'row'));
      throw new AppError('VALIDATION_FAILED', `line ${line}: ${field}: ${issue?.message ?? 'is not valid'}`, {
        line,
        field,
      });
    }

    return parsed.data;
  });
};
