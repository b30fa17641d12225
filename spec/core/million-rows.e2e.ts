import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { map } from '../../lib/operators/map.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';
import { failedCollector } from '../helpers/failed-collector.ts';

// Slow (a million rows): in `npm run test:all`, not in `npm test`.
describe('memory stays bounded', () => {
  it('never has more records pulled and not done than the budget, over a million rows', async () => {
    const budget = 64;
    let pulled = 0;
    let done = 0;
    let peak = 0;
    function* rows() {
      for (let i = 0; i < 1_000_000; i++) {
        pulled++;
        peak = Math.max(peak, pulled - done);
        yield { i };
      }
    }
    let processed = 0;
    const summary = await pipeline('big')
      .from(fromIterable(rows(), { batchSize: 16 }))
      // A slow step: every row waits for the next turn of the event loop.
      .pipe(
        map(
          (row) =>
            new Promise<typeof row>((resolve) =>
              setImmediate(() => {
                processed++;
                resolve(row);
              }),
            ),
          { concurrency: 16 },
        ),
      )
      .to({ name: 'null', write: (_row, _leaf, cb) => cb(), close: async () => {} })
      .run({ budget, onDone: () => done++, failed: failedCollector() });
    assert.equal(processed, 1_000_000);
    assert.equal(summary.source.done, 1_000_000);
    // Beyond the budget, the source holds at most one batch (16 here) in hand while it waits for a permit.
    assert.ok(peak <= budget + 16, `peak pulled-not-done ${peak} > budget ${budget} + 16`);
    assert.ok(peak > budget / 2, `peak ${peak}: the budget was used`);
  });
});
