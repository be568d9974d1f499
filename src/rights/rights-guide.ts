/**
 * @module The privacy center's plain explanations, generated from the policy file: for each kind of request, what it
 * does and which of the business's purposes it reaches, because which rights apply depends on the legal basis
 * (portability only for contract and consent, objection only for legitimate interests and direct marketing, …).
 *
 * @example
 * rightsGuide(kernel.policyFile.file).kinds.find((k) => k.kind === 'portability')?.appliesTo
 * // ['Taking and passing on phone messages', …] (the purposes on contract or consent)
 */
import { RIGHTS_REQUEST_KINDS, type RightsRequestKind } from '../kernel/db/schema.ts';
import { LEGAL_BASES } from '../policy/dpv.ts';
import type { PolicyFile, PolicyPurpose } from '../policy/policy-schema.ts';

const basisOf = (p: PolicyPurpose) => LEGAL_BASES[p.legalBasis].kernel;

const KINDS: Readonly<
  Record<
    RightsRequestKind,
    { title: string; explanation: string; right: string; reaches: (p: PolicyPurpose) => boolean }
  >
> = {
  access: {
    title: 'Get a copy of my data',
    right: 'access',
    explanation:
      'We confirm whether we hold data about you and send you a copy, with why we use it, who receives it, where it came from and how long we keep it. The first copy is free.',
    reaches: () => true,
  },
  portability: {
    title: 'Take my data elsewhere',
    right: 'portability',
    explanation:
      'The data you gave us, in a machine-readable format (JSON and CSV) you can give to another service. It covers what we use under a contract with you or with your consent.',
    reaches: (p) => basisOf(p) === 'contract' || basisOf(p) === 'consent',
  },
  rectification: {
    title: 'Correct my data',
    right: 'rectification',
    explanation: 'Tell us what is wrong or missing. We check it and correct it, and tell you when it is done.',
    reaches: () => true,
  },
  erasure: {
    title: 'Erase my data',
    right: 'erasure',
    explanation:
      'We delete your data unless the law requires us to keep it, or it is needed for a legal claim. We tell you what we kept and why, and we never market to you again.',
    reaches: (p) => basisOf(p) !== 'legal_obligation',
  },
  restriction: {
    title: 'Pause the use of my data',
    right: 'restriction',
    explanation:
      'While you contest its accuracy or our use of it, we keep your data stored but stop using it, except for legal claims or with your consent. We tell you before lifting the pause.',
    reaches: () => true,
  },
  objection: {
    title: 'Object to how you use my data',
    right: 'objection',
    explanation:
      'Where we rely on our legitimate interests, we stop unless we have compelling grounds that override yours, which we would explain.',
    reaches: (p) => (basisOf(p) === 'legitimate_interests' || basisOf(p) === 'public_task') && !p.directMarketing,
  },
  object_direct_marketing: {
    title: 'Stop all marketing to me',
    right: 'object_direct_marketing',
    explanation: 'We stop direct marketing to you at once and for good. No reason is needed.',
    reaches: (p) => p.directMarketing,
  },
  withdraw_consent: {
    title: 'Withdraw my consent',
    right: 'withdraw_consent',
    explanation: 'Whatever we do only because you agreed stops at once. What we did before you withdrew stays lawful.',
    reaches: (p) => basisOf(p) === 'consent',
  },
};

export const rightsGuide = (file: PolicyFile) => {
  const described = new Map(file.rights.list.map((r) => [r.right as string, r.description]));
  const authority = file.controller.supervisoryAuthority;

  return {
    business: file.controller.tradingName ?? file.controller.name,
    responsePeriod: file.rights.responsePeriod,
    identity: file.rights.identityVerification,
    fees: file.rights.fees,
    processorRequests: file.rights.processorRequests ?? null,
    complaint: { authority: authority.name, web: authority.web, how: authority.howToComplain },
    kinds: RIGHTS_REQUEST_KINDS.map((kind) => {
      const k = KINDS[kind];
      const purposes = file.purposes.filter((p) => p.role === 'controller' && k.reaches(p));

      return {
        kind,
        title: k.title,
        explanation: k.explanation,
        // The notice's own words for this right, when it lists it.
        notice: described.get(k.right) ?? null,
        appliesTo: purposes.map((p) => ({ purpose: p.id, name: p.name, legalBasis: basisOf(p) })),
      };
    }),
  };
};
