/**
 * @module The slice of the W3C Data Privacy Vocabulary (DPV 2.3) that policy files use: GDPR Art. 6(1) legal bases,
 * personal-data categories (`pd:`), purposes and data-subject types, written as CURIEs and expanded to IRIs for
 * the notice and the record of processing. Terms DPV lacks use the project extension prefix `ext:`.
 *
 * @example
 * expandCurie('eu-gdpr:A6-1-b') // 'https://w3id.org/dpv/legal/eu/gdpr#A6-1-b'
 * LEGAL_BASES['eu-gdpr:A6-1-f'].kernel // 'legitimate_interests'
 */
import type { LegalBasis } from '../kernel/policy/policy.ts';

export const DPV_VERSION = '2.3';

export const PREFIXES = {
  dpv: 'https://w3id.org/dpv#',
  pd: 'https://w3id.org/dpv/pd#',
  'eu-gdpr': 'https://w3id.org/dpv/legal/eu/gdpr#',
  ext: 'https://custodian.invalid/dpv-ext#',
} as const;

/** GDPR Art. 6(1)(a)–(f), as the DPV GDPR extension names them, with the kernel's short name and a plain label. */
export const LEGAL_BASES = {
  'eu-gdpr:A6-1-a': { kernel: 'consent', article: 'Art. 6(1)(a)', label: 'Consent' },
  'eu-gdpr:A6-1-b': { kernel: 'contract', article: 'Art. 6(1)(b)', label: 'Performance of a contract' },
  'eu-gdpr:A6-1-c': { kernel: 'legal_obligation', article: 'Art. 6(1)(c)', label: 'Legal obligation' },
  'eu-gdpr:A6-1-d': { kernel: 'vital_interests', article: 'Art. 6(1)(d)', label: 'Vital interests' },
  'eu-gdpr:A6-1-e': { kernel: 'public_task', article: 'Art. 6(1)(e)', label: 'Public task' },
  'eu-gdpr:A6-1-f': { kernel: 'legitimate_interests', article: 'Art. 6(1)(f)', label: 'Legitimate interests' },
} as const satisfies Record<string, { kernel: LegalBasis; article: string; label: string }>;

export type LegalBasisCurie = keyof typeof LEGAL_BASES;
export const LEGAL_BASIS_CURIES = Object.keys(LEGAL_BASES) as [LegalBasisCurie, ...LegalBasisCurie[]];

/** Personal-data concepts from `https://w3id.org/dpv/pd#` used by the example policies. */
export const PD_TERMS = [
  'pd:Name',
  'pd:EmailAddress',
  'pd:TelephoneNumber',
  'pd:PhysicalAddress',
  'pd:Contact',
  'pd:IPAddress',
  'pd:BrowserHistory',
  'pd:BrowsingReferral',
  'pd:UserAgent',
  'pd:Username',
  'pd:Password',
  'pd:OfficialID',
  'pd:BirthDate',
  'pd:PaymentCardNumber',
  'pd:BankAccount',
  'pd:Financial',
  'pd:Transaction',
  'pd:CreditRecord',
  'pd:CallLog',
  'pd:VoiceMail',
  'pd:EmailContent',
  'pd:CommunicationsMetadata',
  'pd:Communication',
  'pd:Preference',
  'pd:Tracking',
  'pd:Location',
  'pd:Social',
  'pd:Identifying',
  'pd:Professional',
] as const;

/** Purposes from `https://w3id.org/dpv#`. */
export const DPV_PURPOSES = [
  'dpv:ServiceProvision',
  'dpv:RequestedServiceProvision',
  'dpv:CustomerCare',
  'dpv:CommunicationForCustomerCare',
  'dpv:CommunicationManagement',
  'dpv:CustomerRelationshipManagement',
  'dpv:AccountManagement',
  'dpv:PaymentManagement',
  'dpv:ServiceUsageAnalytics',
  'dpv:ServiceOptimisation',
  'dpv:UserInterfacePersonalisation',
  'dpv:FraudPreventionAndDetection',
  'dpv:IdentityVerification',
  'dpv:EnforceSecurity',
  'dpv:LegalCompliance',
  'dpv:RecordManagement',
  'dpv:Marketing',
  'dpv:DirectMarketing',
  'dpv:Advertising',
  'dpv:PersonalisedAdvertising',
  'dpv:SellProducts',
  'dpv:CreditChecking',
  'dpv:ProtectionOfVitalInterests',
  'dpv:EstablishContractualAgreement',
  'dpv:ResearchAndDevelopment',
] as const;

/** Data-subject types from `https://w3id.org/dpv#`. */
export const DPV_SUBJECTS = [
  'dpv:Customer',
  'dpv:Client',
  'dpv:Consumer',
  'dpv:User',
  'dpv:Visitor',
  'dpv:Employee',
  'dpv:Subscriber',
  'dpv:NonCitizen',
  'dpv:DataSubject',
] as const;

const EXTENSION = /^ext:[A-Z][A-Za-z0-9]*$/;

/** A DPV term from `allowed`, or a project-extension term (`ext:Something`). */
export const isKnownTerm = (term: string, allowed: readonly string[]) => allowed.includes(term) || EXTENSION.test(term);

export const expandCurie = (curie: string): string => {
  const colon = curie.indexOf(':');
  const prefix = curie.slice(0, colon) as keyof typeof PREFIXES;

  return colon > 0 && prefix in PREFIXES ? `${PREFIXES[prefix]}${curie.slice(colon + 1)}` : curie;
};
