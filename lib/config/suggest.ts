/**
 * "Did you mean ...?" suggestions for misspelt keys, names and plugins.
 *
 * @module
 */

/**
 * Edit distance between two strings, counting insertions, deletions, substitutions and swaps
 * of two adjacent characters (optimal string alignment), so `kafak` is 1 away from `kafka`.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { levenshtein } from "./suggest.ts";
 * assert.equal(levenshtein("kitten", "sitting"), 3);
 * assert.equal(levenshtein("kafak", "kafka"), 1);
 * ```
 */
export function levenshtein(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row[j] = j;
        continue;
      }
      const above = rows[i - 1] ?? [];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(
        (above[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (above[j - 1] ?? 0) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      }
      row[j] = distance;
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? 0;
}

/**
 * The candidate closest to `word`, if it is close enough to be a plausible typo
 * (distance at most a third of the word's length, at least 1; case is ignored; words under
 * 4 characters get no suggestion).
 *
 * @param word What the user wrote.
 * @param candidates Valid values.
 * @returns The best candidate, or undefined when none is close.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { closestMatch } from "./suggest.ts";
 * assert.equal(closestMatch("top_page", ["top_pages", "status_counts"]), "top_pages");
 * assert.equal(closestMatch("xyz", ["top_pages"]), undefined);
 * ```
 */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  if (word.length < 4) return undefined; // too short for a typo to be told from another word
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = levenshtein(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance && distance <= limit) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * A ` (did you mean 'x'?)` suffix for an error message, or `""` when nothing is close.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { didYouMean } from "./suggest.ts";
 * assert.equal(didYouMean("sink", ["sinks", "sources"]), " (did you mean 'sinks'?)");
 * ```
 */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const match = closestMatch(word, candidates);
  return match === undefined ? "" : ` (did you mean '${match}'?)`;
}
