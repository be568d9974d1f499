/**
 * @module Deterministic fictional data for benchmarks: the same seed always gives the same people and notes.
 *
 * Every name is invented, every e-mail address is at `example.test` (a domain that cannot receive mail) and every
 * phone number is in a range Ofcom reserves for drama, so nothing here can reach or describe a real person.
 *
 * Tiers follow the sizing in the research notes (domain.md §5): tier S is one centre after seven years (≈400 000
 * rows), tier M a regional operator (≈25 000 000 rows). The generator streams, so tier M never has to fit in memory.
 *
 * @example
 * for (const record of contactNoteRecords(TIERS.S, { seed: 42, rows: 10_000 })) console.log(record.person.email)
 */
import crypto from 'node:crypto';

/** A small, fast, seedable PRNG (Tommy Ettinger's mulberry32); returns floats in [0, 1). */
export const mulberry32 = (seed: number) => {
  let a = seed >>> 0;

  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);

    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

export type TierName = 'S' | 'M';

export type Tier = Readonly<{
  name: TierName;
  /** Client accounts of the provider. */
  accounts: number;
  /** Distinct people (data subjects) the notes are about. */
  people: number;
  /** Contact notes; the first note about a person creates them. */
  notes: number;
}>;

/**
 * Rows one record writes through the repository layer: a new person costs a subject, its data key and a
 * `subject.create` audit event; every note costs the note and a `note.create` audit event.
 */
export const ROWS_PER_NEW_PERSON = 3;
export const ROWS_PER_NOTE = 2;

export const tierRows = (tier: Tier) => tier.people * ROWS_PER_NEW_PERSON + tier.notes * ROWS_PER_NOTE;

/** S: 50 clients × 800 people, 140 000 notes → 400 000 rows. M: 1 000 clients × 2 500 people, 8.75 M notes → 25 M rows. */
export const TIERS: Readonly<Record<TierName, Tier>> = {
  S: { name: 'S', accounts: 50, people: 40_000, notes: 140_000 },
  M: { name: 'M', accounts: 1_000, people: 2_500_000, notes: 8_750_000 },
};

const FIRST_NAMES = [
  'Arlen',
  'Brisa',
  'Corvin',
  'Delphine',
  'Emrys',
  'Fenna',
  'Galen',
  'Hollis',
  'Ilse',
  'Joren',
  'Kestrel',
  'Liora',
  'Marlo',
  'Nerys',
  'Orrin',
  'Pella',
  'Quill',
  'Rowan',
  'Sable',
  'Tamsin',
  'Ulric',
  'Vesna',
  'Wren',
  'Yarrow',
] as const;

const SURNAMES = [
  'Ashcombe',
  'Brackley',
  'Cindergate',
  'Dunmore',
  'Elderwick',
  'Farrowby',
  'Greythorn',
  'Hollowell',
  'Ingleby',
  'Jessop-Vane',
  'Kettleburn',
  'Larkspur',
  'Mossgrove',
  'Nettlefold',
  'Oakhanger',
  'Pennywhistle',
  'Quarrendon',
  'Rookwood',
  'Saltmarsh',
  'Thistlewood',
  'Underhay',
  'Vellacott',
  'Whitlock-Brume',
  'Yelverton',
] as const;

/** Ofcom's numbers for TV and radio drama: a prefix plus three free digits each (1 000 numbers per range). */
const DRAMA_PHONE_RANGES = ['07700 900', '020 7946 0', '0113 496 0', '0117 496 0', '0161 496 0', '01632 960'] as const;

const TOPICS = [
  'the lease renewal',
  'an unpaid invoice',
  'a delivery that did not arrive',
  'moving an appointment',
  'a quote',
  'a parcel to collect',
  'a change of address',
  'the opening hours',
  'a complaint about noise',
  'a site visit',
] as const;

const WHEN = ['before noon', 'after 3pm', 'any weekday', 'on Friday', 'tomorrow morning', 'by e-mail only'] as const;

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;

/** Mixes the run seed with an index so that any person can be regenerated from its index alone. */
const seedFor = (seed: number, index: number) =>
  (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0;

export type Person = {
  /** 0-based; also decides the account: `index % tier.accounts`. */
  index: number;
  accountIndex: number;
  name: string;
  email: string | undefined;
  phone: string | undefined;
};

/**
 * The person with this index. E-mails are unique everywhere; phone numbers are unique inside an account (the
 * blind index that matches people is scoped to the account), which allows 6 000 people per account.
 */
export const personAt = (tier: Tier, seed: number, index: number): Person => {
  const rand = mulberry32(seedFor(seed, index));
  const first = pick(rand, FIRST_NAMES);
  const last = pick(rand, SURNAMES);
  const hasEmail = rand() < 0.85;
  let hasPhone = rand() < 0.6;
  if (!hasEmail) hasPhone = true;
  const accountIndex = index % tier.accounts;
  const local = Math.floor(index / tier.accounts);
  const range = DRAMA_PHONE_RANGES[Math.floor(local / 1000) % DRAMA_PHONE_RANGES.length] as string;

  return {
    index,
    accountIndex,
    name: `${first} ${last}`,
    email: hasEmail ? `${first}.${last}.${index}@example.test`.toLowerCase() : undefined,
    phone: hasPhone ? `${range}${String(local % 1000).padStart(3, '0')}` : undefined,
  };
};

/** A stable UUID for a person, for raw inserts that do not look people up. */
export const personUuid = (seed: number, index: number) => {
  const h = crypto.createHash('sha256').update(`${seed}:${index}`).digest('hex');

  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

export type NoteRecord = {
  /** 0-based position in the stream. */
  seq: number;
  person: Person;
  /** True for the first note about this person: writing it creates the person. */
  newPerson: boolean;
  body: string;
};

/**
 * Contact notes in a fixed order. New people are spread evenly through the stream (so any prefix has the tier's
 * mix of new and returning people); a returning person is drawn uniformly from those created so far.
 *
 * Stops after `notes` records, or once the records would have written `rows` rows through the repository layer.
 */
export function* contactNoteRecords(
  tier: Tier,
  options: { seed: number; rows?: number; notes?: number },
): Generator<NoteRecord> {
  const rand = mulberry32(options.seed);
  const maxNotes = Math.min(options.notes ?? tier.notes, tier.notes);
  const maxRows = options.rows ?? Number.POSITIVE_INFINITY;
  let created = 0;
  let rows = 0;
  for (let seq = 0; seq < maxNotes; seq += 1) {
    const newPerson = created === 0 || Math.floor(((seq + 1) * tier.people) / tier.notes) > created;
    const cost = ROWS_PER_NOTE + (newPerson ? ROWS_PER_NEW_PERSON : 0);
    if (rows + cost > maxRows) return;
    rows += cost;
    const index = newPerson ? created : Math.floor(rand() * created);
    if (newPerson) created += 1;
    const body = `Called about ${pick(rand, TOPICS)}; please ring back ${pick(rand, WHEN)}. Ref ${options.seed}-${seq}.`;
    yield { seq, person: personAt(tier, options.seed, index), newPerson, body };
  }
}

/** Rows the repository layer writes for these records (see ROWS_PER_*). */
export const repositoryRows = (records: readonly NoteRecord[]) =>
  records.reduce((n, r) => n + ROWS_PER_NOTE + (r.newPerson ? ROWS_PER_NEW_PERSON : 0), 0);
