import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { zipWriter } from './zip.ts';

describe('zipWriter', () => {
  it('writes an archive another implementation reads back byte for byte, deflated and stored entries alike', async () => {
    const text = Buffer.from('Ünïcode report '.repeat(2_000));
    const scan = Buffer.from(Array.from({ length: 5_000 }, (_, i) => (i * 7919) % 256));
    const writer = zipWriter();
    writer.add('report.html', text);
    writer.add('files/scan é.pdf', scan, { store: true });
    writer.add('empty.csv', '');
    const zip = await writer.finish(new Date('2026-11-23T10:15:30Z'));
    const read = unzipSync(zip);
    expect(Object.keys(read)).toEqual(['report.html', 'files/scan é.pdf', 'empty.csv']);
    expect(Buffer.from(read['report.html'] as Uint8Array).equals(text)).toBe(true);
    expect(Buffer.from(read['files/scan é.pdf'] as Uint8Array).equals(scan)).toBe(true);
    expect(read['empty.csv']).toHaveLength(0);
    // Deflated text is far smaller than the text; the stored scan appears verbatim in the archive.
    expect(zip.length).toBeLessThan(text.length / 10 + scan.length + 1_000);
    expect(zip.includes(scan)).toBe(true);
  });
});
