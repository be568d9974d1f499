/**
 * @module Full-text search over sealed values: each normalised word of an item becomes a keyed hash (a blind index
 * scoped to the account and to search), stored in `item_search_terms`. A search hashes the query's words the same
 * way and matches hashes, so the database never holds a searchable plaintext word.
 *
 * Words are normalised by NFKD, stripped of diacritics, lower-cased and split on anything that is not a letter or a
 * digit; words shorter than two characters are dropped and duplicates removed.
 *
 * @example
 * const terms = searchTerms(kernel.vault, accountId, ['Ann Müller', 'Invoice 42 overdue'])
 * // the same call with the query text gives the hashes to look up
 */
import type { Vault } from './crypto/vault.ts';

const MIN_WORD = 2;

/** The normalised, de-duplicated words of some texts (exported for tests and the search UI's highlighting). */
export const searchWords = (texts: readonly (string | null | undefined)[]): string[] => {
  const words = new Set<string>();
  for (const text of texts) {
    if (!text) continue;
    const normalised = text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
    for (const word of normalised.split(/[^\p{L}\p{N}]+/u)) {
      if (word.length >= MIN_WORD) words.add(word);
    }
  }

  return [...words];
};

/** Keyed hashes of the words, scoped to the account, distinct from the `name` blind index of subjects. */
export const searchTerms = (
  vault: Pick<Vault, 'blindIndex'>,
  accountId: string,
  texts: readonly (string | null | undefined)[],
): Buffer[] => searchWords(texts).map((word) => vault.blindIndex('name', `search:${accountId}`, word));
