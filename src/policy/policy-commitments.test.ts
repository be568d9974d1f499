/**
 * Commitment lines about the policy itself: each example file states the fact, the public notice renders it, and the
 * record of processing lists it (the three are generated from the same file, so they cannot drift apart).
 */
import path from 'node:path';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { PROVIDER_ACCOUNT_ID } from '../kernel/db/schema.ts';
import { decide } from '../kernel/policy/policy.ts';
import { describeRetention } from './describe.ts';
import { LEGAL_BASES } from './dpv.ts';
import { loadPolicyFile, POLICIES_DIR, toDecisionPolicy } from './policy-loader.ts';
import type { PolicyFile } from './policy-schema.ts';
import { renderNotice } from './render-notice.ts';
import { CONTROLLER_SHEET, controllerRows, PROCESSOR_SHEET, processorRows, ropaCsv, writeRopaXlsx } from './ropa.ts';

const load = (name: string) => loadPolicyFile(path.join(POLICIES_DIR, `${name}.yaml`)).file;
const as = load('answering-service');
const cc = load('contact-centre-saas');
const cv = load('conferencing-vendor');
const cp = load('cloud-phone');
const vo = load('virtual-office');

/** The notice as text a reader sees (tags stripped, entities decoded). */
const noticeText = (p: PolicyFile) =>
  renderNotice(p)
    .replace(/<style>[\s\S]*?<\/style>/, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

const retention = (p: PolicyFile, category: string) => {
  const rule = p.retention.find((r) => r.category === category);
  if (!rule) throw new Error(`no rule for ${category}`);

  return rule;
};

const xlsxRows = async (p: PolicyFile) => {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((resolve) => stream.on('end', resolve));
  await writeRopaXlsx(p, stream);
  await done;
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
  const read = (name: string) => {
    const sheet = workbook.getWorksheet(name);
    if (!sheet) throw new Error(`no sheet ${name}`);
    const header = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
    const rows: Record<string, string>[] = [];
    sheet.eachRow((row, n) => {
      if (n === 1) return;
      const values = (row.values as unknown[]).slice(1);
      rows.push(Object.fromEntries(header.map((h, i) => [h, String(values[i] ?? '')])));
    });

    return rows;
  };

  return { controller: read(CONTROLLER_SHEET), processor: read(PROCESSOR_SHEET) };
};

describe('contact-centre-saas policy', () => {
  it('CC-1: states both roles; the ROPA has a controller part and a processor part', async () => {
    expect(cc.roles.controller.description).toMatch(/controller/);
    expect(cc.roles.processor?.categories).toEqual(['contact_records', 'contact_communications', 'webchat_ip']);
    const { controller, processor } = await xlsxRows(cc);
    expect(controller.length).toBe(cc.purposes.filter((p) => p.role === 'controller').length);
    expect(processor.map((r) => r['Processing on behalf of clients'])).toEqual(cc.roles.processor?.activities);
    expect(noticeText(cc)).toContain('As a processor for our clients');
  });

  it('CC-2: the five controller data types, each with its purposes and legal basis, in the notice and the ROPA', async () => {
    const controllerTypes = cc.categories.filter((c) => c.role === 'controller').map((c) => c.id);
    expect(controllerTypes).toEqual(['usage', 'contract', 'account', 'correspondence', 'marketing']);
    const basisOf = (id: string) =>
      LEGAL_BASES[cc.purposes.find((p) => p.id === id)?.legalBasis ?? 'eu-gdpr:A6-1-a'].kernel;
    expect(basisOf('website_analytics')).toBe('legitimate_interests');
    expect(basisOf('contracting')).toBe('contract');
    expect(basisOf('contracting_representatives')).toBe('legitimate_interests');
    expect(basisOf('marketing')).toBe('legitimate_interests');
    const { controller } = await xlsxRows(cc);
    const analytics = controller.find((r) => r['Purpose id'] === 'website_analytics');
    expect(analytics?.['Personal data categories']).toBe('Usage data');
    expect(analytics?.['Legal basis (DPV)']).toBe('https://w3id.org/dpv/legal/eu/gdpr#A6-1-f');
    expect(noticeText(cc)).toContain('Analysing use of our website Legitimate interests (Art. 6(1)(f))');
  });

  it('CC-4: legal claims, insurance and advice, legal obligations and vital interests are further purposes', () => {
    const further = cc.purposes.filter((p) => p.occasional).map((p) => [p.id, LEGAL_BASES[p.legalBasis].kernel]);
    expect(further).toEqual([
      ['legal_claims', 'legitimate_interests'],
      ['insurance_and_advice', 'legitimate_interests'],
      ['legal_obligation', 'legal_obligation'],
      ['vital_interests', 'vital_interests'],
    ]);
    expect(toDecisionPolicy(cc).purposes.vital_interests?.legalBasis).toBe('vital_interests');
  });

  it('CC-6: recipients by category are listed in the notice and the ROPA', () => {
    const text = noticeText(cc);
    for (const name of [
      'Insurers',
      'Professional advisers',
      'Datacentre owners and operators',
      'Banking, payment and accounting providers',
      'Individual consultants',
      'A prospective buyer',
    ]) {
      expect(text).toContain(name);
    }
    expect(controllerRows(cc).find((r) => r['Purpose id'] === 'insurance_and_advice')?.Recipients).toMatch(
      /Insurers; Professional advisers/,
    );
  });

  it('CC-7: every international transfer names its mechanism, and none rests on the Privacy Shield', () => {
    const transfers = cc.recipients.filter((r) => r.transfer).map((r) => [r.country.join(), r.transfer?.mechanism]);
    expect(transfers).toEqual([
      ['US', 'eu_us_dpf'],
      ['GB', 'adequacy'],
      ['GI', 'eu_scc'],
      ['NZ', 'adequacy'],
    ]);
    const text = noticeText(cc);
    expect(text).toContain('EU-US Data Privacy Framework (with its UK Extension and the Swiss-US DPF)');
    expect(text).not.toMatch(/Privacy Shield \(invalid\)/);
    expect(ropaCsv(cc)).toContain('Billing services provider (NZ): Adequacy decision / regulations');
  });

  it('CC-8: retention as stated — usage 1 year, contract 6 years and account 6 months after the contract ends, correspondence 6 years after the later date, marketing until opt-out', () => {
    expect(retention(cc, 'usage')).toMatchObject({ period: 'P1Y', after: 'collected', action: 'delete' });
    expect(retention(cc, 'contract')).toMatchObject({ period: 'P6Y', after: 'contract_ended' });
    expect(retention(cc, 'account')).toMatchObject({ period: 'P6M', after: 'contract_ended' });
    expect(retention(cc, 'correspondence')).toMatchObject({
      period: 'P6Y',
      after: ['correspondence_dated', 'contract_ended'],
    });
    expect(retention(cc, 'marketing')).toMatchObject({ after: 'opted_out', action: 'suppress' });
    for (const r of cc.retention.filter((x) =>
      ['usage', 'contract', 'account', 'correspondence', 'marketing'].includes(x.category),
    )) {
      expect(r.extendedBy).toEqual(['legal_obligation', 'legal_claims', 'vital_interests']);
    }
    const text = noticeText(cc);
    expect(text).toContain('6 months after the end of the contract, then securely deleted.');
    expect(text).toContain('6 years after the later of the date of the correspondence and the end of the contract');
    expect(describeRetention(retention(cc, 'marketing'))).toMatch(
      /^Until you opt out; then only this is kept: the e-mail address and the marketing preference/,
    );
  });

  it('CC-12: a dedicated privacy contact is named in the notice and the ROPA', () => {
    expect(cc.controller.privacyContact.email).toBe('privacy@quillon.test');
    expect(noticeText(cc)).toContain('Our privacy contact');
    expect(controllerRows(cc)[0]?.Contact).toContain('privacy@quillon.test');
  });

  it('CC-13: a cookie table with every category, named cookies, purpose and expiry', () => {
    expect(cc.cookies.categories.map((c) => c.id)).toEqual([
      'authentication',
      'status',
      'personalisation',
      'security',
      'advertising',
      'analytics',
      'consent',
    ]);
    const html = renderNotice(cc);
    for (const cookie of cc.cookies.list) expect(html).toContain(`<code>${cookie.name}</code>`);
    expect(noticeText(cc)).toContain('Cookies we use Name Category Purpose Provider Expires');
  });
});

describe('conferencing-vendor policy', () => {
  it('CV-4: each processing activity has its Article 6 basis', () => {
    const rows = controllerRows(cv);
    expect(rows.length).toBe(cv.purposes.length);
    for (const row of rows) expect(row['Legal basis']).toMatch(/Art\. 6\(1\)\([a-f]\)/);
    expect(rows.find((r) => r['Purpose id'] === 'legal_obligation')?.['Legal basis']).toBe(
      'Legal obligation (Art. 6(1)(c))',
    );
    expect(rows.find((r) => r['Purpose id'] === 'marketing')?.['Legal basis']).toBe('Consent (Art. 6(1)(a))');
  });

  it('CV-7: transfers outside the EEA to the ticketing and CRM processors carry contractual safeguards', () => {
    const us = cv.recipients.filter((r) => r.country.includes('US'));
    expect(us.map((r) => [r.id, r.transfer?.mechanism, r.processingContract])).toEqual([
      ['ticketing', 'uk_us_data_bridge', true],
      ['crm', 'uk_idta', true],
    ]);
    expect(noticeText(cv)).toContain('UK International Data Transfer Agreement (IDTA)');
  });

  it('CV-8: kept for the contract plus 7 years after it ends', () => {
    for (const category of ['contact', 'account', 'payment', 'support_ticket']) {
      expect(retention(cv, category)).toMatchObject({ period: 'P7Y', after: 'contract_ended' });
    }
    expect(noticeText(cv)).toContain('7 years after the end of the contract');
  });

  it('CV-12: a named data protection officer', () => {
    expect(cv.controller.privacyContact).toMatchObject({ name: 'Morgan Tallis', isDpo: true });
    expect(noticeText(cv)).toContain('Our Data Protection Officer Morgan Tallis');
  });
});

describe('answering-service policy', () => {
  it('AS-6: personal data comes from sign-up, newsletters, surveys, the profile and support; each category names its sources', () => {
    for (const category of as.categories) expect(category.sources.length).toBeGreaterThan(0);
    expect(as.categories.find((c) => c.id === 'account')?.sourceNote).toMatch(/source of each item is kept/);
    expect(controllerRows(as).find((r) => r['Purpose id'] === 'account_administration')?.Sources).toContain(
      'data_subject',
    );
  });

  it('AS-13: transfers outside the UK/EEA are disclosed with their safeguard', () => {
    const text = noticeText(as);
    expect(text).toContain('Transfers outside the UK and EEA');
    expect(text).toContain(
      'Support staff of our outsourced help desk (IN): UK International Data Transfer Agreement (IDTA)',
    );
    expect(text).toContain('UK Extension to the EU-US Data Privacy Framework');
  });

  it("AS-17: the first copy of a person's data is free; a fee only for further copies or manifestly excessive requests", () => {
    expect(as.rights.fees.firstCopyFree).toBe(true);
    expect(noticeText(as)).toContain('the first copy of your data is free.');
  });
});

describe('cloud-phone and virtual-office policies', () => {
  it('CP-6: mailing lists are never sold: the notice says so and no purpose or recipient lets the software do it', async () => {
    expect(cp.marketing.neverSold).toBe(true);
    expect(noticeText(cp)).toContain('We never sell mailing lists.');
    // The decision function refuses any purpose the file does not name, and the file names no sale of data.
    const policy = toDecisionPolicy(cp);
    expect(Object.keys(policy.purposes).filter((id) => /sell|sale|broker/i.test(id))).toEqual([]);
    const noTransaction = undefined as never;
    await expect(
      decide(noTransaction, policy, {
        accountId: PROVIDER_ACCOUNT_ID,
        subjectId: null,
        purpose: 'sell_mailing_list',
        operation: 'use',
      }),
    ).resolves.toEqual({ allowed: false, reason: 'undisclosed_purpose' });
  });

  it('CP-10: the notice covers individuals, not companies', () => {
    expect(noticeText(cp)).toContain(
      'It applies to personal information about individuals, not to information about companies',
    );
  });

  it('VO-13: every category has a stated retention period, longer only where the law requires', () => {
    for (const category of vo.categories) expect(vo.retention.some((r) => r.category === category.id)).toBe(true);
    expect(retention(vo, 'order').extendedBy).toEqual(['legal_obligation']);
  });

  it('VO-7: invoices, statements and service announcements are service messages; offers can be refused', () => {
    expect(vo.marketing.essentialMessages.map((m) => m.id)).toEqual([
      'invoices',
      'service_announcements',
      'customer_service',
      'notice_changes',
    ]);
    expect(toDecisionPolicy(vo).purposes.marketing).toMatchObject({ directMarketing: true, legalBasis: 'consent' });
  });
});

describe(writeRopaXlsx.name, () => {
  it.each(['answering-service', 'contact-centre-saas', 'conferencing-vendor', 'cloud-phone', 'virtual-office'])(
    'writes a workbook for %s whose rows match the policy',
    async (name) => {
      const p = load(name);
      const { controller, processor } = await xlsxRows(p);
      expect(controller.map((r) => r['Purpose id'])).toEqual(
        p.purposes.filter((x) => x.role === 'controller').map((x) => x.id),
      );
      expect(processor).toHaveLength(p.roles.processor?.activities.length ?? 0);
      expect(processorRows(p)).toHaveLength(processor.length);
      for (const row of controller) expect(row.Retention).not.toBe('');
    },
  );

  it('neutralises cells that a spreadsheet would run as a formula in the CSV', () => {
    const doctored = {
      ...as,
      purposes: as.purposes.map((p, i) => (i === 1 ? { ...p, name: '=HYPERLINK("http://x.invalid")' } : p)),
    };

    expect(ropaCsv(doctored)).toContain(`"'=HYPERLINK(""http://x.invalid"")"`);
  });
});
