/**
 * @module Assembling an access (Art. 15) or portability (Art. 20) package from what the executor gathered: a
 * readable HTML report (printable to PDF) and a ZIP holding it with the data as JSON and CSV, the person's scans,
 * and for portability a JSON Schema of the format. Pure functions: no database, no clock, no keys.
 *
 * Third parties are kept out here, in one place: user ids become roles ("taken by: receptionist"), internal links
 * to other records are dropped, and free text someone else wrote about the person (a message the receptionist took)
 * has every e-mail address and phone number that is not the person's own replaced by "[redacted]", with the field
 * marked in the JSON and the method explained in the report.
 *
 * @example
 * const { zip, counts } = await assemblePackage({ kind: 'access', packageId, requestId, generatedAt, expiresAt,
 *   answeredBy, policy: kernel.policyFile.file, people, roles })
 */
import { unzipSync } from 'fflate';
import { type TextOut, textOut, utf8Chunks, writeJson } from '../kernel/text-out.ts';
import { zipWriter } from '../kernel/zip.ts';
import { describeBasis, describeMechanism, describeRetention, retentionFor } from '../policy/describe.ts';
import { LEGAL_BASES } from '../policy/dpv.ts';
import type { PolicyFile } from '../policy/policy-schema.ts';

export type PackageKind = 'access' | 'portability';

export const PACKAGE_FORMATS = {
  access: 'custodian.access-package/1',
  portability: 'custodian.portability-package/1',
} as const;

/** One person (subject) the request covers in the answering account, as read from every source. */
export type GatheredPerson = {
  subjectId: string;
  person: {
    kind: string;
    name: string | null;
    email: string | null;
    phone: string | null;
    source: string;
    createdAt: string;
  };
  /** Source name → the records it exported (`SubjectDataSource.export`), plus the executor's extra tables. */
  datasets: Record<string, readonly unknown[]>;
  processingControls: readonly Record<string, unknown>[];
  /** The audit events about the person, with the actor's role only. */
  processingHistory: readonly {
    seq: number;
    at: string;
    action: string;
    byRole: string | null;
    purpose: string | null;
    fields: readonly string[];
  }[];
  /** Scans linked to the person's items: bytes when they could be opened, null when the key or bytes are gone. */
  files: readonly { id: string; itemId: string; mediaType: string; bytes: Uint8Array | null }[];
};

export type PackageInput = {
  kind: PackageKind;
  packageId: string;
  requestId: string;
  generatedAt: Date;
  expiresAt: Date;
  /** The account answering: the provider for its own data, a client for a routed part (the client controls it). */
  answeredBy: { accountId: string; name: string; isProvider: boolean };
  policy: PolicyFile;
  people: readonly GatheredPerson[];
  /** User id → role, for every user id found in the records; an unknown id is shown as "staff member" or "user". */
  roles: ReadonlyMap<string, string>;
  /** What the reviewer found of other people in free text (names, mostly), replaced by "[redacted]". */
  redactions?: readonly StaffRedaction[];
};

/** One passage a reviewer marked in one field of one record: every occurrence is redacted. */
export type StaffRedaction = { recordId: string; field: string; text: string };

export type AssembledPackage = {
  zip: Uint8Array;
  /** Records per dataset, over every person. */
  counts: Record<string, number>;
  /** Fields in which other people's contact details were replaced. */
  redactedFields: number;
};

// ─── Redaction ───────────────────────────────────────────────────────────────────────────────────────────────────

export const REDACTED = '[redacted]';

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/**
 * Nine to fifteen digits, optionally led by +, with single spaces, hyphens or brackets between them (07700 900123,
 * +44 (0)20 7946 0000, 020-7946-0000). Dots are not separators, so dates and times ("23.11.2026 10.30") survive.
 */
const PHONE = /(?<![\w+])\+?\(?\d(?:[ ()-]{0,2}\d){8,14}(?![\w])/g;

const phoneKey = (value: string) => {
  let digits = value.replace(/\D/g, '');
  if (digits.startsWith('00')) digits = digits.slice(2);
  if (digits.startsWith('440')) digits = digits.slice(2);
  else if (digits.startsWith('44')) digits = `0${digits.slice(2)}`;

  return digits;
};

export type OwnAddresses = { emails: readonly string[]; phones: readonly string[] };

/**
 * Replaces every e-mail address and phone number in `text` that is not one of the person's own with "[redacted]".
 * Names cannot be found reliably by a machine and are left as written; the report says so.
 */
export const redactOtherPeople = (text: string, own: OwnAddresses): { text: string; redactions: number } =>
  redactWith(text, ownKeys(own));

type OwnKeys = { emails: ReadonlySet<string>; phones: ReadonlySet<string> };

/** The person's own addresses as the redaction compares them, made once per person rather than once per field. */
const ownKeys = (own: OwnAddresses): OwnKeys => ({
  emails: new Set(own.emails.map((e) => e.trim().toLowerCase())),
  phones: new Set(own.phones.map(phoneKey).filter((p) => p.length > 0)),
});

const redactWith = (text: string, { emails, phones }: OwnKeys): { text: string; redactions: number } => {
  let redactions = 0;
  // Most fields hold no address at all: a text without "@" cannot match EMAIL, so the scan is skipped.
  const withoutEmails = !text.includes('@')
    ? text
    : text.replace(EMAIL, (found) => {
        if (emails.has(found.toLowerCase())) return found;
        redactions += 1;

        return REDACTED;
      });
  const result = withoutEmails.replace(PHONE, (found) => {
    const digits = found.replace(/\D/g, '').length;
    if (digits < 9 || digits > 15 || phones.has(phoneKey(found))) return found;
    redactions += 1;

    return REDACTED;
  });

  return { text: result, redactions };
};

// ─── Datasets ────────────────────────────────────────────────────────────────────────────────────────────────────

type FieldType = 'string' | 'boolean' | 'integer' | 'date-time';
type FieldSpec = { name: string; type: FieldType; nullable?: boolean; description: string };

type DatasetSpec = {
  title: string;
  description: string;
  /** Free text written by someone other than the person (staff), checked for other people's contact details. */
  writtenByOthers: readonly string[];
  /** Fields never shown: ids of other records and of other people. */
  drop: readonly string[];
  /**
   * Portability: the purpose the data is processed for (its legal basis must be contract or consent) and the
   * fields the person provided. Null: not data the person provided (staff notes, our own records).
   */
  portability: { purpose: string; fields: readonly FieldSpec[] } | null;
};

const id: FieldSpec = { name: 'id', type: 'string', description: 'Our reference for the record.' };

export const DATASETS: Readonly<Record<string, DatasetSpec>> = {
  phone_messages: {
    title: 'Phone messages',
    description: 'Messages our receptionists took when you phoned, and passed to the business you called.',
    writtenByOthers: ['company', 'reason', 'body'],
    drop: ['accountId', 'caller'],
    portability: {
      purpose: 'service_delivery',
      fields: [
        id,
        { name: 'callAt', type: 'date-time', description: 'When you called.' },
        { name: 'company', type: 'string', nullable: true, description: 'The company you said you were calling from.' },
        { name: 'reason', type: 'string', nullable: true, description: 'Why you called, in brief.' },
        { name: 'body', type: 'string', nullable: true, description: 'Your message, as the receptionist wrote it.' },
        { name: 'urgency', type: 'string', description: '"normal" or "urgent".' },
        { name: 'callbackRequested', type: 'boolean', description: 'Whether you asked to be called back.' },
      ],
    },
  },
  post_items: {
    title: 'Post you sent',
    description: 'Letters and parcels you sent that we received for the business, with scans where made.',
    writtenByOthers: [],
    drop: ['accountId', 'senderSubjectId'],
    portability: {
      purpose: 'service_delivery',
      fields: [
        id,
        { name: 'receivedAt', type: 'date-time', description: 'When the item arrived.' },
        { name: 'sender', type: 'string', nullable: true, description: 'The sender, as written on the item.' },
        { name: 'itemType', type: 'string', description: '"letter", "parcel", "recorded" or "legal".' },
        { name: 'trackingNumber', type: 'string', nullable: true, description: 'The carrier’s tracking number.' },
      ],
    },
  },
  contact_notes: {
    title: 'Notes about you',
    description: 'Short notes our staff wrote when dealing with you.',
    writtenByOthers: ['body'],
    drop: [],
    portability: null,
  },
  consent_records: {
    title: 'Consent and marketing choices',
    description: 'What you agreed or refused to, by which channel, and when.',
    writtenByOthers: [],
    drop: [],
    portability: {
      purpose: 'marketing',
      fields: [
        id,
        { name: 'channel', type: 'string', description: 'e-mail, SMS, phone, post, fax or social.' },
        { name: 'topic', type: 'string', description: 'What the choice is about.' },
        { name: 'state', type: 'string', description: '"given", "refused" or "withdrawn".' },
        { name: 'method', type: 'string', description: 'How you told us.' },
        { name: 'recordedAt', type: 'date-time', description: 'When.' },
      ],
    },
  },
  policy_agreements: {
    title: 'Agreements to changes in how we use data',
    description: 'Your answers when we asked to use your data for a new purpose.',
    writtenByOthers: [],
    drop: [],
    portability: null,
  },
  marketing_sends: {
    title: 'Marketing sent to you',
    description: 'Campaigns that included you, and whether the message was sent or held back.',
    writtenByOthers: [],
    drop: [],
    portability: null,
  },
  legal_holds: {
    title: 'Data kept from deletion',
    description: 'Holds that keep some of your data from deletion, with the legal reason and review date.',
    writtenByOthers: ['reason'],
    drop: [],
    portability: null,
  },
};

/** Keys whose value is a user id: shown as that user's role (`takenBy` → `takenByRole`), never the id. */
const USER_KEYS = new Set([
  'takenBy',
  'actionedBy',
  'loggedBy',
  'by',
  'createdBy',
  'invitedBy',
  'placedBy',
  'liftedBy',
]);
/** Roles of staff: an unknown id in a field only staff fill is still a member of staff. */
const STAFF_ONLY_KEYS = new Set(['takenBy', 'loggedBy', 'placedBy', 'liftedBy']);

const ROLE_NAMES: Record<string, string> = {
  admin: 'administrator',
  receptionist: 'receptionist',
  mailroom: 'mailroom staff',
  billing: 'billing staff',
  support: 'support staff',
  privacy_officer: 'privacy officer',
  owner: 'the business’s account owner',
  colleague: 'a colleague at the business',
  staff: 'a member of staff',
  user: 'a user',
  system: 'automatic',
  data_subject: 'you',
};

/** Every user id in the records (under the keys above), so the executor can look their roles up. */
export const userIdsIn = (people: readonly GatheredPerson[]): string[] => {
  const found = new Set<string>();
  const walk = (value: unknown) => {
    if (typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) for (const v of value) walk(v);
    else if (isPlainObject(value))
      for (const key of Object.keys(value)) {
        const v = value[key];
        if (USER_KEYS.has(key) && typeof v === 'string') found.add(v);
        else walk(v);
      }
  };
  for (const p of people) walk(p.datasets);

  return [...found];
};

export const roleName = (role: string | null | undefined) => (role ? (ROLE_NAMES[role] ?? role) : 'unknown');

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);

const normalise = (value: unknown): unknown => {
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return null;
  if (Array.isArray(value)) return value.map(normalise);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));

  return value;
};

const roleOf = (key: string, value: unknown, roles: ReadonlyMap<string, string>) => {
  const known = typeof value === 'string' ? roles.get(value) : undefined;

  return value === null || value === undefined ? null : (known ?? (STAFF_ONLY_KEYS.has(key) ? 'staff' : 'user'));
};

const NO_KEYS: ReadonlySet<string> = new Set();

/**
 * A record as the package shows it, in one pass (a thousand records per person is common): dates as ISO strings,
 * binary as null, each user id replaced by its role under `<key>Role`, and the top-level keys in `drop` left out.
 */
const cleanValue = (value: unknown, roles: ReadonlyMap<string, string>, drop = NO_KEYS): unknown => {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return null;
  if (Array.isArray(value)) return value.map((v) => cleanValue(v, roles));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (USER_KEYS.has(key)) {
      const name = `${key}Role`;
      if (!drop.has(name)) out[name] = roleOf(key, normalise(v), roles);
    } else if (!drop.has(key)) out[key] = cleanValue(v, roles);
  }

  return out;
};

/** The review mark on a record: which fields were checked for other people's data, and which had some removed. */
export type ReviewMark = { fields: string[]; redacted: string[] };

type CleanRecord = Record<string, unknown> & { reviewedForOtherPeople?: ReviewMark };

const cleanRecords = (
  dataset: string,
  records: readonly unknown[],
  roles: ReadonlyMap<string, string>,
  own: OwnKeys,
  marked: readonly StaffRedaction[] = [],
): { records: CleanRecord[]; redactedFields: number } => {
  const spec = DATASETS[dataset];
  const drop = spec?.drop.length ? new Set(spec.drop) : NO_KEYS;
  const writtenByOthers = spec?.writtenByOthers ?? [];
  let redactedFields = 0;
  const out: CleanRecord[] = [];
  for (const raw of records) {
    const record = cleanValue(raw, roles, drop);
    if (!isPlainObject(record)) continue;
    const checked = writtenByOthers.filter((f) => typeof record[f] === 'string');
    if (checked.length > 0) {
      const mark: ReviewMark = { fields: checked, redacted: [] };
      for (const field of checked) {
        const result = redactWith(record[field] as string, own);
        let text = result.text;
        for (const r of marked) {
          if (r.recordId === record.id && r.field === field && r.text) text = text.replaceAll(r.text, REDACTED);
        }
        if (text !== record[field]) {
          record[field] = text;
          mark.redacted.push(field);
          redactedFields += 1;
        }
      }
      record.reviewedForOtherPeople = mark;
    }
    out.push(record);
  }

  return { records: out, redactedFields };
};

const ownAddresses = (person: GatheredPerson['person']): OwnAddresses => ({
  emails: person.email ? [person.email] : [],
  phones: person.phone ? [person.phone] : [],
});

const EXTENSIONS: Record<string, string> = { 'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png' };

const filePath = (file: { id: string; mediaType: string }) => `files/${file.id}.${EXTENSIONS[file.mediaType] ?? 'bin'}`;

/** Post items carry their scans' metadata: point each at its copy in the ZIP (or say why there is none). */
const linkFiles = (records: CleanRecord[], files: GatheredPerson['files']) => {
  for (const record of records) {
    if (!Array.isArray(record.files)) continue;
    record.files = record.files.map((f) => {
      const meta = f as { id: string; mediaType: string };
      const held = files.find((x) => x.id === meta.id);

      return { ...meta, copy: held?.bytes ? filePath(meta) : null };
    });
  }
};

// ─── Describing the processing (Art. 15(1)(a)–(h), 15(2)) ─────────────────────────────────────────────────────────

const SOURCE_NAMES: Record<string, string> = {
  data_subject: 'You',
  client: 'The business you deal with (our client)',
  colleague: 'A colleague in your organisation',
  partner: 'Our partners',
  public_source: 'Public sources',
  automatic: 'Collected automatically when the service is used',
  third_party_caller: 'You, when you phoned or wrote to the business (recorded by our staff)',
  credit_reference_agency: 'Credit reference agencies',
};

const KIND_NAMES: Record<string, string> = {
  group_company: 'Group company',
  processor: 'Processor (acts on instructions)',
  controller: 'Independent controller',
  public_authority: 'Public authority',
  category: 'Category of recipient',
};

/** Audit actions that passed the person's data to someone, described for the person. */
const DISCLOSURES: Record<string, string> = {
  'message.deliver': 'Your message was sent to the business’s people (e-mail or text)',
  'portal.item.read': 'Read by the business in its inbox',
  'data.disclose': 'Disclosed by phone after an identity check',
  'subject.export': 'Included in a copy of your record',
  'post.file.read': 'A scan was viewed',
  'portal.file.read': 'A scan was viewed by the business',
};

/** Audit actions in words, for the report's history (data.json keeps the codes). */
const ACTIONS: Record<string, string> = {
  'subject.create': 'Your details were recorded',
  'subject.read': 'Your details were looked at',
  'subject.export': 'A copy of your record was made',
  'note.create': 'A note about you was written',
  'note.read': 'Notes about you were read',
  'message.create': 'A message from you was taken',
  'message.read': 'Your message was read',
  'message.deliver': 'Your message was sent to the business',
  'portal.item.read': 'Read by the business in its inbox',
  'post.create': 'Post from you was logged',
  'post.read': 'Post from you was looked at',
  'post.status': 'Post from you was handled',
  'consent.record': 'A consent or marketing choice was recorded',
  'marketing.send': 'Marketing was sent to you',
  'data.disclose': 'Your details were disclosed by phone after an identity check',
};

export const NO_AUTOMATED_DECISIONS =
  'We make no decisions about you by automated means alone, including profiling, that have legal or similarly ' +
  'significant effects on you (GDPR Art. 22). Nothing in this copy was produced by such a decision.';

export const REDACTION_NOTE =
  'Some records were written by our staff about you, such as a message a receptionist took. They may mention other ' +
  'people, whose data we may not give you (GDPR Art. 15(4)). Before this copy was made, every such field was ' +
  'checked: any e-mail address or phone number in it that is not yours was replaced by “[redacted]” automatically, ' +
  'and a person read each field and redacted other people’s names, which software cannot find reliably. Each such ' +
  'field is marked in data.json (“reviewedForOtherPeople”, listing the fields checked and those redacted). Staff ' +
  'user ids are replaced by their role. ' +
  'If you think something is missing or wrongly removed, reply to us and a person will look at it.';

/** Commitment ids ("(AS-9)") trace the policy file to reference notices; they mean nothing to the person. */
const COMMITMENT_REFS = /\s?\((?:AS|CC|CV|CP|VO)-\d+(?:,\s*(?:AS|CC|CV|CP|VO)-\d+)*\)/g;
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value).replace(COMMITMENT_REFS, '')) as T;

const deepFreeze = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }

  return value;
};

/**
 * The policy file as the person reads it, made once per loaded file rather than once per package; frozen, since
 * parts of it are shared by every package described from it.
 */
const plainPolicies = new WeakMap<PolicyFile, PolicyFile>();
const plainPolicy = (file: PolicyFile): PolicyFile => {
  let policy = plainPolicies.get(file);
  if (!policy) {
    policy = deepFreeze(plain(file));
    plainPolicies.set(file, policy);
  }

  return policy;
};

export type ProcessingDescription = ReturnType<typeof describeProcessing>;

/**
 * What the policy file says about the processing, narrowed to the answering role: a client's part is processed on
 * that client's instructions (the client is the controller), the provider's own data under its controller purposes.
 * Purposes seen in the person's processing history are marked as used for them.
 */
export const describeProcessing = (
  file: PolicyFile,
  answeredBy: PackageInput['answeredBy'],
  history: readonly { action: string; at: string; byRole: string | null; purpose: string | null }[],
) => {
  const policy = plainPolicy(file);
  const role = answeredBy.isProvider ? 'controller' : 'processor';
  const used = new Set(history.map((h) => h.purpose).filter((p): p is string => Boolean(p)));
  const purposes = policy.purposes.filter((p) => p.role === role || used.has(p.id));
  const categoryIds = new Set(purposes.flatMap((p) => p.categories));
  const categories = policy.categories.filter((c) => categoryIds.has(c.id));
  const purposeIds = new Set(purposes.map((p) => p.id));
  const recipients = policy.recipients.filter((r) => r.purposes.some((p) => purposeIds.has(p)));
  const controller = policy.controller;
  const authority = controller.supervisoryAuthority;
  const adm = policy.rights.list.find((r) => r.right === 'automated_decisions');

  return {
    controller: answeredBy.isProvider
      ? {
          name: controller.tradingName ?? controller.name,
          role: 'controller',
          statement: `${controller.tradingName ?? controller.name} is the controller of this data.`,
        }
      : {
          name: answeredBy.name,
          role: 'controller',
          statement:
            `${answeredBy.name} is the controller of this data: it decides how it is used. ` +
            `${controller.tradingName ?? controller.name} holds it on ${answeredBy.name}’s behalf, as its processor, ` +
            'and prepared this copy for it.',
        },
    privacyContact: controller.privacyContact,
    purposes: purposes.map((p) => ({
      id: p.id,
      name: p.name,
      description: p.description,
      legalBasis: describeBasis(p),
      legitimateInterest: p.legitimateInterest ?? null,
      usedForYou: used.has(p.id),
    })),
    categories: categories.map((c) => ({
      id: c.id,
      name: c.name,
      description: c.description,
      specialCategory: c.specialCategory,
      sources: c.sources.map((s) => SOURCE_NAMES[s] ?? s),
      sourceNote: c.sourceNote ?? null,
    })),
    recipients: recipients.map((r) => ({
      name: r.name,
      kind: KIND_NAMES[r.kind] ?? r.kind,
      description: r.description,
      countries: r.country,
      transfer: r.transfer
        ? `${describeMechanism(r.transfer.mechanism)}${r.transfer.note ? ` — ${r.transfer.note}` : ''}`
        : null,
      onlyWhen: r.onlyWhen ?? null,
    })),
    retention: categories.map((c) => ({
      category: c.name,
      rules: retentionFor(policy, c.id).map(
        (rule) => `${describeRetention(rule)}${rule.note ? ` (${rule.note})` : ''}`,
      ),
    })),
    disclosures: history
      .filter((h) => DISCLOSURES[h.action])
      .map((h) => ({ at: h.at, what: DISCLOSURES[h.action] as string, byRole: h.byRole })),
    automatedDecisions: adm ? `${NO_AUTOMATED_DECISIONS} Your right: ${adm.description}` : NO_AUTOMATED_DECISIONS,
    rights: policy.rights.list.map((r) => ({ right: r.right, description: r.description })),
    howToExercise: policy.rights.howToExercise,
    supervisoryAuthority: {
      name: authority.name,
      web: authority.web,
      phone: authority.phone ?? null,
      address: authority.address ?? null,
      howToComplain: authority.howToComplain,
    },
  };
};

// ─── CSV and JSON Schema ─────────────────────────────────────────────────────────────────────────────────────────

/** = + - @ tab and carriage return: a cell starting with one would run as a formula in a spreadsheet. */
const FORMULA_STARTS = new Set([61, 43, 45, 64, 9, 13]);

const csvCell = (value: unknown) => {
  const text =
    value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  // Prefixed with an apostrophe against CSV injection.
  const safe = FORMULA_STARTS.has(text.charCodeAt(0)) ? `'${text}` : text;

  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

const csvLine = (cells: readonly unknown[]) => {
  let line = '';
  for (let i = 0; i < cells.length; i += 1) line += i === 0 ? csvCell(cells[i]) : `,${csvCell(cells[i])}`;

  return `${line}\r\n`;
};

/** A CSV file as UTF-8: a header line of `columns`, then a line per row. */
export const toCsv = (columns: readonly string[], rows: readonly Record<string, unknown>[]): Buffer => {
  const out = utf8Chunks();
  out.write(csvLine(columns));
  for (const r of rows) out.write(csvLine(columns.map((c) => r[c])));

  return out.bytes();
};

/**
 * One dataset's CSV over every person: a subject_id column, then every field any record has, in order of first
 * appearance (as `toCsv` of the records with `subject_id` put first would give), without copying the records.
 */
const datasetCsv = (people: readonly { subjectId: string; records: readonly Record<string, unknown>[] }[]) => {
  const seen = new Set(['subject_id']);
  for (const p of people) for (const r of p.records) for (const key of Object.keys(r)) seen.add(key);
  const columns = [...seen];
  const out = utf8Chunks();
  out.write(csvLine(columns));
  for (const p of people) {
    for (const r of p.records) {
      out.write(csvLine(columns.map((c) => (c !== 'subject_id' ? r[c] : Object.hasOwn(r, c) ? r[c] : p.subjectId))));
    }
  }

  return out.bytes();
};

const jsonType = (field: FieldSpec): Record<string, unknown> => {
  const base: Record<string, unknown> =
    field.type === 'date-time' ? { type: 'string', format: 'date-time' } : { type: field.type };
  if (field.nullable) base.type = [base.type, 'null'];

  return { ...base, description: field.description };
};

const REVIEW_SCHEMA = {
  type: 'object',
  description:
    'Present on records with free text written by someone else about you: the fields checked, and those ' +
    'in which another person’s e-mail address or phone number was replaced by "[redacted]".',
  required: ['fields', 'redacted'],
  properties: {
    fields: { type: 'array', items: { type: 'string' } },
    redacted: { type: 'array', items: { type: 'string' } },
  },
  additionalProperties: false,
};

/** The JSON Schema (2020-12) of a portability package's data.json; the CSVs hold the same fields, one file each. */
export const portabilitySchema = () => {
  const datasets = Object.entries(DATASETS).filter(([, spec]) => spec.portability);

  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://custodian.invalid/schemas/portability-package-1.json',
    title: 'Your data, in a portable format (GDPR Art. 20)',
    description:
      'data.json holds the personal data you provided to us that we process under a contract with you or with your ' +
      'consent. Each dataset is also in csv/<dataset>.csv: one row per record, a subject_id column then the fields ' +
      'below in the order listed (then reviewedForOtherPeople as JSON, where a dataset has it), UTF-8, ' +
      'comma-separated, RFC 4180 quoting; a cell starting with = + - or @ is ' +
      'prefixed with an apostrophe so spreadsheets do not run it. Dates are ISO 8601 in UTC.',
    type: 'object',
    required: ['format', 'generatedAt', 'controller', 'people', 'excluded'],
    properties: {
      format: { const: PACKAGE_FORMATS.portability },
      generatedAt: { type: 'string', format: 'date-time' },
      controller: { type: 'string', description: 'Who controls this data.' },
      people: {
        type: 'array',
        description: 'One entry per record we hold of you (you may be on file more than once).',
        items: {
          type: 'object',
          required: ['subjectId', 'contact', 'datasets'],
          properties: {
            subjectId: { type: 'string', format: 'uuid', description: 'Our reference for this record of you.' },
            contact: {
              type: 'object',
              description: 'The contact details you gave. CSV: csv/contact.csv.',
              required: ['name', 'email', 'phone'],
              properties: {
                name: { type: ['string', 'null'] },
                email: { type: ['string', 'null'] },
                phone: { type: ['string', 'null'] },
              },
              additionalProperties: false,
            },
            datasets: {
              type: 'object',
              additionalProperties: false,
              properties: Object.fromEntries(
                datasets.map(([name, spec]) => {
                  const fields = spec.portability?.fields ?? [];

                  return [
                    name,
                    {
                      description: `${spec.title}: ${spec.description} CSV: csv/${name}.csv.`,
                      type: 'array',
                      items: {
                        type: 'object',
                        required: fields.map((f) => f.name),
                        properties: {
                          ...Object.fromEntries(fields.map((f) => [f.name, jsonType(f)])),
                          ...(spec.writtenByOthers.length ? { reviewedForOtherPeople: REVIEW_SCHEMA } : {}),
                        },
                        additionalProperties: false,
                      },
                    },
                  ];
                }),
              ),
            },
          },
          additionalProperties: false,
        },
      },
      excluded: {
        type: 'array',
        description: 'Data we hold that is not in this file, and why (it is in an access copy).',
        items: {
          type: 'object',
          required: ['dataset', 'reason'],
          properties: { dataset: { type: 'string' }, reason: { type: 'string' } },
        },
      },
    },
    additionalProperties: false,
  };
};

// ─── HTML ────────────────────────────────────────────────────────────────────────────────────────────────────────

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const entity = (c: string) => ENTITIES[c] as string;

/** Most values have nothing to escape: a test first returns them as they are, without building a new string. */
const esc = (value: unknown) => {
  const text = String(value ?? '');

  return /[&<>"']/.test(text) ? text.replace(/[&<>"']/g, entity) : text;
};

const STYLE = `
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2330; max-width: 60rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.3rem; border-bottom: 2px solid #d8dce4; padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin-bottom: .25rem; }
table { width: 100%; border-collapse: collapse; font-size: .9rem; margin: .5rem 0 1rem; }
th, td { border: 1px solid #d8dce4; padding: .35rem .5rem; vertical-align: top; text-align: left; white-space: pre-wrap; }
thead th { background: #f3f5f8; } table.record th { width: 14rem; background: #fbfcfd; font-weight: 600; }
.note { color: #4d5566; font-size: .9rem; } .flag { background: #fff6d6; border: 1px solid #e8d48a; padding: .5rem .75rem; } .flag h2 { margin-top: .5rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; } dt { font-weight: 600; } dd { margin: 0; }
@media print { body { max-width: none; } tr { page-break-inside: avoid; } h2 { page-break-after: avoid; } }`;

const pageStart = (title: string) =>
  `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
  `<title>${esc(title)}</title><style>${STYLE}</style></head><body>`;
const PAGE_END = '</body></html>\n';

const page = (title: string, body: string) => `${pageStart(title)}${body}${PAGE_END}`;

const labels = new Map<string, string>();

/** A field name for people: `takenByRole` → "Taken by", `callbackRequested` → "Callback requested". */
const label = (key: string) => {
  let known = labels.get(key);
  if (known === undefined) {
    known = labelOf(key);
    labels.set(key, known);
  }

  return known;
};

const labelOf = (key: string) => {
  if (key === 'id') return 'Reference';
  if (key === 'reviewedForOtherPeople') return 'Checked for other people’s data';
  const words = key
    .replace(/Role$/, '')
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();

  return words.charAt(0).toUpperCase() + words.slice(1);
};

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z$/;

/** "2026-11-23T09:00:00.000Z" as people read it, "2026-11-23 09:00 UTC"; data.json keeps the exact instant. */
const readableTime = (value: string) =>
  ISO_TIME.test(value) ? `${value.slice(0, 10)} ${value.slice(11, 16)} UTC` : value;

/**
 * A cell for people to read: roles by name ("receptionist", "a colleague at the business"), times without their
 * seconds, nested records inline.
 */
const cellText = (value: unknown, key = ''): string => {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string' && (key.endsWith('At') || key.endsWith('_at') || key === 'When'))
    return readableTime(value);
  if (key === 'reviewedForOtherPeople' && isPlainObject(value)) {
    const mark = value as ReviewMark;

    return `Checked: ${mark.fields.join(', ')}. ${mark.redacted.length ? `Redacted: ${mark.redacted.join(', ')}.` : 'Nothing redacted.'}`;
  }
  if (key.endsWith('Role') && typeof value === 'string') return roleName(value);
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (Array.isArray(value)) return value.map((v) => cellText(v)).join('\n');
  if (isPlainObject(value))
    return Object.entries(value)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => `${label(k)}: ${cellText(v, k)}`)
      .join('; ');

  return String(value);
};

// The report has a row per field of every record (tens of thousands for a person with a thousand messages): the
// long tables are written straight into a `Utf8Chunks` rather than returned as one string (see there); the short
// ones, in the description of our processing, are strings.
const writeTable = (out: TextOut, columns: readonly string[], rows: readonly Record<string, unknown>[]) => {
  if (rows.length === 0) {
    out.write('<p class="note">None.</p>');
    return;
  }
  let html = '<table><thead><tr>';
  for (const c of columns) html += `<th scope="col">${esc(c)}</th>`;
  out.write(`${html}</tr></thead><tbody>`);
  for (const r of rows) {
    html = '<tr>';
    for (const c of columns) html += `<td>${esc(cellText(r[c], c))}</td>`;
    out.write(`${html}</tr>`);
  }
  out.write('</tbody></table>');
};

const table = (columns: readonly string[], rows: readonly Record<string, unknown>[]) => {
  const out = textOut();
  writeTable(out, columns, rows);

  return out.text;
};

/** Records one under another, each as label and value: readable on a phone and on paper, however many fields. */
const writeRecordList = (out: TextOut, rows: readonly Record<string, unknown>[]) => {
  if (rows.length === 0) {
    out.write('<p class="note">None.</p>');
    return;
  }
  for (const r of rows) {
    let html = '<table class="record"><tbody>';
    for (const k of Object.keys(r))
      html += `<tr><th scope="row">${esc(label(k))}</th><td>${esc(cellText(r[k], k))}</td></tr>`;
    out.write(`${html}</tbody></table>`);
  }
};

const dateOnly = (d: Date) => d.toISOString().slice(0, 10);

const describeSection = (about: ProcessingDescription) => `
<h2 id="why">Why we hold your data, and on what legal basis</h2>
${table(
  ['Purpose', 'What it means', 'Legal basis', 'Used for your data'],
  about.purposes.map((p) => ({
    Purpose: p.name,
    'What it means': p.legitimateInterest ? `${p.description} Our interest: ${p.legitimateInterest}` : p.description,
    'Legal basis': p.legalBasis,
    'Used for your data': p.usedForYou ? 'Yes' : 'Not recorded for you',
  })),
)}
<h2 id="categories">Kinds of data, and where they came from</h2>
${table(
  ['Kind of data', 'What it includes', 'Where it came from'],
  about.categories.map((c) => ({
    'Kind of data': c.name,
    'What it includes': c.description,
    'Where it came from': [c.sources.join('; '), c.sourceNote].filter(Boolean).join('. '),
  })),
)}
<h2 id="recipients">Who receives it</h2>
${table(
  ['Recipient', 'Kind', 'Why', 'Countries', 'Safeguard for transfers abroad', 'Only when'],
  about.recipients.map((r) => ({
    Recipient: r.name,
    Kind: r.kind,
    Why: r.description,
    Countries: r.countries.join(', '),
    'Safeguard for transfers abroad': r.transfer ?? 'Not transferred outside the UK/EEA',
    'Only when': r.onlyWhen ?? '',
  })),
)}
<h3>Disclosures of your data we have recorded</h3>
${table(
  ['When', 'What', 'Done by'],
  about.disclosures.map((d) => ({ When: d.at, What: d.what, 'Done by': roleName(d.byRole) })),
)}
<h2 id="retention">How long we keep it</h2>
${table(
  ['Kind of data', 'Kept for'],
  about.retention.map((r) => ({
    'Kind of data': r.category,
    'Kept for': r.rules.join(' ') || 'See our privacy notice.',
  })),
)}
<h2 id="decisions">Automated decisions</h2>
<p>${esc(about.automatedDecisions)}</p>
<h2 id="rights">Your rights</h2>
${table(
  ['Right', 'What it means'],
  about.rights.map((r) => ({ Right: r.right.replaceAll('_', ' '), 'What it means': r.description })),
)}
<p>To use them: ${esc(
  Object.entries(about.howToExercise)
    .map(([how, where]) => `${how}: ${where}`)
    .join('; '),
)}.</p>
<p>You may complain to ${esc(about.supervisoryAuthority.name)} (${esc(about.supervisoryAuthority.web)}). ${esc(
  about.supervisoryAuthority.howToComplain,
)}</p>`;

type PersonView = {
  subjectId: string;
  person: GatheredPerson['person'];
  datasets: Record<string, CleanRecord[]>;
  processingControls: Record<string, unknown>[];
  processingHistory: GatheredPerson['processingHistory'];
  files: { id: string; itemId: string; mediaType: string; copy: string | null }[];
};

/** The access report, written into `out` (a megabyte of HTML for a person with a thousand records). */
const writeAccessReport = (out: TextOut, input: PackageInput, people: PersonView[], about: ProcessingDescription) => {
  const total = people.reduce((n, p) => n + Object.values(p.datasets).reduce((m, rows) => m + rows.length, 0), 0);
  out.write(pageStart(`Your personal data — ${about.controller.name}`));
  out.write(`<h1>Your personal data held by ${esc(about.controller.name)}</h1>
<p><strong>Yes, we hold personal data about you.</strong> This is a copy of all of it (${total} records), prepared on
${esc(input.generatedAt.toISOString().slice(0, 16).replace('T', ' '))} UTC in answer to your request (reference ${esc(input.requestId)}).</p>
<p>${esc(about.controller.statement)}</p>
<p class="note">The download link works until ${esc(dateOnly(input.expiresAt))}; then this copy is deleted from our
systems. The same data is in data.json (every field) and in csv/ (one file per kind of record); scans are in files/.
Print this page to keep it as a PDF.</p>
<div class="flag"><h2 id="others">Other people’s data</h2><p>${esc(REDACTION_NOTE)}</p></div>
`);
  people.forEach((p, index) => {
    const heading = people.length > 1 ? `Your record ${index + 1} of ${people.length}` : 'Your record';
    out.write(`<section><h2 id="record-${index + 1}">${heading}</h2>
<dl><dt>Name</dt><dd>${esc(p.person.name)}</dd><dt>E-mail</dt><dd>${esc(p.person.email)}</dd>
<dt>Phone</dt><dd>${esc(p.person.phone)}</dd><dt>Recorded as</dt><dd>${esc(p.person.kind)}</dd>
<dt>Where it came from</dt><dd>${esc(p.person.source)}</dd><dt>Since</dt><dd>${esc(readableTime(p.person.createdAt))}</dd>
<dt>Our reference</dt><dd>${esc(p.subjectId)}</dd></dl>
`);
    for (const [name, rows] of Object.entries(p.datasets)) {
      const spec = DATASETS[name];
      out.write(
        `<h3>${esc(spec?.title ?? name)} (${rows.length})</h3>${spec ? `<p class="note">${esc(spec.description)}</p>` : ''}`,
      );
      writeRecordList(out, rows);
    }
    out.write(`
<h3>Scans (${p.files.length})</h3>${table(
      ['Reference', 'Type', 'Copy in this ZIP'],
      p.files.map((f) => ({
        Reference: f.id,
        Type: f.mediaType,
        'Copy in this ZIP': f.copy ?? 'no longer readable',
      })),
    )}
<h3>Limits on use you asked for (restriction, objection)</h3>`);
    writeRecordList(out, p.processingControls);
    out.write(`
<h3>What was done with your data (${p.processingHistory.length})</h3>
<p class="note">From our audit trail. People are shown by role, never by name.</p>`);
    writeTable(
      out,
      ['When', 'What', 'Done by', 'Purpose', 'Fields'],
      p.processingHistory.map((h) => ({
        When: h.at,
        What: ACTIONS[h.action] ?? h.action,
        'Done by': roleName(h.byRole),
        Purpose: h.purpose,
        Fields: h.fields.join(', '),
      })),
    );
    out.write('</section>');
  });
  out.write(`
${describeSection(about)}${PAGE_END}`);
};

const portabilityReport = (
  input: PackageInput,
  about: ProcessingDescription,
  counts: Record<string, number>,
  excluded: { dataset: string; reason: string }[],
) =>
  page(
    `Your data to take elsewhere — ${about.controller.name}`,
    `<h1>Your data to take elsewhere</h1>
<p>${esc(about.controller.statement)}</p>
<p>This file holds the personal data you provided to us that we process under a contract with you or with your
consent (GDPR Art. 20), in a format other services can read: data.json, and the same in csv/. schema.json describes
every field. Prepared ${esc(input.generatedAt.toISOString().slice(0, 16).replace('T', ' '))} UTC (request
${esc(input.requestId)}); the link works until ${esc(dateOnly(input.expiresAt))}.</p>
${table(
  ['Included', 'Records'],
  Object.entries(counts).map(([name, n]) => ({ Included: DATASETS[name]?.title ?? name, Records: n })),
)}
<h2>Not included</h2>${table(
      ['Data', 'Why'],
      excluded.map((e) => ({ Data: DATASETS[e.dataset]?.title ?? e.dataset, Why: e.reason })),
    )}
<p class="note">For a copy of everything we hold, with why and how we use it, ask for access instead.</p>
<div class="flag"><p>${esc(REDACTION_NOTE)}</p></div>`,
  );

// ─── Assembly ────────────────────────────────────────────────────────────────────────────────────────────────────

const prepare = (input: PackageInput) => {
  let redactedFields = 0;
  const people: PersonView[] = input.people.map((p) => {
    const own = ownKeys(ownAddresses(p.person));
    const datasets: Record<string, CleanRecord[]> = {};
    for (const [name, records] of Object.entries(p.datasets)) {
      const cleaned = cleanRecords(name, records, input.roles, own, input.redactions);
      redactedFields += cleaned.redactedFields;
      linkFiles(cleaned.records, p.files);
      datasets[name] = cleaned.records;
    }

    return {
      subjectId: p.subjectId,
      person: p.person,
      datasets,
      processingControls: p.processingControls.map((c) => normalise(c) as Record<string, unknown>),
      processingHistory: p.processingHistory,
      files: p.files.map((f) => ({
        id: f.id,
        itemId: f.itemId,
        mediaType: f.mediaType,
        copy: f.bytes ? filePath(f) : null,
      })),
    };
  });

  return { people, redactedFields };
};

const countRecords = (people: readonly { datasets: Record<string, readonly unknown[]> }[]) => {
  const counts: Record<string, number> = {};
  for (const p of people)
    for (const [name, rows] of Object.entries(p.datasets)) counts[name] = (counts[name] ?? 0) + rows.length;

  return counts;
};

const README = (kind: PackageKind) =>
  kind === 'access'
    ? 'report.html  Your data and how it is used, readable in a browser (print it to keep a PDF).\r\n' +
      'data.json    The same data, every field, for computers (format custodian.access-package/1).\r\n' +
      'csv/         One CSV file per kind of record, with a subject_id column.\r\n' +
      'files/       Copies of scans of post you sent.\r\n'
    : 'report.html  What this file holds and what it does not.\r\n' +
      'data.json    Your data (format custodian.portability-package/1).\r\n' +
      'schema.json  A JSON Schema (2020-12) describing data.json and the CSV files.\r\n' +
      'csv/         The same data, one CSV file per kind of record.\r\n';

const history = (input: PackageInput) => input.people.flatMap((p) => p.processingHistory);

const assembleAccess = async (input: PackageInput): Promise<AssembledPackage> => {
  const zip = zipWriter();
  zip.add('README.txt', README('access'));
  const { people, redactedFields } = prepare(input);
  const about = describeProcessing(input.policy, input.answeredBy, history(input));
  const report = utf8Chunks();
  writeAccessReport(report, input, people, about);
  zip.add('report.html', report.bytes());
  const data = {
    format: PACKAGE_FORMATS.access,
    packageId: input.packageId,
    requestId: input.requestId,
    generatedAt: input.generatedAt.toISOString(),
    expiresAt: input.expiresAt.toISOString(),
    confirmation: people.length > 0,
    about,
    otherPeople: REDACTION_NOTE,
    people,
  };
  // Compact: a package holds thousands of records, which indentation makes several times slower to write (and
  // larger); report.html is the copy for reading, and any JSON viewer lays this one out.
  const json = utf8Chunks();
  writeJson(json, data);
  zip.add('data.json', json.bytes());
  zip.add(
    'csv/person.csv',
    toCsv(
      ['subject_id', 'kind', 'name', 'email', 'phone', 'source', 'createdAt'],
      people.map((p) => ({ subject_id: p.subjectId, ...p.person })),
    ),
  );
  zip.add(
    'csv/processing_history.csv',
    toCsv(
      ['subject_id', 'seq', 'at', 'action', 'byRole', 'purpose', 'fields'],
      people.flatMap((p) => p.processingHistory.map((h) => ({ subject_id: p.subjectId, ...h }))),
    ),
  );
  const names = [...new Set(people.flatMap((p) => Object.keys(p.datasets)))];
  for (const name of names) {
    zip.add(
      `csv/${name}.csv`,
      datasetCsv(people.map((p) => ({ subjectId: p.subjectId, records: p.datasets[name] ?? [] }))),
    );
  }
  // Scans are already compressed (PDF, JPEG, PNG): stored as they are, not deflated again.
  for (const p of input.people) for (const f of p.files) if (f.bytes) zip.add(filePath(f), f.bytes, { store: true });

  return {
    zip: await zip.finish(input.generatedAt),
    counts: countRecords(people),
    redactedFields,
  };
};

const PORTABLE_BASES = new Set<string>(
  Object.entries(LEGAL_BASES)
    .filter(([, b]) => b.kernel === 'contract' || b.kernel === 'consent')
    .map(([curie]) => curie),
);

const assemblePortability = async (input: PackageInput): Promise<AssembledPackage> => {
  const { people, redactedFields } = prepare(input);
  const about = describeProcessing(input.policy, input.answeredBy, history(input));
  const present = [...new Set(people.flatMap((p) => Object.keys(p.datasets)))];
  const excluded: { dataset: string; reason: string }[] = [];
  const portable = new Map<string, readonly FieldSpec[]>();
  for (const name of present) {
    const rule = DATASETS[name]?.portability;
    const purpose = rule ? input.policy.purposes.find((p) => p.id === rule.purpose) : undefined;
    if (!rule) excluded.push({ dataset: name, reason: 'Not data you provided (written by us or kept as our record).' });
    else if (!purpose || !PORTABLE_BASES.has(purpose.legalBasis))
      excluded.push({ dataset: name, reason: 'Not processed under a contract with you or your consent.' });
    else portable.set(name, rule.fields);
  }
  excluded.push({ dataset: 'processing_history', reason: 'Our record of what we did, not data you provided.' });
  const scans = people.reduce((n, p) => n + p.files.length, 0);
  if (scans > 0)
    excluded.push({ dataset: 'scans', reason: 'Images, not machine-readable data; they are in an access copy.' });

  const pick = (record: CleanRecord, fields: readonly FieldSpec[]) => {
    const out: Record<string, unknown> = Object.fromEntries(fields.map((f) => [f.name, record[f.name] ?? null]));
    if (record.reviewedForOtherPeople) out.reviewedForOtherPeople = record.reviewedForOtherPeople;

    return out;
  };
  const data = {
    format: PACKAGE_FORMATS.portability,
    generatedAt: input.generatedAt.toISOString(),
    controller: about.controller.name,
    people: people.map((p) => ({
      subjectId: p.subjectId,
      contact: { name: p.person.name, email: p.person.email, phone: p.person.phone },
      datasets: Object.fromEntries(
        [...portable].map(([name, fields]) => [name, (p.datasets[name] ?? []).map((r) => pick(r, fields))]),
      ),
    })),
    excluded,
  };
  const counts = countRecords(data.people);
  const html = portabilityReport(input, about, counts, excluded);
  const zip = zipWriter();
  zip.add('README.txt', README('portability'));
  zip.add('report.html', html);
  const json = utf8Chunks();
  writeJson(json, data);
  zip.add('data.json', json.bytes());
  // The schema is small and read by people writing an importer: laid out for reading.
  zip.add('schema.json', JSON.stringify(portabilitySchema(), null, 2));
  zip.add(
    'csv/contact.csv',
    toCsv(
      ['subject_id', 'name', 'email', 'phone'],
      data.people.map((p) => ({ subject_id: p.subjectId, ...p.contact })),
    ),
  );
  for (const [name, fields] of portable) {
    const rows = data.people.flatMap((p) =>
      (p.datasets[name] ?? []).map((r) => ({
        subject_id: p.subjectId,
        ...r,
        reviewedForOtherPeople: (r as CleanRecord).reviewedForOtherPeople ?? null,
      })),
    );
    const review = DATASETS[name]?.writtenByOthers.length ? ['reviewedForOtherPeople'] : [];
    zip.add(`csv/${name}.csv`, toCsv(['subject_id', ...fields.map((f) => f.name), ...review], rows));
  }

  return { zip: await zip.finish(input.generatedAt), counts, redactedFields };
};

export const assemblePackage = (input: PackageInput): Promise<AssembledPackage> =>
  input.kind === 'access' ? assembleAccess(input) : assemblePortability(input);

/** The HTML report inside a package's ZIP. */
export const reportOf = (zip: Uint8Array): string => {
  const entry = unzipSync(zip, { filter: (f) => f.name === 'report.html' })['report.html'];
  if (!entry) throw new Error('The package has no report');

  return Buffer.from(entry).toString('utf8');
};
