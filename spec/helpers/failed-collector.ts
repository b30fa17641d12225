/** A failed-rows sink that keeps the rows in memory, for specs that check them. */
import type { Row } from '../../lib/core/row.ts';
import type { Sink } from '../../lib/core/sink.ts';

export function failedCollector(): Sink & { rows: Row[] } {
  const rows: Row[] = [];
  return {
    name: 'failed',
    rows,
    write(row, _leaf, done) {
      rows.push(row);
      queueMicrotask(() => done());
    },
    async close() {},
  };
}
