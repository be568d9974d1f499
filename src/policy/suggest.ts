/**
 * @module "Did you mean …?" for policy files: the closest known name by edit distance (optimal string alignment,
 * so a swapped pair of letters counts as one edit), offered only when it is close enough to be a typo.
 *
 * @example
 * didYouMean('contract_end', ['contract_ended', 'collected']) // ' (did you mean "contract_ended"?)'
 */

export const editDistance = (a: string, b: string): number => {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i] as number[];
      const prev = d[i - 1] as number[];
      let best = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((d[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = best;
    }
  }

  return (d[a.length] as number[])[b.length] as number;
};

export const closest = (value: string, candidates: readonly string[]): string | null => {
  const lower = value.toLowerCase();
  let best: { name: string; distance: number } | null = null;
  for (const name of candidates) {
    const distance = editDistance(lower, name.toLowerCase());
    if (!best || distance < best.distance) best = { name, distance };
  }
  if (!best) return null;
  const limit = Math.max(2, Math.floor(Math.max(value.length, best.name.length) / 3));
  if (best.distance <= limit) return best.name;
  // A prefix or suffix of a known name ("contract" for "contract_ended") is still worth suggesting.
  const affix = candidates.find((c) => c.toLowerCase().startsWith(lower) || c.toLowerCase().endsWith(lower));

  return affix ?? null;
};

export const didYouMean = (value: string, candidates: readonly string[]): string => {
  const match = closest(value, candidates);

  return match && match !== value ? ` (did you mean "${match}"?)` : '';
};
