/**
 * Names each record by a hash of its content instead of its position, so a resumed run finds the
 * records it finished even after lines were added, removed or reordered in the input.
 * @module
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../core/canonical-json.ts';
import type { Source, SourceItem } from '../core/source.ts';

/** Hex digits of the SHA-256 kept: 64 bits, so a million records collide with odds near 1 in 10^7. */
const KEY_CHARS = 16;

/**
 * The source with each record's id `name:<hash>`: the first 16 hex digits of the SHA-256 of its
 * canonical JSON (keys sorted), so key order and spacing do not count. The second and later copies
 * of the same record are `<hash>~2`, `<hash>~3`, …, so duplicates stay distinct rows. A record
 * that could not be read is named by a hash of its raw text. Resume then skips done records
 * wherever they are, and does not refuse an input that changed (YAML: `id: hash` on `input:`).
 *
 * Memory: one entry per distinct record (its 16-character hash and a count), as the done-ledger
 * of a resumed run holds one per done record.
 *
 * @example
 * pipeline('clean').from(contentIds(ndjsonFile('records.jsonl'))) // resume survives an edited records.jsonl
 */
export function contentIds<R>(source: Source<R>): Source<R> {
  return {
    ...source,
    ids: 'content',
    async *read(signal) {
      const seen = new Map<string, number>();
      for await (const batch of source.read(signal)) {
        yield batch.map((item): SourceItem<R> => {
          const text = item.ok ? canonicalJson(item.row) : (item.raw ?? `position ${item.position}`);
          const hash = createHash('sha256').update(text).digest('hex').slice(0, KEY_CHARS);
          const copies = (seen.get(hash) ?? 0) + 1;
          seen.set(hash, copies);
          return { ...item, key: copies === 1 ? hash : `${hash}~${copies}` };
        });
      }
    },
    ...(source.done ? { done: source.done.bind(source) } : {}),
    ...(source.fingerprint ? { fingerprint: source.fingerprint.bind(source) } : {}),
  };
}
