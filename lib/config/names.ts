/**
 * Wording for names in messages: closest-name suggestions (Levenshtein distance) and quoted lists.
 * @module
 */

/** Edit distance between two strings (insertions, deletions, substitutions). */
function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * Up to `max` of `candidates` close to `name`, closest first (ties in candidate order). Close
 * means at most a third of the longer name's letters apart (at least 2), or differing only in case.
 */
export function closestNames(name: string, candidates: Iterable<string>, max = 3): string[] {
  const scored: Array<{ candidate: string; distance: number; order: number }> = [];
  let order = 0;
  for (const candidate of new Set(candidates)) {
    const distance = candidate.toLowerCase() === name.toLowerCase() ? 0.5 : levenshtein(name, candidate);
    const limit = Math.max(2, Math.floor(Math.max(name.length, candidate.length) / 3));
    if (distance <= limit) scored.push({ candidate, distance, order: order++ });
  }
  return scored
    .sort((a, b) => a.distance - b.distance || a.order - b.order)
    .slice(0, max)
    .map((s) => s.candidate);
}

/** `a`, `b` or `c` (with backticks). */
export function quoteList(names: readonly string[], conjunction = 'or'): string {
  const quoted = names.map((name) => `\`${name}\``);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} ${conjunction} ${quoted.at(-1)}`;
}

/**
 * ` Did you mean `x`?` when some candidates are close to `name`; else `fallback(candidates)`
 * (or nothing). Starts with a space, so it can follow a sentence.
 */
export function didYouMean(name: string, candidates: readonly string[], fallback?: (all: readonly string[]) => string): string {
  const close = closestNames(name, candidates);
  if (close.length > 0) return ` Did you mean ${quoteList(close)}?`;
  return fallback && candidates.length > 0 ? ` ${fallback(candidates)}` : '';
}
