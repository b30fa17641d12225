/**
 * `toMemory`: collects rows in arrays, per leaf. For tests and small jobs; it holds every row.
 * @module
 */
import type { Row } from '../core/row.ts';
import type { Sink } from '../core/sink.ts';
import { setOwn } from '../core/set-own.ts';

export interface MemorySink extends Sink {
  /** All rows, in the order they were written. */
  readonly rows: Row[];
  /** Rows per leaf. */
  readonly leaves: Record<string, Row[]>;
}

/**
 * @example
 * const out = toMemory();
 * await pipeline('p').from(fromIterable(rows)).to(out).run();
 * out.rows; // every row written
 */
export function toMemory(name = 'memory'): MemorySink {
  const rows: Row[] = [];
  const leaves: Record<string, Row[]> = {};
  return {
    name,
    rows,
    leaves,
    write(row, leaf, done) {
      rows.push(row);
      // Leaves can come from data (`constructor`): only own entries count.
      if (!Object.hasOwn(leaves, leaf)) setOwn(leaves, leaf, []);
      leaves[leaf]!.push(row);
      // Asynchronous like a real sink, so permits are not released inside the emitting call stack.
      queueMicrotask(() => done());
    },
    async close() {},
  };
}
