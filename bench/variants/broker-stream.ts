/**
 * The per-row cost of Redis streams: `node … <redis-url> <rows>` seeds a stream with the core
 * benchmark's rows, then times a no-op `map` from that stream (consumer group, acks, deletes) to
 * another stream. `node … - <rows>` times the same pipeline in one process (rows in memory, out
 * to memory) as the baseline.
 */
import { createClient } from 'redis';
import { fromIterable, map, pipeline, redisStream, type Row, toFailedFile, toMemory, toRedisStream } from 'sluice';

const [url = '-', rowsArg = '100000'] = process.argv.slice(2);
const count = Number(rowsArg);
const row = (n: number) => ({ id: n, text: `row ${n} with a little text to carry`, score: n % 7 });
const noop = map((r: Row) => r);
let ms: number;
if (url === '-') {
  const started = performance.now();
  await pipeline('broker-baseline')
    .from(fromIterable(Array.from({ length: count }, (_, n) => row(n))))
    .pipe(noop)
    .to(toMemory())
    .run({ cache: false, failed: toFailedFile('/dev/null') });
  ms = performance.now() - started;
} else {
  const client = createClient({ url });
  await client.connect();
  await client.del(['bench:in', 'bench:out']);
  for (let n = 0; n < count; n += 1000) {
    await Promise.all(Array.from({ length: Math.min(1000, count - n) }, (_, i) => client.xAdd('bench:in', '*', { row: JSON.stringify(row(n + i)) })));
  }
  const started = performance.now();
  await pipeline('broker')
    .from(redisStream(`${url}/bench:in?group=bench`, { count: 500, blockMs: 50 }))
    .pipe(noop)
    .to(toRedisStream(`${url}/bench:out`))
    .run({ cache: false, failed: toFailedFile('/dev/null') });
  ms = performance.now() - started;
  const out = await client.xLen('bench:out');
  if (out !== count) throw new Error(`expected ${count} rows out, got ${out}`);
  await client.close();
}
process.stdout.write(`${JSON.stringify({ rows: count, ms, maxRssKB: process.resourceUsage().maxRSS })}\n`);
