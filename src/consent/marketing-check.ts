/**
 * @module The one check a marketing message passes, per recipient, at the moment it is sent: the notice markets by
 * this channel; the person's latest choice for the channel and topic is a consent or a valid soft opt-in; the
 * kernel's `decide` allows the purpose (no restriction, no objection, consent held unless soft opt-in, or a corporate
 * subscriber the notice's `marketing.corporateSubscribers` rule lets us e-mail without consent); the address
 * is not on the suppression list; their account is not deactivated. Service messages never come here.
 *
 * @example
 * const verdict = await checkMarketingRecipient(kernel, trx, { accountId, subjectId, channel: 'email', topic: 'marketing' })
 * if (verdict.allowed) await mailer.send({ to: verdict.address, … })
 */
import type { Trx } from '../kernel/db/database.ts';
import type { MarketingChannel } from '../kernel/db/schema.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { decide, type LegalBasis } from '../kernel/policy/policy.ts';
import { policyChannel, SOFT_OPT_IN_CHANNELS } from './consent-records.ts';
import { latestConsentRecord } from './consent-repository.ts';
import { isSuppressed, subjectAddresses } from './suppression.ts';

export const EXCLUSION_REASONS = [
  'unknown_person',
  'account_deactivated',
  'channel_not_in_notice',
  'no_consent',
  'opted_out',
  'objected',
  'restricted',
  'no_agreement',
  'undisclosed_purpose',
  'no_address',
  'suppressed',
] as const;
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];

export type MarketingVerdict =
  | { allowed: true; legalBasis: LegalBasis; softOptIn: boolean; address: string }
  | { allowed: false; reason: ExclusionReason };

type Deps = Pick<Kernel, 'vault' | 'policy' | 'policyFile'>;

export const checkMarketingRecipient = async (
  deps: Deps,
  trx: Trx,
  input: { accountId: string; subjectId: string; channel: MarketingChannel; topic: string },
): Promise<MarketingVerdict> => {
  const found = await subjectAddresses(deps, trx, input.subjectId);
  if (!found || found.row.account_id !== input.accountId) return { allowed: false, reason: 'unknown_person' };
  if (found.row.account_status === 'deactivated') return { allowed: false, reason: 'account_deactivated' };
  const channelRule = policyChannel(deps, input.channel);
  if (!channelRule) return { allowed: false, reason: 'channel_not_in_notice' };
  const latest = await latestConsentRecord(trx, input.accountId, input.subjectId, input.channel, input.topic);
  if (!latest) return { allowed: false, reason: 'no_consent' };
  if (latest.state !== 'given')
    return { allowed: false, reason: latest.basis === 'objection' ? 'objected' : 'opted_out' };
  const softOptIn = latest.basis === 'soft_opt_in';
  // Re-checked at send time: the notice may have dropped the soft opt-in since the record was made.
  if (softOptIn && (!SOFT_OPT_IN_CHANNELS.includes(input.channel) || channelRule.basis !== 'soft_opt_in')) {
    return { allowed: false, reason: 'no_consent' };
  }
  // A corporate subscriber (flagged at collection, opt-out offered) needs no PECR consent for e-mail and SMS, where
  // the notice's rule allows it; re-checked here, as the notice may have dropped the rule since.
  const corporate = latest.basis === 'corporate_subscriber';
  if (
    corporate &&
    !(
      SOFT_OPT_IN_CHANNELS.includes(input.channel) &&
      deps.policyFile.file.marketing.corporateSubscribers.allowedWithoutConsent &&
      latest.opt_out_offered
    )
  ) {
    return { allowed: false, reason: 'no_consent' };
  }
  const decision = await decide(trx, deps.policy, {
    accountId: input.accountId,
    subjectId: input.subjectId,
    purpose: input.topic,
    operation: 'use',
    // Both PECR exemptions leave UK GDPR legitimate interests as the basis; objection and restriction still apply.
    softOptIn: softOptIn || corporate,
  });
  if (!decision.allowed) return { allowed: false, reason: decision.reason };
  const address =
    input.channel === 'email'
      ? found.email
      : input.channel === 'post' || input.channel === 'social'
        ? null
        : found.phone;
  if (!address) return { allowed: false, reason: 'no_address' };
  // The address this channel uses: opt-outs suppress the channel's own address; erasure and objection suppress both.
  if (await isSuppressed(deps, trx, input.channel === 'email' ? { email: address } : { phone: address })) {
    return { allowed: false, reason: 'suppressed' };
  }

  return { allowed: true, legalBasis: decision.legalBasis, softOptIn, address };
};
