/**
 * @module Marketing preferences per person, channel (e-mail, SMS, phone, post, fax, social) and topic (the policy's
 * direct-marketing purposes). Every change appends a consent record (ISO/IEC TS 27560 shape, DPV terms) and keeps
 * the kernel's processing controls in step, so `decide` answers from the same facts. Records are append-only (a
 * database trigger refuses updates and deletes) and export as Kantara Consent Receipts v1.1.
 *
 * @example
 * await recordMarketingChoice(kernel, { accountId, subjectId, channel: 'email', topic: 'marketing', state: 'given',
 *   basis: 'consent', method: 'web-form', actor: { id: null, role: 'data_subject' } })
 */
import crypto from 'node:crypto';
import type { Selectable } from 'kysely';
import { type Actor, recordAudit } from '../kernel/audit/audit.ts';
import type { Trx } from '../kernel/db/database.ts';
import type { ConsentRecordsTable, MarketingChannel } from '../kernel/db/schema.ts';
import { AppError } from '../kernel/errors.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { expandCurie } from '../policy/dpv.ts';
import {
  getConsentRecord,
  insertConsentRecord,
  insertProcessingControl,
  latestConsentRecord,
  latestConsentRecords,
} from './consent-repository.ts';
import { liftOwnOptOut, subjectAddresses, suppressAddresses } from './suppression.ts';

export const CHANNELS: readonly MarketingChannel[] = ['email', 'sms', 'phone', 'post', 'fax', 'social'];
/** PECR reg. 22(3): the soft opt-in exists for electronic mail only (e-mail and SMS). */
export const SOFT_OPT_IN_CHANNELS: readonly MarketingChannel[] = ['email', 'sms'];

type Deps = Pick<Kernel, 'db' | 'vault' | 'clock' | 'policy' | 'policyFile'>;

export type MarketingChoice = {
  accountId: string;
  subjectId: string;
  channel: MarketingChannel;
  /** A direct-marketing purpose id from the policy, or `all` for every one of them. */
  topic: string;
  state: 'given' | 'refused' | 'withdrawn';
  /**
   * `corporate_subscriber`: the address was identified, when collected, as a corporate subscriber's (company, LLP,
   * Scottish partnership, public body; never a sole trader or other partnership), and an opt-out was offered. It
   * stands in for consent to e-mail and SMS only where the notice's `marketing.corporateSubscribers` rule allows.
   */
  basis: 'consent' | 'soft_opt_in' | 'objection' | 'corporate_subscriber';
  /** How it was collected: web-form, portal, phone, one-click-unsubscribe, import, sign-up, staff. */
  method: string;
  actor: Actor;
  /** Soft opt-in only: the details were collected in a sale (or its negotiation) of our own similar services … */
  inCourseOfSale?: boolean;
  /** … and the person was offered a free, simple way to refuse there and then. */
  optOutOffered?: boolean;
};

/** The policy's direct-marketing purposes: the topics a person can choose. */
export const marketingTopics = (deps: Pick<Kernel, 'policy'>) =>
  Object.entries(deps.policy.purposes)
    .filter(([, rule]) => rule.directMarketing)
    .map(([id]) => id);

export const policyChannel = (deps: Pick<Kernel, 'policyFile'>, channel: MarketingChannel) =>
  deps.policyFile.file.marketing.channels.find((c) => c.channel === channel);

/** Records one choice (one record per topic when `all`), in the caller's tenant transaction. */
export const recordMarketingChoiceIn = async (deps: Deps, trx: Trx, input: MarketingChoice): Promise<string[]> => {
  const topics = marketingTopics(deps);
  const chosen = input.topic === 'all' ? topics : [input.topic];
  if (!chosen.every((t) => topics.includes(t))) {
    throw new AppError('VALIDATION_FAILED', `"${input.topic}" is not a marketing topic of this notice`, { topics });
  }
  const channelRule = policyChannel(deps, input.channel);
  if (input.state === 'given' && !channelRule) {
    throw new AppError(
      'CONFLICT',
      `The notice does not say we market by ${input.channel}, so consent to it cannot be taken`,
    );
  }
  const found = await subjectAddresses(deps, trx, input.subjectId);
  if (!found || found.row.account_id !== input.accountId)
    throw new AppError('NOT_FOUND', 'No such person in this account');
  if (input.basis === 'soft_opt_in') assertSoftOptIn(input, found.row.kind, found.row.account_kind, channelRule?.basis);
  if (input.basis === 'corporate_subscriber') assertCorporateSubscriber(deps, input);
  if (input.basis === 'objection' && input.state === 'given') {
    throw new AppError('VALIDATION_FAILED', 'An objection is recorded as state "refused"');
  }
  const at = deps.clock.now();
  const ids: string[] = [];
  for (const topic of chosen) {
    const id = crypto.randomUUID();
    await insertConsentRecord(trx, {
      id,
      account_id: input.accountId,
      subject_id: input.subjectId,
      channel: input.channel,
      topic,
      state: input.state,
      basis: input.basis,
      method: input.method,
      notice_version: deps.policy.version,
      opt_out_offered: input.optOutOffered === true,
      actor_id: input.actor.id,
      actor_role: input.actor.role,
      recorded_at: at,
    });
    ids.push(id);
    await syncControls(trx, input, topic, at);
  }
  const addresses = addressesFor(input.channel, found);
  if (input.basis === 'objection') {
    await suppressAddresses(deps, trx, { email: found.email, phone: found.phone }, 'objection');
  } else if (
    input.state !== 'given' &&
    !(await anyGiven(trx, input.accountId, input.subjectId, input.channel, topics))
  ) {
    // Nothing left on this channel: the address goes on the "do not contact" list instead of being forgotten.
    await suppressAddresses(deps, trx, addresses, 'opt_out');
  } else if (input.state === 'given') {
    await liftOwnOptOut(deps, trx, addresses);
  }
  await recordAudit(trx, deps.clock, {
    accountId: input.accountId,
    actor: input.actor,
    action: 'consent.record',
    entity: 'consent_record',
    entityId: ids[0] ?? null,
    subjectId: input.subjectId,
    fields: [],
    purpose: chosen.length === 1 ? (chosen[0] ?? null) : null,
    details: {
      channel: input.channel,
      state: input.state,
      basis: input.basis,
      method: input.method,
      topics: chosen.length,
    },
  });

  return ids;
};

export const recordMarketingChoice = (deps: Deps, input: MarketingChoice) =>
  deps.db.tenant(input.accountId, (trx) => recordMarketingChoiceIn(deps, trx, input));

const addressesFor = (channel: MarketingChannel, found: { email: string | null; phone: string | null }) =>
  channel === 'email'
    ? { email: found.email }
    : channel === 'sms' || channel === 'phone' || channel === 'fax'
      ? { phone: found.phone }
      : {};

const anyGiven = async (
  trx: Trx,
  accountId: string,
  subjectId: string,
  channel: MarketingChannel,
  topics: string[],
) => {
  for (const topic of topics) {
    if ((await latestConsentRecord(trx, accountId, subjectId, channel, topic))?.state === 'given') return true;
  }

  return false;
};

/** Consent to a purpose (for `decide`) is active while any channel holds a given consent for it; objections are absolute. */
const syncControls = async (trx: Trx, input: MarketingChoice, topic: string, at: Date) => {
  if (input.basis === 'objection') {
    await insertProcessingControl(trx, {
      accountId: input.accountId,
      subjectId: input.subjectId,
      kind: 'objection',
      purpose: topic,
      active: true,
      at,
    });
    return;
  }
  const latest = await latestConsentRecords(trx, input.accountId, input.subjectId);
  const consented = latest.some((r) => r.topic === topic && r.state === 'given' && r.basis === 'consent');
  await insertProcessingControl(trx, {
    accountId: input.accountId,
    subjectId: input.subjectId,
    kind: 'consent',
    purpose: topic,
    active: consented,
    at,
  });
  if (input.state === 'given') {
    // A fresh yes from the person ends an earlier objection to the same marketing.
    await insertProcessingControl(trx, {
      accountId: input.accountId,
      subjectId: input.subjectId,
      kind: 'objection',
      purpose: topic,
      active: false,
      at,
    });
  }
};

const assertSoftOptIn = (
  input: MarketingChoice,
  subjectKind: string,
  accountKind: string,
  channelBasis: string | undefined,
) => {
  const problems: string[] = [];
  if (!SOFT_OPT_IN_CHANNELS.includes(input.channel)) problems.push('the soft opt-in covers e-mail and SMS only');
  if (channelBasis !== 'soft_opt_in') problems.push(`the notice does not offer a soft opt-in for ${input.channel}`);
  if (subjectKind !== 'client_user' || accountKind !== 'client')
    problems.push('only customers (people at a client business) qualify');
  if (input.inCourseOfSale !== true) problems.push('the details must come from a sale or its negotiation');
  if (input.optOutOffered !== true)
    problems.push('a way to refuse must have been offered when the details were collected');
  if (input.state === 'given' && problems.length > 0) {
    throw new AppError('CONFLICT', `A soft opt-in does not apply: ${problems.join('; ')}`, { problems });
  }
};

const assertCorporateSubscriber = (deps: Pick<Kernel, 'policyFile'>, input: MarketingChoice) => {
  const problems: string[] = [];
  if (!SOFT_OPT_IN_CHANNELS.includes(input.channel))
    problems.push('the corporate-subscriber rule covers e-mail and SMS only');
  if (!deps.policyFile.file.marketing.corporateSubscribers.allowedWithoutConsent)
    problems.push('the notice does not market to corporate subscribers without consent');
  if (input.optOutOffered !== true)
    problems.push('a way to refuse must have been offered when the details were collected');
  if (input.state === 'given' && problems.length > 0) {
    throw new AppError('CONFLICT', `The corporate-subscriber rule does not apply: ${problems.join('; ')}`, {
      problems,
    });
  }
};

export type Preference = {
  channel: MarketingChannel;
  topic: string;
  state: 'given' | 'refused' | 'withdrawn' | 'none';
  basis: string | null;
  at: string | null;
};

/** Every channel the notice lists × every marketing topic, with the latest state (`none` when never asked). */
export const readPreferences = async (
  deps: Pick<Kernel, 'policy' | 'policyFile'>,
  trx: Trx,
  accountId: string,
  subjectId: string,
): Promise<Preference[]> => {
  const latest = await latestConsentRecords(trx, accountId, subjectId);
  const out: Preference[] = [];
  for (const { channel } of deps.policyFile.file.marketing.channels) {
    for (const topic of marketingTopics(deps)) {
      const r = latest.find((x) => x.channel === channel && x.topic === topic);
      out.push({
        channel,
        topic,
        state: r?.state ?? 'none',
        basis: r?.basis ?? null,
        at: r?.recorded_at.toISOString() ?? null,
      });
    }
  }

  return out;
};

const DPV_STATE = {
  given: 'dpv:ConsentGiven',
  refused: 'dpv:ConsentRefused',
  withdrawn: 'dpv:ConsentWithdrawn',
} as const;
const DPV_BASIS = {
  consent: 'eu-gdpr:A6-1-a',
  soft_opt_in: 'eu-gdpr:A6-1-f',
  objection: 'eu-gdpr:A21',
  corporate_subscriber: 'eu-gdpr:A6-1-f',
} as const;
const PD_FOR_CHANNEL: Record<MarketingChannel, string> = {
  email: 'pd:EmailAddress',
  sms: 'pd:TelephoneNumber',
  phone: 'pd:TelephoneNumber',
  fax: 'pd:TelephoneNumber',
  post: 'pd:PhysicalAddress',
  social: 'pd:Username',
};

type RecordRow = Selectable<ConsentRecordsTable>;

/** A record in the ISO/IEC TS 27560 sections (header, processing, parties, events), with DPV IRIs. */
export const toIso27560 = (deps: Pick<Kernel, 'policyFile' | 'config'>, r: RecordRow) => {
  const file = deps.policyFile.file;
  const purpose = file.purposes.find((p) => p.id === r.topic);
  const controller = file.controller;

  return {
    '@type': expandCurie('dpv:ConsentRecord'),
    schemaVersion: 'https://w3id.org/dpv/schema/dpv-27560#record-eu-gdpr',
    header: { recordId: r.id, piiPrincipalId: r.subject_id },
    processing: {
      privacyNotice: `${deps.config.publicUrl}/privacy/v/${r.notice_version}`,
      noticeVersion: r.notice_version,
      language: 'en',
      purposes: [
        {
          purpose: r.topic,
          purposeType: expandCurie(purpose?.dpv ?? 'dpv:DirectMarketing'),
          lawfulBasis: expandCurie(DPV_BASIS[r.basis]),
          pecrBasis:
            r.basis === 'soft_opt_in'
              ? expandCurie('ext:PECRSoftOptIn')
              : r.basis === 'consent'
                ? expandCurie('ext:PECRConsent')
                : r.basis === 'corporate_subscriber'
                  ? expandCurie('ext:CorporateSubscriberExemption')
                  : null,
        },
      ],
      piiInformation: [{ piiType: expandCurie(PD_FOR_CHANNEL[r.channel]), piiOptional: true }],
      channel: expandCurie(`ext:${r.channel.charAt(0).toUpperCase()}${r.channel.slice(1)}`),
      collectionMethod: r.method,
      jurisdiction: file.jurisdictions.join(', '),
      withdrawalMethod: file.marketing.optOut,
      optOutOfferedAtCollection: r.opt_out_offered,
    },
    parties: [
      {
        partyName: controller.name,
        partyRole: expandCurie('dpv:DataController'),
        partyContact: controller.privacyContact.email ?? null,
      },
    ],
    events: [
      {
        eventTime: r.recorded_at.toISOString(),
        eventState: expandCurie(DPV_STATE[r.state]),
        eventType: expandCurie(r.basis === 'consent' ? 'dpv:ExplicitlyExpressedConsent' : 'dpv:ImpliedConsent'),
        entityId: r.actor_id ?? (r.actor_role === 'data_subject' ? r.subject_id : null),
        actorRole: r.actor_role,
      },
    ],
  };
};

/** Kantara Consent Receipt v1.1 for one record: what a person is given as proof of their choice. */
export const toKantaraReceipt = (deps: Pick<Kernel, 'policyFile' | 'config'>, r: RecordRow) => {
  const file = deps.policyFile.file;
  const purpose = file.purposes.find((p) => p.id === r.topic);
  const entity = file.controller.legalEntities[0];

  return {
    version: 'KI-CR-v1.1.0',
    jurisdiction: file.jurisdictions.join(', '),
    consentTimestamp: Math.floor(r.recorded_at.getTime() / 1000),
    collectionMethod: r.method,
    consentReceiptID: r.id,
    language: 'en',
    piiPrincipalId: r.subject_id,
    piiControllers: [
      {
        piiController: file.controller.name,
        contact: file.controller.privacyContact.name ?? file.controller.privacyContact.role ?? 'Privacy contact',
        address: { streetAddress: entity?.address ?? '', addressCountry: entity?.country ?? '' },
        email: file.controller.privacyContact.email ?? '',
        phone: file.controller.privacyContact.phone ?? '',
        piiControllerUrl: deps.config.publicUrl,
      },
    ],
    policyUrl: `${deps.config.publicUrl}/privacy/v/${r.notice_version}`,
    services: [
      {
        service: `Marketing by ${r.channel}`,
        purposes: [
          {
            purpose: purpose?.name ?? r.topic,
            purposeCategory: [expandCurie(purpose?.dpv ?? 'dpv:DirectMarketing')],
            consentType: r.basis === 'consent' ? 'EXPLICIT' : 'IMPLIED',
            piiCategory: [expandCurie(PD_FOR_CHANNEL[r.channel])],
            primaryPurpose: false,
            termination: file.marketing.optOut,
            thirdPartyDisclosure: false,
            state: expandCurie(DPV_STATE[r.state]),
          },
        ],
      },
    ],
    sensitive: false,
    spiCat: [],
  };
};

export const readConsentRecord = (deps: Pick<Kernel, 'db'>, accountId: string, recordId: string) =>
  deps.db.tenant(accountId, async (trx) => {
    const r = await getConsentRecord(trx, recordId);
    if (!r) throw new AppError('NOT_FOUND', 'No such consent record in this account');

    return r;
  });
