/**
 * @module The record of processing activities (UK/EU GDPR Art. 30), generated from the policy file: the controller
 * part (30(1), one row per purpose) and the processor part (30(2), one row per activity done for clients). It is
 * written as CSV or as an XLSX workbook (streamed), so the record can never drift from the notice.
 *
 * @example
 * await writeRopaXlsx(policy, fs.createWriteStream('ropa.xlsx'))
 * const csv = ropaCsv(policy)
 */
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { basisIri, describeBasis, describeMechanism, describeRetention, nameOf, retentionFor } from './describe.ts';
import { expandCurie } from './dpv.ts';
import type { PolicyFile } from './policy-schema.ts';

export const CONTROLLER_COLUMNS = [
  'Activity',
  'Purpose id',
  'Purpose (DPV)',
  'Legal basis',
  'Legal basis (DPV)',
  'Legitimate interest',
  'Data subjects',
  'Personal data categories',
  'Personal data (DPV)',
  'Special category',
  'Sources',
  'Recipients',
  'Transfers outside UK/EEA and safeguards',
  'Retention',
  'Security measures',
  'Controller',
  'Contact',
  'Representatives',
] as const;

export const PROCESSOR_COLUMNS = [
  'Processing on behalf of clients',
  'Processor',
  'Controllers',
  'Personal data categories',
  'Sub-processors',
  'Transfers outside UK/EEA and safeguards',
  'Retention',
  'Security measures',
  'Contact',
] as const;

type Row = Record<string, string>;

const contactOf = (p: PolicyFile) => {
  const c = p.controller.privacyContact;

  return [c.name, c.isDpo ? 'Data Protection Officer' : c.role, c.email, c.phone, c.address].filter(Boolean).join(', ');
};

const transfersFor = (recipients: PolicyFile['recipients']) =>
  recipients
    .filter((r) => r.transfer)
    .map((r) => `${r.name} (${r.country.join(', ')}): ${describeMechanism(r.transfer?.mechanism)}`)
    .join('; ') || 'None';

export const controllerRows = (p: PolicyFile): Row[] =>
  p.purposes
    .filter((purpose) => purpose.role === 'controller')
    .map((purpose) => {
      const recipients = p.recipients.filter((r) => r.purposes.includes(purpose.id));
      const categories = p.categories.filter((c) => purpose.categories.includes(c.id));

      return {
        Activity: purpose.name,
        'Purpose id': purpose.id,
        'Purpose (DPV)': expandCurie(purpose.dpv),
        'Legal basis': describeBasis(purpose),
        'Legal basis (DPV)': basisIri(purpose),
        'Legitimate interest': purpose.legitimateInterest ?? '',
        'Data subjects': purpose.dataSubjects.map((s) => nameOf(p.dataSubjects, s)).join('; '),
        'Personal data categories': categories.map((c) => c.name).join('; '),
        'Personal data (DPV)': [...new Set(categories.flatMap((c) => c.dpv.map(expandCurie)))].join(' '),
        'Special category': categories.some((c) => c.specialCategory) ? 'Yes' : 'No',
        Sources: [...new Set(categories.flatMap((c) => c.sources))].join(', '),
        Recipients: recipients.map((r) => r.name).join('; ') || 'None',
        'Transfers outside UK/EEA and safeguards': transfersFor(recipients),
        Retention: categories
          .map((c) => `${c.name}: ${retentionFor(p, c.id).map(describeRetention).join(' ')}`)
          .join(' | '),
        'Security measures': p.security.join(' '),
        Controller: p.controller.legalEntities.map((e) => `${e.name}${e.address ? `, ${e.address}` : ''}`).join('; '),
        Contact: contactOf(p),
        Representatives: p.controller.representatives.map((r) => `${r.region}: ${r.name}`).join('; '),
      };
    });

export const processorRows = (p: PolicyFile): Row[] => {
  const processor = p.roles.processor;
  if (!processor) return [];
  const processorPurposes = p.purposes.filter((x) => x.role === 'processor').map((x) => x.id);
  const subProcessors = p.recipients.filter(
    (r) => r.kind !== 'public_authority' && r.purposes.some((x) => processorPurposes.includes(x)),
  );
  const categories = p.categories.filter((c) => processor.categories.includes(c.id));

  return processor.activities.map((activity) => ({
    'Processing on behalf of clients': activity,
    Processor: p.controller.name,
    Controllers: processor.controllers,
    'Personal data categories': categories.map((c) => c.name).join('; '),
    'Sub-processors': subProcessors.map((r) => `${r.name} (${r.country.join(', ')})`).join('; ') || 'None',
    'Transfers outside UK/EEA and safeguards': transfersFor(subProcessors),
    Retention: categories
      .map((c) => `${c.name}: ${retentionFor(p, c.id).map(describeRetention).join(' ')}`)
      .join(' | '),
    'Security measures': p.security.join(' '),
    Contact: contactOf(p),
  }));
};

const csvCell = (value: string) => {
  // A leading =, +, - or @ would run as a formula in a spreadsheet (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;

  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** One CSV: the controller rows, then the processor rows, with a `Part` column saying which. */
export const ropaCsv = (p: PolicyFile): string => {
  const header = [
    'Part',
    ...CONTROLLER_COLUMNS,
    ...PROCESSOR_COLUMNS.filter((c) => !(CONTROLLER_COLUMNS as readonly string[]).includes(c)),
  ];
  const lines = [header.map(csvCell).join(',')];
  for (const row of controllerRows(p))
    lines.push(['Controller (Art. 30(1))', ...header.slice(1).map((h) => row[h] ?? '')].map(csvCell).join(','));
  for (const row of processorRows(p))
    lines.push(['Processor (Art. 30(2))', ...header.slice(1).map((h) => row[h] ?? '')].map(csvCell).join(','));

  return `${lines.join('\r\n')}\r\n`;
};

export const CONTROLLER_SHEET = 'Controller (Art 30(1))';
export const PROCESSOR_SHEET = 'Processor (Art 30(2))';

/** Streams the workbook to `stream` and resolves when it has been written. */
export const writeRopaXlsx = async (p: PolicyFile, stream: Writable): Promise<void> => {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
  workbook.creator = 'Custodian';
  workbook.title = `Record of processing — ${p.controller.name}`;
  const sheet = (name: string, columns: readonly string[], rows: Row[]) => {
    const ws = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = columns.map((c) => ({ header: c, key: c, width: Math.min(60, Math.max(14, c.length + 2)) }));
    ws.getRow(1).font = { bold: true };
    ws.getRow(1).commit();
    for (const row of rows) ws.addRow(row).commit();
    ws.commit();
  };
  sheet(CONTROLLER_SHEET, CONTROLLER_COLUMNS, controllerRows(p));
  sheet(PROCESSOR_SHEET, PROCESSOR_COLUMNS, processorRows(p));
  const info = workbook.addWorksheet('About');
  info.addRow(['Record of processing activities (UK GDPR / EU GDPR Art. 30)']).commit();
  info.addRow(['Controller', p.controller.name]).commit();
  info.addRow(['Policy', `${p.id} version ${p.version}, effective ${p.effectiveDate}`]).commit();
  info.addRow(['Vocabulary', 'W3C Data Privacy Vocabulary (DPV) 2.3']).commit();
  info.commit();
  await workbook.commit();
};

/** The workbook as one buffer (for an HTTP response). */
export const ropaXlsxBuffer = async (p: PolicyFile): Promise<Buffer> => {
  const { PassThrough } = await import('node:stream');
  const chunks: Buffer[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  await writeRopaXlsx(p, stream);
  await ended;

  return Buffer.concat(chunks);
};
