/**
 * @module The shape of a policy file: one YAML document per business describing its processing. The same document
 * drives the decision function, the public notice at `/privacy` and the Art. 30 record of processing.
 * Cross-references between sections (a purpose's categories, a recipient's purposes, …) are checked by
 * `checkPolicy`, which can suggest the id that was probably meant.
 *
 * @example
 * const parsed = ZPolicyFile.safeParse(yaml.parse(text))
 */
import { z } from 'zod';
import { LEGAL_BASIS_CURIES } from './dpv.ts';

const id = z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case (lower-case letters, digits, _)');
const text = z.string().trim().min(1, 'must not be empty');
/** ISO 8601 duration in years, months, weeks or days, e.g. P6Y, P6M, P30D, P0D. */
const duration = z
  .string()
  .regex(/^P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$/, 'must be an ISO 8601 duration such as P6Y, P6M or P30D');
const isoDate = z.iso.date('must be a date as YYYY-MM-DD');
/** ISO 3166 alpha-2 country code, or EU / EEA for the whole area. */
const country = z
  .string()
  .regex(/^([A-Z]{2}|EU|EEA)$/, 'must be an ISO 3166 country code such as GB, US, NZ (or EU, EEA)');
const email = z.email('must be an e-mail address');

export const RETENTION_EVENTS = [
  'collected',
  'last_activity',
  'contract_ended',
  'account_closed',
  'correspondence_dated',
  'opted_out',
  'ticket_closed',
  'consent_withdrawn',
  'message_delivered',
] as const;

export const TRANSFER_MECHANISMS = [
  'adequacy',
  'uk_idta',
  'uk_addendum',
  'eu_scc',
  'eu_us_dpf',
  'uk_us_data_bridge',
  'swiss_us_dpf',
  'binding_corporate_rules',
  'derogation',
  'privacy_shield',
] as const;

export const SOURCES = [
  'data_subject',
  'client',
  'colleague',
  'partner',
  'public_source',
  'automatic',
  'third_party_caller',
  'credit_reference_agency',
] as const;

export const RIGHTS = [
  'informed',
  'access',
  'rectification',
  'erasure',
  'restriction',
  'objection',
  'object_direct_marketing',
  'portability',
  'automated_decisions',
  'withdraw_consent',
  'complain',
] as const;

export const CHANNELS = ['email', 'sms', 'phone', 'post', 'fax', 'social'] as const;
export const COOKIE_CATEGORIES = [
  'necessary',
  'authentication',
  'status',
  'personalisation',
  'security',
  'analytics',
  'advertising',
  'consent',
] as const;
export const RECIPIENT_KINDS = ['group_company', 'processor', 'controller', 'public_authority', 'category'] as const;

const ZContact = z.strictObject({
  name: text.optional(),
  role: text.optional(),
  email: email.optional(),
  phone: text.optional(),
  address: text.optional(),
  web: z.url().optional(),
});

const ZCompany = z.strictObject({
  name: text,
  country,
  registration: text.optional(),
  address: text.optional(),
  role: text.optional(),
});

export const ZPolicyFile = z.strictObject({
  policy: z.literal(1, 'must be 1 (the policy-file format version)'),
  id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be kebab-case (lower-case letters, digits, -)'),
  title: text,
  version: z.number().int().min(1),
  effectiveDate: isoDate,
  jurisdictions: z.array(z.enum(['GB', 'EU', 'CH'])).min(1),
  /** The notice this file models, by commitment prefix (AS, CC, CV, CP, VO). */
  commitments: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .optional(),
  summary: text,
  controller: z.strictObject({
    name: text,
    tradingName: text.optional(),
    legalEntities: z.array(ZCompany).min(1),
    groupCompanies: z.array(ZCompany).default([]),
    privacyContact: ZContact.extend({ isDpo: z.boolean() }),
    representatives: z
      .array(
        z.strictObject({ region: z.enum(['EU', 'UK']), name: text, address: text.optional(), email: email.optional() }),
      )
      .default([]),
    supervisoryAuthority: z.strictObject({
      name: text,
      country,
      web: z.url(),
      phone: text.optional(),
      address: text.optional(),
      howToComplain: text,
    }),
    otherAuthorities: z.array(z.strictObject({ name: text, web: z.url() })).default([]),
  }),
  roles: z.strictObject({
    controller: z.strictObject({ description: text }),
    processor: z
      .strictObject({
        description: text,
        controllers: text,
        categories: z.array(id).min(1),
        activities: z.array(text).min(1),
        requests: text,
      })
      .optional(),
  }),
  dataSubjects: z.array(z.strictObject({ id, name: text, dpv: z.string() })).min(1),
  categories: z
    .array(
      z.strictObject({
        id,
        name: text,
        description: text,
        dpv: z.array(z.string()).min(1),
        specialCategory: z.boolean(),
        sources: z.array(z.enum(SOURCES)).min(1),
        sourceNote: text.optional(),
        required: z.boolean().default(false),
        role: z.enum(['controller', 'processor']).default('controller'),
      }),
    )
    .min(1),
  purposes: z
    .array(
      z.strictObject({
        id,
        name: text,
        description: text,
        dpv: z.string(),
        legalBasis: z.enum(LEGAL_BASIS_CURIES),
        /** Required for legitimate interests (Art. 6(1)(f)): the interest pursued. */
        legitimateInterest: text.optional(),
        categories: z.array(id).min(1),
        dataSubjects: z.array(id).min(1),
        directMarketing: z.boolean().default(false),
        role: z.enum(['controller', 'processor']).default('controller'),
        /** True for purposes the notice lists as "only where necessary" (legal claims, vital interests, …). */
        occasional: z.boolean().default(false),
      }),
    )
    .min(1),
  retention: z
    .array(
      z.strictObject({
        category: id,
        period: duration,
        /** One event, or several meaning "the later of". */
        after: z.union([z.enum(RETENTION_EVENTS), z.array(z.enum(RETENTION_EVENTS)).min(2)]),
        action: z.enum(['delete', 'anonymise', 'suppress']),
        /** What survives a `suppress` (e.g. the address and the preference, so no more marketing is sent). */
        keep: text.optional(),
        extendedBy: z.array(z.enum(['legal_obligation', 'legal_claims', 'vital_interests'])).default([]),
        note: text.optional(),
      }),
    )
    .min(1),
  recipients: z.array(
    z.strictObject({
      id,
      name: text,
      kind: z.enum(RECIPIENT_KINDS),
      description: text,
      country: z.array(country).min(1),
      categories: z.array(id).min(1),
      purposes: z.array(id).min(1),
      transfer: z
        .strictObject({
          mechanism: z.enum(TRANSFER_MECHANISMS),
          note: text.optional(),
        })
        .optional(),
      /** Art. 28 contract in place (processors). */
      processingContract: z.boolean().default(false),
      onlyWhen: text.optional(),
    }),
  ),
  rights: z.strictObject({
    responsePeriod: duration,
    extension: duration,
    fees: z.strictObject({
      firstCopyFree: z.literal(true, 'must be true: the first copy is always free'),
      furtherCopies: text,
      manifestlyUnfounded: text,
    }),
    identityVerification: z.array(text).min(1),
    howToExercise: z.strictObject({
      email: email.optional(),
      web: text.optional(),
      post: text.optional(),
      phone: text.optional(),
    }),
    list: z.array(z.strictObject({ right: z.enum(RIGHTS), description: text })).min(1),
    processorRequests: text.optional(),
    /**
     * How the statutory clock counts: whose bank holidays move a deadline, and whether day one is the day of receipt
     * (the ICO's reading, the default) or the day after.
     */
    calendar: z
      .strictObject({
        region: z.enum(['england-and-wales', 'scotland', 'northern-ireland']),
        counting: z.enum(['day-of-receipt', 'day-after']),
      })
      .default({ region: 'england-and-wales', counting: 'day-of-receipt' }),
  }),
  marketing: z.strictObject({
    channels: z.array(
      z.strictObject({
        channel: z.enum(CHANNELS),
        basis: z.enum(['consent', 'soft_opt_in', 'legitimate_interests']),
        rules: text,
      }),
    ),
    optOut: text,
    neverSold: z.boolean().default(false),
    /**
     * PECR reg. 22 covers individual subscribers only: a corporate subscriber (company, LLP, Scottish partnership,
     * public body) may be sent marketing e-mail and SMS without consent, if identified as such when the address is
     * collected and offered an opt-out. Sole traders and other partnerships are individuals. Off unless the notice
     * says so.
     */
    corporateSubscribers: z
      .strictObject({
        allowedWithoutConsent: z.boolean(),
        requireOptOut: z.literal(true, 'must be true: a corporate subscriber is always offered an opt-out'),
        rules: text.optional(),
      })
      .default({ allowedWithoutConsent: false, requireOptOut: true }),
    essentialMessages: z.array(z.strictObject({ id, name: text, description: text })).min(1),
  }),
  cookies: z.strictObject({
    banner: text,
    categories: z.array(
      z.strictObject({ id: z.enum(COOKIE_CATEGORIES), description: text, consentRequired: z.boolean() }),
    ),
    list: z.array(
      z.strictObject({ name: text, category: z.enum(COOKIE_CATEGORIES), purpose: text, provider: text, expiry: text }),
    ),
  }),
  security: z.array(text).min(1),
  changes: z
    .array(
      z.strictObject({
        version: z.number().int().min(1),
        date: isoDate,
        material: z.boolean(),
        summary: text,
        newPurposes: z.array(id).default([]),
      }),
    )
    .min(1),
});

export type PolicyFile = z.infer<typeof ZPolicyFile>;
export type PolicyPurpose = PolicyFile['purposes'][number];
export type PolicyCategory = PolicyFile['categories'][number];
export type PolicyRecipient = PolicyFile['recipients'][number];
export type PolicyRetention = PolicyFile['retention'][number];
