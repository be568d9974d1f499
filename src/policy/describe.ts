/**
 * @module Plain-English phrases for policy facts (retention rules, legal bases, transfers), shared by the notice and
 * the record of processing so both say exactly the same thing.
 *
 * @example
 * describeRetention({ category: 'account', period: 'P6M', after: 'contract_ended', action: 'delete', extendedBy: [] })
 * // '6 months after the end of the contract, then deleted'
 */
import { expandCurie, LEGAL_BASES } from './dpv.ts';
import type { PolicyFile, PolicyPurpose, PolicyRecipient, PolicyRetention } from './policy-schema.ts';

const EVENTS: Record<string, string> = {
  collected: 'collection',
  last_activity: 'your last activity',
  contract_ended: 'the end of the contract',
  account_closed: 'the account is closed',
  correspondence_dated: 'the date of the correspondence',
  opted_out: 'you opt out',
  ticket_closed: 'the ticket is closed',
  consent_withdrawn: 'you withdraw consent',
  message_delivered: 'delivery of the message',
};

const GROUNDS: Record<string, string> = {
  legal_obligation: 'a legal obligation',
  legal_claims: 'a legal claim',
  vital_interests: 'someone’s vital interests',
};

const MECHANISMS: Record<string, string> = {
  adequacy: 'Adequacy decision / regulations',
  uk_idta: 'UK International Data Transfer Agreement (IDTA)',
  uk_addendum: 'UK Addendum to the EU standard contractual clauses',
  eu_scc: 'EU standard contractual clauses (SCCs)',
  eu_us_dpf: 'EU-US Data Privacy Framework (with its UK Extension and the Swiss-US DPF)',
  uk_us_data_bridge: 'UK Extension to the EU-US Data Privacy Framework (UK-US data bridge)',
  swiss_us_dpf: 'Swiss-US Data Privacy Framework',
  binding_corporate_rules: 'Binding corporate rules',
  derogation: 'Art. 49 derogation',
  privacy_shield: 'Privacy Shield (invalid)',
};

export const describeDuration = (iso: string): string => {
  const parts: string[] = [];
  const match = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/.exec(iso);
  const units = ['year', 'month', 'week', 'day'];
  match?.slice(1).forEach((n, i) => {
    const count = Number(n ?? 0);
    if (count > 0) parts.push(`${count} ${units[i]}${count === 1 ? '' : 's'}`);
  });

  return parts.join(' ') || 'no time';
};

export const describeRetention = (rule: PolicyRetention): string => {
  const events = [rule.after].flat().map((e) => EVENTS[e] ?? e);
  const when =
    events.length > 1 ? `the later of ${events.slice(0, -1).join(', ')} and ${events.at(-1)}` : (events[0] ?? '');
  const immediate = describeDuration(rule.period) === 'no time';
  const head =
    rule.action === 'suppress'
      ? `Until ${when}`
      : immediate
        ? `Until ${when}`
        : `${describeDuration(rule.period)} after ${when}`;
  const tail =
    rule.action === 'suppress'
      ? `; then only this is kept: ${lowerFirst(rule.keep ?? '')}`
      : rule.action === 'anonymise'
        ? ', then anonymised'
        : ', then securely deleted';
  const extended = rule.extendedBy.length
    ? ` Longer only where needed for ${rule.extendedBy.map((g) => GROUNDS[g]).join(', ')}.`
    : '';

  return `${head}${tail}.${extended}`.replace(/\.\./g, '.');
};

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

export const describeBasis = (purpose: PolicyPurpose): string => {
  const basis = LEGAL_BASES[purpose.legalBasis];

  return `${basis.label} (${basis.article})`;
};

export const basisIri = (purpose: PolicyPurpose) => expandCurie(purpose.legalBasis);

export const describeMechanism = (mechanism: string | undefined) =>
  mechanism ? (MECHANISMS[mechanism] ?? mechanism) : '';

export const isTransfer = (recipient: PolicyRecipient) => Boolean(recipient.transfer);

export const retentionFor = (policy: PolicyFile, category: string) =>
  policy.retention.filter((r) => r.category === category);

export const nameOf = <T extends { id: string; name: string }>(items: readonly T[], id: string) =>
  items.find((i) => i.id === id)?.name ?? id;
