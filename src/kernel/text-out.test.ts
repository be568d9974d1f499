import { describe, expect, it } from 'vitest';
import { textOut, utf8Chunks, writeJson } from './text-out.ts';

describe('utf8Chunks', () => {
  it('gives the UTF-8 of everything written, across chunk edges and characters outside Latin-1', () => {
    const out = utf8Chunks();
    const pieces = Array.from({ length: 5_000 }, (_, i) => (i % 7 === 0 ? `Zoë’s 📞 ${i}\n` : `row ${i},`));
    for (const piece of pieces) out.write(piece);
    const bytes = out.bytes();
    expect(bytes.length).toBeGreaterThan(16_384 * 2);
    expect(bytes.toString('utf8')).toBe(pieces.join(''));
    // Asked again, nothing is lost or repeated.
    expect(out.bytes().equals(bytes)).toBe(true);
  });

  it('gives no bytes when nothing was written', () => {
    expect(utf8Chunks().bytes()).toHaveLength(0);
  });
});

describe('textOut', () => {
  it('collects what is written as one string', () => {
    const out = textOut();
    out.write('<p>');
    out.write('Zoë');
    out.write('</p>');
    expect(out.text).toBe('<p>Zoë</p>');
  });
});

describe('writeJson', () => {
  it('writes what JSON.stringify gives, whatever the nesting and the values JSON has no form for', () => {
    const values: unknown[] = [
      null,
      'Zoë “quoted”\n',
      42,
      true,
      [],
      {},
      { a: undefined, b: () => 1, c: Symbol('s'), d: [undefined, () => 1, 1], e: new Date('2026-12-05T10:00:00Z') },
      {
        format: 'x',
        people: [
          { subjectId: 's1', datasets: { phone_messages: [{ id: 'm1', body: 'Hi "there"', at: null }] }, n: -0 },
          { subjectId: 's2', datasets: {}, deep: { a: { b: { c: { d: { e: [1, { f: 2 }] } } } } } },
        ],
      },
      { toJSON: () => ({ replaced: true }) },
      {
        boxed: [new String('s'), new Number(1), new Boolean(false)],
        bare: Object.assign(Object.create(null), { a: 1 }),
      },
      new Map([['a', 1]]),
    ];
    for (const value of values) {
      const out = textOut();
      writeJson(out, value);
      expect(out.text).toBe(JSON.stringify(value));
    }
  });
});
