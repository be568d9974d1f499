/**
 * @module The one policy-decision function. Every feature asks it before processing personal data for a purpose;
 * it answers from the purpose's legal basis and the subject's restriction, objection and consent state.
 *
 * @example
 * await requirePurpose(trx, policy, { accountId, subjectId, purpose: 'service_delivery', operation: 'use' })
 */
import type { Trx } from '../db/database.ts';
import { AppError } from '../errors.ts';

export type LegalBasis =
  | 'consent'
  | 'contract'
  | 'legal_obligation'
  | 'vital_interests'
  | 'public_task'
  | 'legitimate_interests';

export type PurposeRule = Readonly<{
  legalBasis: LegalBasis;
  categories: readonly string[];
  directMarketing: boolean;
  description: string;
}>;

export type Policy = Readonly<{
  id: string;
  version: number;
  purposes: Readonly<Record<string, PurposeRule>>;
  /**
   * Purposes added by a later version of the notice (VO-16): a person whose data was collected before that version
   * took effect must have agreed (table `policy_agreements`) before their data is used for it.
   */
  newPurposes?: Readonly<Record<string, Readonly<{ version: number; effectiveDate: string }>>>;
}>;

/**
 * The built-in minimum until a business loads its own policy file: running the service it is paid for, keeping
 * its accounts, meeting legal duties, securing the system, and marketing only with consent.
 */
export const BUILT_IN_POLICY: Policy = {
  id: 'built-in',
  version: 1,
  purposes: {
    service_delivery: {
      legalBasis: 'contract',
      categories: ['contact', 'correspondence', 'phone_message', 'mail_item'],
      directMarketing: false,
      description: 'Taking and passing on phone messages and post for client businesses',
    },
    account_administration: {
      legalBasis: 'contract',
      categories: ['account', 'contact'],
      directMarketing: false,
      description: 'Running client accounts and their users',
    },
    security: {
      legalBasis: 'legitimate_interests',
      categories: ['account', 'usage'],
      directMarketing: false,
      description: 'Keeping the service and its users safe',
    },
    legal_obligation: {
      legalBasis: 'legal_obligation',
      categories: ['account', 'contact', 'correspondence'],
      directMarketing: false,
      description: 'Meeting legal duties, including answering rights requests',
    },
    marketing: {
      legalBasis: 'consent',
      categories: ['contact', 'marketing'],
      directMarketing: true,
      description: 'Telling people about services they asked to hear about',
    },
  },
};

/**
 * The purpose id example notices use for establishing, exercising or defending legal claims. Art. 18(2) lets a
 * restricted person's data still be used for it (and Art. 21(1) leaves it running after an objection).
 */
export const LEGAL_CLAIMS_PURPOSE = 'legal_claims';

export type DecisionRequest = {
  accountId: string;
  subjectId: string | null;
  purpose: string;
  /** `store` is all a restricted subject's data may undergo; `use` is anything else. */
  operation: 'use' | 'store';
  /**
   * The caller has checked a PECR reg. 22(3) soft opt-in for this direct-marketing use (an existing customer, similar
   * own products, opt-out offered at collection and not taken). Marketing on that footing rests on legitimate
   * interests (UK GDPR Recital 47) rather than consent, so the consent requirement gives way; restriction and the
   * absolute right to object to direct marketing still apply.
   */
  softOptIn?: boolean;
  /**
   * The subject was created in this same transaction, so no restriction, objection or consent can be recorded for
   * them yet: the decision needs no look-up of processing controls.
   */
  createdInThisTransaction?: boolean;
  /**
   * The subject's processing controls, read in this transaction by `loadControls` together with other subjects'
   * (one statement for a batch): the decision then reads none itself.
   */
  controls?: readonly Control[];
};

export type Decision =
  | { allowed: true; legalBasis: LegalBasis }
  | { allowed: false; reason: 'undisclosed_purpose' | 'restricted' | 'objected' | 'no_consent' | 'no_agreement' };

export const decide = async (trx: Trx, policy: Policy, request: DecisionRequest): Promise<Decision> => {
  const rule = policy.purposes[request.purpose];
  if (!rule) return { allowed: false, reason: 'undisclosed_purpose' };
  if (!request.subjectId) return { allowed: true, legalBasis: rule.legalBasis };
  const controls = request.createdInThisTransaction
    ? []
    : (request.controls ?? (await latestControls(trx, request.accountId, request.subjectId)));
  const active = (kind: string, purpose: string | null) =>
    controls.find((c) => c.kind === kind && (c.purpose === purpose || c.purpose === null))?.active ?? false;

  if (
    request.operation === 'use' &&
    request.purpose !== LEGAL_CLAIMS_PURPOSE &&
    active('restriction', request.purpose) &&
    !consentedSinceRestriction(controls, request.purpose, rule.legalBasis)
  )
    return { allowed: false, reason: 'restricted' };
  const objectable =
    rule.legalBasis === 'legitimate_interests' || rule.legalBasis === 'public_task' || rule.directMarketing;
  if (objectable && active('objection', request.purpose)) return { allowed: false, reason: 'objected' };
  const softOptIn = request.softOptIn === true && rule.directMarketing;
  if (rule.legalBasis === 'consent' && !softOptIn) {
    const consent = controls.find((c) => c.kind === 'consent' && c.purpose === request.purpose);
    if (!consent?.active) return { allowed: false, reason: 'no_consent' };
  }
  const introduced = policy.newPurposes?.[request.purpose];
  if (introduced && !(await agreedToNewPurpose(trx, request, introduced.effectiveDate)))
    return { allowed: false, reason: 'no_agreement' };

  return { allowed: true, legalBasis: softOptIn ? 'legitimate_interests' : rule.legalBasis };
};

export const requirePurpose = async (trx: Trx, policy: Policy, request: DecisionRequest): Promise<LegalBasis> => {
  const decision = await decide(trx, policy, request);
  if (!decision.allowed) {
    throw new AppError('PURPOSE_REFUSED', `Processing for "${request.purpose}" is not allowed: ${decision.reason}`, {
      purpose: request.purpose,
      reason: decision.reason,
    });
  }

  return decision.legalBasis;
};

export type Control = { kind: string; purpose: string | null; active: boolean; recorded_at: Date };

/**
 * Art. 18(2): restricted data may still be processed "with the data subject's consent". Only a consent the person
 * gave for this purpose after the restriction counts: one given before it is what they restricted.
 */
const consentedSinceRestriction = (controls: readonly Control[], purpose: string, basis: LegalBasis) => {
  if (basis !== 'consent') return false;
  const consent = controls.find((c) => c.kind === 'consent' && c.purpose === purpose);
  const restriction = controls.find(
    (c) => c.kind === 'restriction' && (c.purpose === purpose || c.purpose === null) && c.active,
  );

  return Boolean(consent?.active && restriction && consent.recorded_at > restriction.recorded_at);
};

const latestControls = async (trx: Trx, accountId: string, subjectId: string): Promise<Control[]> =>
  trx
    .selectFrom('processing_controls')
    .select(['kind', 'purpose', 'active', 'recorded_at'])
    .distinctOn(['kind', 'purpose'])
    .where('account_id', '=', accountId)
    .where('subject_id', '=', subjectId)
    .orderBy('kind')
    .orderBy('purpose')
    .orderBy('recorded_at', 'desc')
    .orderBy('id', 'desc')
    .execute();

/** The latest control of each kind and purpose for several subjects of one account, in one statement. */
export const loadControls = async (
  trx: Trx,
  accountId: string,
  subjectIds: readonly string[],
): Promise<Map<string, Control[]>> => {
  const bySubject = new Map<string, Control[]>(subjectIds.map((id) => [id, []]));
  if (subjectIds.length === 0) return bySubject;
  const rows = await trx
    .selectFrom('processing_controls')
    .select(['subject_id', 'kind', 'purpose', 'active', 'recorded_at'])
    .distinctOn(['subject_id', 'kind', 'purpose'])
    .where('account_id', '=', accountId)
    .where((eb) => eb('subject_id', '=', eb.fn.any(eb.val([...new Set(subjectIds)]))))
    .orderBy('subject_id')
    .orderBy('kind')
    .orderBy('purpose')
    .orderBy('recorded_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  for (const { subject_id, ...control } of rows) bySubject.get(subject_id)?.push(control);

  return bySubject;
};

/** Data collected on or after the version that introduced the purpose was collected under it; older data needs a yes. */
const agreedToNewPurpose = async (trx: Trx, request: DecisionRequest, effectiveDate: string) => {
  const subjectId = request.subjectId as string;
  const subject = await trx.selectFrom('subjects').select('created_at').where('id', '=', subjectId).executeTakeFirst();
  if (subject && subject.created_at >= new Date(`${effectiveDate}T00:00:00Z`)) return true;
  const latest = await trx
    .selectFrom('policy_agreements')
    .select('agreed')
    .where('account_id', '=', request.accountId)
    .where('subject_id', '=', subjectId)
    .where('purpose', '=', request.purpose)
    .orderBy('recorded_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();

  return latest?.agreed === true;
};
