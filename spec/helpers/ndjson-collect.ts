/**
 * Reads a whole source or codec into a flat list of items, for assertions.
 * @module
 */
import type { Source, SourceItem } from '../../lib/core/source.ts';

/** Every item of `input` (a source, or what `ndjsonLines` returns), in order. */
export async function ndjsonCollect(
  input: Source | AsyncIterable<readonly SourceItem[]>,
  signal: AbortSignal = new AbortController().signal,
): Promise<SourceItem[]> {
  const items: SourceItem[] = [];
  const batches = 'read' in input ? input.read(signal) : input;
  for await (const batch of batches) items.push(...batch);
  return items;
}

/** A compact view of items: `[position, row]` for rows, `[position, code]` for failures. */
export function ndjsonSummary(items: readonly SourceItem[]): Array<[number, unknown]> {
  return items.map((item) => (item.ok ? [item.position, item.row] : [item.position, item.error.code]));
}
