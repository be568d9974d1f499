/**
 * @module Validates a policy file: YAML syntax, then the schema, then the cross-checks a schema cannot express
 * (references between sections, a retention rule per category, the lawful bases direct marketing may rest on,
 * a safeguard for every transfer outside the UK/EEA, …). Every problem names its path in the file, its line, and
 * where one fits, the name that was probably meant.
 *
 * @example
 * const result = checkPolicyText(fs.readFileSync(file, 'utf8'))
 * for (const issue of result.issues) console.error(formatIssue(file, issue))
 */
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { DPV_PURPOSES, DPV_SUBJECTS, isKnownTerm, LEGAL_BASES, PD_TERMS } from './dpv.ts';
import { type PolicyFile, RETENTION_EVENTS as RETENTION_EVENT_NAMES, ZPolicyFile } from './policy-schema.ts';
import { didYouMean } from './suggest.ts';

export type PolicyIssue = { path: string; line: number | null; message: string };

export type PolicyCheck =
  | { ok: true; policy: PolicyFile; issues: [] }
  | { ok: false; policy: null; issues: PolicyIssue[] };

/** Purposes Custodian's own code processes personal data for: every policy must disclose them. */
export const REQUIRED_PURPOSES = [
  'service_delivery',
  'account_administration',
  'security',
  'legal_obligation',
  'marketing',
] as const;

/** Countries whose protection the UK and the EU both recognise (adequacy regulations / decisions), plus the UK/EEA. */
const EEA = new Set([
  'EU',
  'EEA',
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
  'IS',
  'LI',
  'NO',
]);
const ADEQUATE = new Set(['AD', 'AR', 'CA', 'FO', 'GG', 'IL', 'IM', 'JP', 'JE', 'NZ', 'KR', 'CH', 'UY', 'GI']);
const LABELS: Record<string, string> = {
  after: 'event',
  legalBasis: 'legal basis',
  mechanism: 'transfer mechanism',
  sources: 'source',
  right: 'right',
  channel: 'channel',
  basis: 'marketing basis',
  category: 'cookie category',
  kind: 'recipient kind',
  action: 'action',
  extendedBy: 'ground',
  role: 'role',
  jurisdictions: 'jurisdiction',
  region: 'region',
};

export const formatPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    '',
  );

export const formatIssue = (file: string, issue: PolicyIssue) =>
  `${file}${issue.line ? `:${issue.line}` : ''}: ${issue.path ? `${issue.path}: ` : ''}${issue.message}`;

export const checkPolicyText = (source: string): PolicyCheck => {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      policy: null,
      issues: doc.errors.map((e) => ({
        path: '',
        line: lines.linePos(e.pos[0]).line,
        message: `YAML: ${e.message.split('\n')[0]}`,
      })),
    };
  }
  const lineOf = (path: readonly PropertyKey[]): number | null => {
    for (let n = path.length; n >= 0; n -= 1) {
      const node = doc.getIn(path.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) return lines.linePos(node.range[0]).line;
    }

    return null;
  };
  const data: unknown = doc.toJS();
  const parsed = ZPolicyFile.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .flatMap((issue) => schemaIssue(issue, data))
      .map((i) => ({ ...i, line: lineOf(i.keyPath) }));

    return { ok: false, policy: null, issues: issues.map(({ keyPath: _, ...rest }) => rest) };
  }
  const found = crossCheck(parsed.data);
  if (found.length > 0) {
    return {
      ok: false,
      policy: null,
      issues: found.map((i) => ({ path: formatPath(i.path), line: lineOf(i.path), message: i.message })),
    };
  }

  return { ok: true, policy: parsed.data, issues: [] };
};

type Located = { path: PropertyKey[]; message: string };

const valueAt = (data: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>(
    (node, key) => (node && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined),
    data,
  );

const schemaIssue = (
  issue: z.core.$ZodIssue,
  data: unknown,
): { path: string; keyPath: PropertyKey[]; message: string }[] => {
  const path = [...issue.path];
  const at = (message: string, keyPath = path) => ({ path: formatPath(keyPath), keyPath, message });
  const value = valueAt(data, path);
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(path);

    return issue.keys.map((key) => at(`unknown field "${key}"${didYouMean(key, allowed)}`, [...path, key]));
  }
  if (issue.code === 'invalid_value' && issue.values.every((v) => typeof v === 'string')) {
    const options = issue.values as string[];
    const label = LABELS[String([...path].reverse().find((k) => typeof k === 'string'))] ?? 'value';
    if (typeof value === 'string')
      return [at(`unknown ${label} "${value}"${didYouMean(value, options) || ` (one of: ${options.join(', ')})`}`)];

    return [at(`must be one of: ${options.join(', ')}`)];
  }
  if (issue.code === 'invalid_union' && typeof value === 'string') {
    // The only union is retention[].after (an event, or a list meaning "the later of").
    return [at(`unknown event "${value}"${didYouMean(value, [...RETENTION_EVENT_NAMES])}`)];
  }
  if (issue.code === 'invalid_type' && value === undefined) return [at(`is required (${issue.expected})`)];

  return [at(issue.message)];
};

/** The field names the schema allows at `path`, for suggestions on a mistyped key. */
const allowedKeys = (path: readonly PropertyKey[]): string[] => {
  let schema = unwrap(ZPolicyFile as unknown as z.ZodType);
  for (const key of path) {
    const def = schema.def as unknown as { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType };
    if (def.type === 'object' && typeof key === 'string' && def.shape?.[key]) schema = unwrap(def.shape[key]);
    else if (def.type === 'array' && def.element) schema = unwrap(def.element);
    else return [];
  }
  const def = schema.def as unknown as { type: string; shape?: Record<string, unknown> };

  return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
};

const unwrap = (schema: z.ZodType): z.ZodType => {
  let s = schema;
  for (;;) {
    const def = s.def as unknown as { type: string; innerType?: z.ZodType };
    if (
      (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault') &&
      def.innerType
    )
      s = def.innerType;
    else return s;
  }
};

const crossCheck = (p: PolicyFile): Located[] => {
  const out: Located[] = [];
  const err = (path: PropertyKey[], message: string) => {
    out.push({ path, message });
  };
  const categoryIds = p.categories.map((c) => c.id);
  const purposeIds = p.purposes.map((c) => c.id);
  const subjectIds = p.dataSubjects.map((c) => c.id);
  const ref = (path: PropertyKey[], what: string, value: string, known: readonly string[]) => {
    if (!known.includes(value)) err(path, `unknown ${what} "${value}"${didYouMean(value, known)}`);
  };
  const unique = (section: 'categories' | 'purposes' | 'recipients' | 'dataSubjects') => {
    const seen = new Set<string>();
    p[section].forEach((item, i) => {
      if (seen.has(item.id)) err([section, i, 'id'], `duplicate id "${item.id}"`);
      seen.add(item.id);
    });
  };
  unique('dataSubjects');
  unique('categories');
  unique('purposes');
  unique('recipients');

  p.dataSubjects.forEach((s, i) => {
    if (!isKnownTerm(s.dpv, DPV_SUBJECTS))
      err(['dataSubjects', i, 'dpv'], `unknown DPV data-subject type "${s.dpv}"${didYouMean(s.dpv, DPV_SUBJECTS)}`);
  });
  p.categories.forEach((c, i) => {
    c.dpv.forEach((term, j) => {
      if (!isKnownTerm(term, PD_TERMS)) {
        err(
          ['categories', i, 'dpv', j],
          `unknown DPV personal-data term "${term}"${didYouMean(term, PD_TERMS) || ' (use a pd: term, or ext:Name for a project extension)'}`,
        );
      }
    });
  });

  for (const required of REQUIRED_PURPOSES) {
    if (!purposeIds.includes(required))
      err(
        ['purposes'],
        `missing purpose "${required}": Custodian processes personal data for it, so the notice must disclose it`,
      );
  }
  p.purposes.forEach((purpose, i) => {
    const basis = LEGAL_BASES[purpose.legalBasis].kernel;
    if (!isKnownTerm(purpose.dpv, DPV_PURPOSES))
      err(['purposes', i, 'dpv'], `unknown DPV purpose "${purpose.dpv}"${didYouMean(purpose.dpv, DPV_PURPOSES)}`);
    purpose.categories.forEach((c, j) => {
      ref(['purposes', i, 'categories', j], 'category', c, categoryIds);
    });
    purpose.dataSubjects.forEach((s, j) => {
      ref(['purposes', i, 'dataSubjects', j], 'data subject', s, subjectIds);
    });
    if (basis === 'legitimate_interests' && !purpose.legitimateInterest) {
      err(
        ['purposes', i, 'legitimateInterest'],
        'is required when the legal basis is legitimate interests (eu-gdpr:A6-1-f): name the interest pursued',
      );
    }
    if (purpose.directMarketing && basis !== 'consent' && basis !== 'legitimate_interests') {
      err(
        ['purposes', i, 'legalBasis'],
        `direct marketing may rest only on consent (eu-gdpr:A6-1-a) or legitimate interests (eu-gdpr:A6-1-f), not ${LEGAL_BASES[purpose.legalBasis].label.toLowerCase()}`,
      );
    }
  });
  const marketing = p.purposes.find((x) => x.id === 'marketing');
  if (marketing && !marketing.directMarketing)
    err(
      ['purposes', purposeIds.indexOf('marketing'), 'directMarketing'],
      'the "marketing" purpose is direct marketing: set directMarketing: true',
    );

  const retained = new Set(p.retention.map((r) => r.category));
  p.retention.forEach((r, i) => {
    ref(['retention', i, 'category'], 'category', r.category, categoryIds);
    if (r.action === 'suppress' && !r.keep)
      err(
        ['retention', i, 'keep'],
        'is required for action "suppress": say what is kept so the person is not contacted again',
      );
  });
  p.categories.forEach((c, i) => {
    if (!retained.has(c.id))
      err(['categories', i], `category "${c.id}" has no retention rule: add one under retention`);
  });

  p.recipients.forEach((r, i) => {
    r.categories.forEach((c, j) => {
      ref(['recipients', i, 'categories', j], 'category', c, categoryIds);
    });
    r.purposes.forEach((c, j) => {
      ref(['recipients', i, 'purposes', j], 'purpose', c, purposeIds);
    });
    const outside = r.country.filter((c) => c !== 'GB' && !EEA.has(c));
    const mechanism = r.transfer?.mechanism;
    if (outside.length > 0 && !mechanism) {
      err(
        ['recipients', i, 'transfer'],
        `recipient "${r.id}" is in ${outside.join(', ')}, outside the UK/EEA: name a transfer mechanism (adequacy, uk_idta, eu_scc, eu_us_dpf, …)`,
      );
    }
    if (mechanism === 'privacy_shield') {
      err(
        ['recipients', i, 'transfer', 'mechanism'],
        'the EU-US Privacy Shield was invalidated (CJEU, Schrems II, 2020): use eu_us_dpf with uk_us_data_bridge (the EU-US Data Privacy Framework and its UK Extension) for certified US organisations, or uk_idta / eu_scc',
      );
    }
    if (mechanism === 'adequacy') {
      const notAdequate = outside.filter((c) => !ADEQUATE.has(c));
      if (notAdequate.length > 0)
        err(
          ['recipients', i, 'transfer', 'mechanism'],
          `no adequacy decision covers ${notAdequate.join(', ')}: use uk_idta / eu_scc${notAdequate.includes('US') ? ', or eu_us_dpf for a certified US organisation' : ''}`,
        );
    }
    if (
      (mechanism === 'eu_us_dpf' || mechanism === 'uk_us_data_bridge' || mechanism === 'swiss_us_dpf') &&
      !outside.every((c) => c === 'US')
    ) {
      err(
        ['recipients', i, 'transfer', 'mechanism'],
        'the Data Privacy Framework covers only certified organisations in the US',
      );
    }
  });
  if (p.roles.processor) {
    p.roles.processor.categories.forEach((c, j) => {
      ref(['roles', 'processor', 'categories', j], 'category', c, categoryIds);
    });
  }
  p.categories.forEach((c, i) => {
    if (c.role === 'processor' && !p.roles.processor)
      err(['categories', i, 'role'], 'a processor category needs roles.processor');
  });

  const rights = new Set(p.rights.list.map((r) => r.right));
  const bases = new Set(p.purposes.map((x) => LEGAL_BASES[x.legalBasis].kernel));
  const needRight = (right: string, why: string) => {
    if (!rights.has(right as never)) err(['rights', 'list'], `missing right "${right}" (${why})`);
  };
  needRight('access', 'always applies');
  needRight('complain', 'the notice must say how to complain to the supervisory authority');
  if (bases.has('consent')) needRight('withdraw_consent', 'some processing rests on consent');
  if (bases.has('legitimate_interests') || bases.has('public_task'))
    needRight('objection', 'some processing rests on legitimate interests');
  if (p.purposes.some((x) => x.directMarketing))
    needRight('object_direct_marketing', 'the policy includes direct marketing');
  if (!p.rights.howToExercise.email && !p.rights.howToExercise.web && !p.rights.howToExercise.post) {
    err(['rights', 'howToExercise'], 'give at least one of email, web or post');
  }

  p.marketing.channels.forEach((c, i) => {
    if (c.basis === 'soft_opt_in' && c.channel !== 'email' && c.channel !== 'sms') {
      err(
        ['marketing', 'channels', i, 'basis'],
        `the soft opt-in (PECR reg. 22(3)) covers only e-mail and SMS, not ${c.channel}: use consent`,
      );
    }
  });
  if (
    p.marketing.corporateSubscribers.allowedWithoutConsent &&
    !p.marketing.channels.some((c) => c.channel === 'email' || c.channel === 'sms')
  ) {
    err(
      ['marketing', 'corporateSubscribers', 'allowedWithoutConsent'],
      'the corporate-subscriber rule (PECR reg. 22) covers e-mail and SMS, but the notice markets by neither',
    );
  }
  if (p.marketing.channels.length > 0 && !p.purposes.some((x) => x.directMarketing)) {
    err(['marketing', 'channels'], 'marketing channels are listed but no purpose is direct marketing');
  }

  const cookieCategories = p.cookies.categories.map((c) => c.id);
  p.cookies.categories.forEach((c, i) => {
    if (c.id === 'advertising' && !c.consentRequired)
      err(['cookies', 'categories', i, 'consentRequired'], 'advertising cookies always need consent (PECR reg. 6)');
    if (c.id === 'analytics' && !c.consentRequired && p.jurisdictions.includes('EU')) {
      err(
        ['cookies', 'categories', i, 'consentRequired'],
        'analytics cookies need consent for EU visitors (ePrivacy Art. 5(3)); the UK opt-out exemption does not cover them',
      );
    }
  });
  p.cookies.list.forEach((c, i) => {
    ref(['cookies', 'list', i, 'category'], 'cookie category', c.category, cookieCategories);
  });

  const current = p.changes.find((c) => c.version === p.version);
  if (!current) err(['changes'], `no entry for the current version ${p.version}`);
  else if (current.date !== p.effectiveDate)
    err(['changes', p.changes.indexOf(current), 'date'], `must equal effectiveDate (${p.effectiveDate})`);
  p.changes.forEach((c, i) => {
    if (c.version > p.version)
      err(['changes', i, 'version'], `version ${c.version} is later than the file's version ${p.version}`);
    if (i > 0 && c.version <= (p.changes[i - 1]?.version ?? 0))
      err(['changes', i, 'version'], 'versions must increase down the list');
    c.newPurposes.forEach((x, j) => {
      ref(['changes', i, 'newPurposes', j], 'purpose', x, purposeIds);
    });
    if (c.newPurposes.length > 0 && !c.material)
      err(['changes', i, 'material'], 'a change that adds a purpose is material: set material: true');
  });

  return out;
};
