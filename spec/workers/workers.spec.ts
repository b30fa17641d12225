import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import type { Row } from '../../lib/core/row.ts';
import { filter } from '../../lib/operators/filter.ts';
import { map } from '../../lib/operators/map.ts';
import { scatter } from '../../lib/operators/scatter.ts';
import { batch } from '../../lib/operators/batch.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';
import { toMemory } from '../../lib/sinks/memory.ts';
import { runWorker } from '../../lib/workers/run-worker.ts';
import { withWorkers } from '../../lib/workers/with-workers.ts';
import { workerSegments } from '../../lib/workers/worker-segments.ts';
import { failedCollector } from '../helpers/failed-collector.ts';
import { hasRedisServer, type RedisServer, startRedisServer } from '../helpers/redis-server.ts';

const rows = Array.from({ length: 300 }, (_, i) => ({ n: i }));

function build(queue: string) {
  return pipeline(queue)
    .from(fromIterable(rows))
    .pipe(
      filter((row: { n: number }) => row.n % 7 !== 0),
      scatter((row: { n: number }) => [
        { n: row.n, k: 0 },
        { n: row.n, k: 1 },
      ]),
      map((row: { n: number; k: number }) => {
        if (row.n % 50 === 1 && row.k === 1) throw new Error(`no ${row.n}`);
        return { ...row, sq: row.n * row.n };
      }),
      batch((group: Row[]) => group.map((row) => ({ ...row, batched: true })), { size: 10 }),
      map((row: Row) => ({ ...row, seen: true })),
    );
}

describe('withWorkers and runWorker', { skip: hasRedisServer() ? false : 'redis-server is not installed (.ci/run installs it)' }, () => {
  let redis: RedisServer;
  before(async () => {
    redis = await startRedisServer();
  });
  after(async () => {
    await redis?.stop();
  });

  it('splits a pipeline into segments of row-wise steps; batch stays with the coordinator', () => {
    const segments = workerSegments(build('x').steps);
    assert.deepEqual(
      segments.map((s) => [s.start, s.steps.map((step) => step.kind)]),
      [
        [0, ['filter', 'scatter', 'map']],
        [4, ['map']],
      ],
    );
  });

  it('gives the same rows as a run in one process, with two workers', async () => {
    const alone = toMemory();
    const aloneFailed = failedCollector();
    await build('same').to(alone).failedTo(aloneFailed).run({ cache: false });

    const out = toMemory();
    const failedRows = failedCollector();
    const stop = new AbortController();
    const workers = [0, 1].map(() => runWorker(build('same'), { redis: redis.url, signal: stop.signal, cache: false }));
    const summary = await withWorkers(build('same'), { redis: redis.url }).to(out).failedTo(failedRows).run({ cache: false });
    stop.abort();
    await Promise.all(workers);

    const sorted = (list: Row[]) => list.map((row) => JSON.stringify(row)).sort();
    assert.deepEqual(sorted(out.rows), sorted(alone.rows));
    assert.deepEqual(failedRows.rows.map((row) => row.id).sort(), aloneFailed.rows.map((row) => row.id).sort());
    assert.equal(summary.source.done, 300);
    assert.deepEqual((summary as { workers?: unknown }).workers, { queue: 'same', tasks: 300 + 508, resent: 0, duplicates: 0, llm: {} });
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      assert.equal(await client.xLen('sluice:work:same:tasks:0'), 0, 'acknowledged tasks are deleted');
    } finally {
      await client.close();
    }
  });
});
