import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import { redisStream } from '../../lib/broker/redis-stream-source.ts';
import { toRedisStream } from '../../lib/broker/redis-stream-sink.ts';
import type { Row } from '../../lib/core/row.ts';
import type { SourceItem } from '../../lib/core/source.ts';
import { map } from '../../lib/operators/map.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import { runSourceConformance } from '../conformance/source.case.ts';
import { failedCollector } from '../helpers/failed-collector.ts';
import { hasRedisServer, type RedisServer, startRedisServer } from '../helpers/redis-server.ts';

let redis: RedisServer;
let client: ReturnType<typeof createClient>;
let streams = 0;
const fresh = () => `stream${streams++}`;

async function seed(stream: string, rows: Row[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) await Promise.all(rows.slice(i, i + 500).map((row) => client.xAdd(stream, '*', { row: JSON.stringify(row) })));
}
async function entries(stream: string): Promise<Row[]> {
  return (await client.xRange(stream, '-', '+')).map((entry) => JSON.parse(entry.message.row!) as Row);
}

describe('Redis streams', { skip: hasRedisServer() ? false : 'redis-server is not installed (.ci/run installs it)' }, () => {
  before(async () => {
    redis = await startRedisServer();
    client = createClient({ url: redis.url });
    await client.connect();
  });
  after(async () => {
    await client?.close();
    await redis?.stop();
  });

  runSourceConformance(
    'redisStream',
    async (rows) => {
      const stream = fresh();
      await seed(stream, rows);
      return redisStream(`${redis.url}/${stream}?group=conformance`, { blockMs: 20 });
    },
    { restartable: false },
  );

  it('acknowledges and deletes each entry once its rows are written, so the stream holds only the work in flight', async () => {
    const input = fresh();
    const output = fresh();
    await seed(
      input,
      Array.from({ length: 300 }, (_, n) => ({ n })),
    );
    const summary = await pipeline('streams')
      .from(redisStream(`${redis.url}/${input}?group=g`, { blockMs: 20 }))
      .pipe(map((row: { n: number }) => ({ ...row, twice: row.n * 2 })))
      .to(toRedisStream(`${redis.url}/${output}`))
      .run({ cache: false, failed: failedCollector() });
    assert.equal(summary.status, 'ok');
    const out = await entries(output);
    assert.deepEqual(
      out.map((row) => row.n).sort((a, b) => (a as number) - (b as number)),
      Array.from({ length: 300 }, (_, n) => n),
    );
    assert.equal(await client.xLen(input), 0, 'acknowledged entries are deleted');
    assert.equal(((await client.xPending(input, 'g')) as { pending: number }).pending, 0);
  });

  it('refuses a run directory: the consumer group is what keeps track of the done entries', async () => {
    const input = fresh();
    await seed(input, [{ n: 1 }]);
    await assert.rejects(
      pipeline('no-ledger')
        .from(redisStream(`${redis.url}/${input}?group=g`, { blockMs: 20 }))
        .to(toRedisStream(`${redis.url}/${fresh()}`))
        .run({ cache: false, runDir: join(tmpdir(), `sluice-stream-run-${process.pid}`), failed: failedCollector() }),
      /acknowledges each record itself .* cannot be used with a run directory/,
    );
    assert.equal(await client.xLen(input), 1, 'nothing was read or acknowledged');
  });

  it('two runs in one group share the entries: each row out once', async () => {
    const input = fresh();
    const output = fresh();
    await seed(
      input,
      Array.from({ length: 400 }, (_, n) => ({ n })),
    );
    const run = (consumer: string) =>
      pipeline('share')
        .from(redisStream(`${redis.url}/${input}?group=g`, { consumer, count: 10, blockMs: 20 }))
        .pipe(map(async (row: Row) => row))
        .to(toRedisStream(`${redis.url}/${output}`))
        .run({ cache: false, failed: failedCollector() });
    const [a, b] = await Promise.all([run('a'), run('b')]);
    const out = (await entries(output)).map((row) => row.n as number);
    assert.equal(out.length, 400);
    assert.equal(new Set(out).size, 400);
    assert.ok(a.source.read > 0 && b.source.read > 0, `both took entries (${a.source.read}, ${b.source.read})`);
  });

  it('claims the entries a dead consumer left, and dead-letters those delivered too often, as failed rows', async () => {
    const input = fresh();
    await seed(
      input,
      Array.from({ length: 6 }, (_, n) => ({ n })),
    );
    // A consumer that reads and dies: its entries stay pending, delivered once.
    const dying = redisStream(`${redis.url}/${input}?group=g`, { consumer: 'dying', count: 3, blockMs: 20, endWhenIdle: true });
    const reader = dying.read(new AbortController().signal)[Symbol.asyncIterator]();
    const taken = (await reader.next()).value as SourceItem[];
    assert.equal(taken.length, 3);
    await reader.return?.(undefined);
    // Another claims them at once (idle 0 ms), and reads the rest.
    const output = fresh();
    const failed = failedCollector();
    const summary = await pipeline('claim')
      .from(redisStream(`${redis.url}/${input}?group=g`, { consumer: 'heir', claimIdleMs: 0, blockMs: 20 }))
      .to(toRedisStream(`${redis.url}/${output}`))
      .run({ cache: false, failed });
    assert.equal(summary.status, 'ok');
    assert.deepEqual((await entries(output)).map((row) => row.n).sort(), [0, 1, 2, 3, 4, 5]);

    // With a delivery limit of 1, a claimed entry (its second delivery) goes to the dead letters.
    const strict = fresh();
    await seed(strict, [{ n: 10 }, { n: 11 }]);
    const first = redisStream(`${redis.url}/${strict}?group=g`, { consumer: 'first', blockMs: 20 }).read(new AbortController().signal)[Symbol.asyncIterator]();
    await first.next();
    await first.return?.(undefined);
    const failedAgain = failedCollector();
    const limited = await pipeline('limit')
      .from(redisStream(`${redis.url}/${strict}?group=g`, { consumer: 'second', claimIdleMs: 0, maxDeliveries: 1, blockMs: 20 }))
      .to(toRedisStream(`${redis.url}/${fresh()}`))
      .run({ cache: false, failed: failedAgain });
    assert.equal(limited.status, 'failed-rows');
    assert.deepEqual(
      failedAgain.rows.map((row) => (row.error as { code: string }).code),
      ['SLUICE_INPUT_DEAD_LETTER', 'SLUICE_INPUT_DEAD_LETTER'],
    );
    assert.equal(await client.xLen(`${strict}:dead`), 2);
    assert.equal(await client.xLen(strict), 0);
  });
});
