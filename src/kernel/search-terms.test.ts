import { describe, expect, it } from 'vitest';
import { ephemeralKeyring } from './crypto/keyring.ts';
import { createVault } from './crypto/vault.ts';
import { searchTerms, searchWords } from './search-terms.ts';

describe(searchWords.name, () => {
  it('normalises, strips diacritics, splits on non-letters, drops short words and duplicates', () => {
    expect(searchWords(['Ann Müller-Öst, a call', 're: INVOICE #42; invoice', null])).toEqual([
      'ann',
      'muller',
      'ost',
      'call',
      're',
      'invoice',
      '42',
    ]);
  });
});

describe(searchTerms.name, () => {
  it('gives the same hash for the same word in one account and different hashes across accounts', () => {
    const vault = createVault({ keyring: ephemeralKeyring() });
    const [a] = searchTerms(vault, 'acc-1', ['Müller']);
    const [b] = searchTerms(vault, 'acc-1', ['muller']);
    const [c] = searchTerms(vault, 'acc-2', ['muller']);
    expect(a?.equals(b as Buffer)).toBe(true);
    expect(a?.equals(c as Buffer)).toBe(false);
    expect(a?.equals(vault.blindIndex('name', 'acc-1', 'muller'))).toBe(false);
  });
});
