import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { checkPolicyText, formatIssue } from './policy-check.ts';
import { EXAMPLE_POLICIES, POLICIES_DIR } from './policy-loader.ts';

const source = (name: string) => fs.readFileSync(path.join(POLICIES_DIR, `${name}.yaml`), 'utf8');

/** A broken copy of the answering-service policy: `edit` changes the parsed YAML document in place. */
const broken = (edit: (doc: ReturnType<typeof parseDocument>) => void, name = 'answering-service') => {
  const doc = parseDocument(source(name));
  edit(doc);
  const result = checkPolicyText(doc.toString());
  expect(result.ok).toBe(false);

  return result.issues.map((i) => formatIssue('policy.yaml', i));
};

describe(checkPolicyText.name, () => {
  it.each(EXAMPLE_POLICIES)('validates the example policy %s', (name) => {
    const result = checkPolicyText(source(name));

    expect(result.issues).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('names an unknown retention event and suggests the right one', () => {
    const issues = broken((doc) => doc.setIn(['retention', 3, 'after'], 'contract_end'));

    expect(issues).toEqual([
      expect.stringMatching(
        /^policy\.yaml:\d+: retention\[3\]\.after: unknown event "contract_end" \(did you mean "contract_ended"\?\)$/,
      ),
    ]);
  });

  it('names a purpose that uses a category the file does not define', () => {
    const issues = broken((doc) => doc.setIn(['purposes', 1, 'categories', 0], 'acount'));

    expect(issues.join('\n')).toMatch(
      /purposes\[1\]\.categories\[0\]: unknown category "acount" \(did you mean "account"\?\)/,
    );
  });

  it('requires a retention rule for every category', () => {
    const issues = broken((doc) => {
      const rules = doc.getIn(['retention']) as { items: unknown[] };
      rules.items.splice(1, 1);
    });

    expect(issues.join('\n')).toMatch(/categories\[1\]: category "usage" has no retention rule/);
  });

  it('refuses direct marketing on a legal basis other than consent or legitimate interests', () => {
    const doc = parseDocument(source('answering-service'));
    const index = (doc.toJS().purposes as { id: string }[]).findIndex((p) => p.id === 'marketing');
    const issues = broken((d) => d.setIn(['purposes', index, 'legalBasis'], 'eu-gdpr:A6-1-b'));

    expect(issues.join('\n')).toMatch(
      new RegExp(
        `purposes\\[${index}\\]\\.legalBasis: direct marketing may rest only on consent .* or legitimate interests`,
      ),
    );
  });

  it('refuses a recipient outside the UK/EEA without a transfer mechanism', () => {
    const issues = broken((doc) => doc.deleteIn(['recipients', 3, 'transfer']));

    expect(issues.join('\n')).toMatch(
      /recipients\[3\]\.transfer: recipient "overseas_support" is in IN, outside the UK\/EEA: name a transfer mechanism/,
    );
  });

  it('refuses the invalidated Privacy Shield and says what replaces it', () => {
    const issues = broken((doc) => doc.setIn(['recipients', 1, 'transfer', 'mechanism'], 'privacy_shield'));

    expect(issues.join('\n')).toMatch(
      /recipients\[1\]\.transfer\.mechanism: the EU-US Privacy Shield was invalidated .*Data Privacy Framework/,
    );
  });

  it('refuses adequacy for a country without an adequacy decision', () => {
    const issues = broken((doc) => doc.setIn(['recipients', 3, 'transfer', 'mechanism'], 'adequacy'));

    expect(issues.join('\n')).toMatch(/recipients\[3\]\.transfer\.mechanism: no adequacy decision covers IN/);
  });

  it('suggests the right field name for a mistyped key', () => {
    const issues = broken((doc) => {
      doc.setIn(['purposes', 0, 'legalBase'], 'eu-gdpr:A6-1-b');
      doc.deleteIn(['purposes', 0, 'legalBasis']);
    });

    expect(issues.join('\n')).toMatch(
      /purposes\[0\]\.legalBase: unknown field "legalBase" \(did you mean "legalBasis"\?\)/,
    );
  });

  it('names an unknown legal basis and suggests a DPV GDPR basis', () => {
    const issues = broken((doc) => doc.setIn(['purposes', 0, 'legalBasis'], 'eu-gdpr:A6-1-g'));

    expect(issues.join('\n')).toMatch(
      /purposes\[0\]\.legalBasis: unknown legal basis "eu-gdpr:A6-1-g" \(did you mean "eu-gdpr:A6-1-/,
    );
  });

  it('names an unknown DPV personal-data term', () => {
    const issues = broken((doc) => doc.setIn(['categories', 0, 'dpv', 1], 'pd:EmailAdress'));

    expect(issues.join('\n')).toMatch(
      /categories\[0\]\.dpv\[1\]: unknown DPV personal-data term "pd:EmailAdress" \(did you mean "pd:EmailAddress"\?\)/,
    );
  });

  it('requires the interest pursued for legitimate interests', () => {
    const issues = broken((doc) => doc.deleteIn(['purposes', 2, 'legitimateInterest']));

    expect(issues.join('\n')).toMatch(
      /purposes\[2\]\.legitimateInterest: is required when the legal basis is legitimate interests/,
    );
  });

  it('refuses a policy missing a purpose the code processes data for', () => {
    const issues = broken((doc) => doc.setIn(['purposes', 0, 'id'], 'service_provision'));

    expect(issues.join('\n')).toMatch(/purposes: missing purpose "service_delivery"/);
  });

  it('refuses the soft opt-in on a channel it does not cover', () => {
    const issues = broken((doc) => doc.setIn(['marketing', 'channels', 2, 'basis'], 'soft_opt_in'));

    expect(issues.join('\n')).toMatch(
      /marketing\.channels\[2\]\.basis: the soft opt-in .* covers only e-mail and SMS, not phone/,
    );
  });

  it('refuses advertising cookies without consent', () => {
    const issues = broken(
      (doc) => doc.setIn(['cookies', 'categories', 4, 'consentRequired'], false),
      'contact-centre-saas',
    );

    expect(issues.join('\n')).toMatch(
      /cookies\.categories\[4\]\.consentRequired: advertising cookies always need consent/,
    );
  });

  it('refuses a change log that adds a purpose without marking it material', () => {
    const issues = broken((doc) => {
      doc.setIn(['changes', 1, 'newPurposes'], ['aggregate_insights']);
      doc.setIn(['changes', 1, 'material'], false);
    });

    expect(issues.join('\n')).toMatch(/changes\[1\]\.material: a change that adds a purpose is material/);
  });

  it("refuses a fee for the first copy of a person's data", () => {
    const issues = broken((doc) => doc.setIn(['rights', 'fees', 'firstCopyFree'], false));

    expect(issues.join('\n')).toMatch(/rights\.fees\.firstCopyFree: must be true: the first copy is always free/);
  });

  it('reports YAML syntax errors with their line', () => {
    const result = checkPolicyText('policy: 1\nid: [unclosed\n');

    expect(result.ok).toBe(false);
    expect(result.issues[0]?.message).toMatch(/^YAML: /);
    expect(result.issues[0]?.line).toBeGreaterThan(0);
  });

  it('reports a missing required field', () => {
    const issues = broken((doc) => doc.deleteIn(['controller', 'supervisoryAuthority']));

    expect(issues.join('\n')).toMatch(/controller\.supervisoryAuthority: is required/);
  });
});
