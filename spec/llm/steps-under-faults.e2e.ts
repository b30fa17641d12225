import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Row } from '../../lib/core/row.ts';
import { createLlm } from '../../lib/llm/client.ts';
import { generate } from '../../lib/llm/generate.ts';
import { startSimulator } from '../../lib/llm/simulator/index.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import { toMemory } from '../../lib/sinks/memory.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';
import { failedCollector } from '../helpers/failed-collector.ts';
import { peakInWindow } from '../helpers/peak-in-window.ts';

// Slow (thousands of requests, a paced run): in `npm run test:all`, not in `npm test`.
describe('LLM steps under faults and limits', () => {
  it('keeps every one of 2,000 rows through 20% 429s, 5% 500s, 2% resets and 1% hangs: none lost, none duplicated', { timeout: 120_000 }, async () => {
    const faulty = await startSimulator({ rate429: 0.2, rate500: 0.05, rateReset: 0.02, rateHang: 0.01, retryAfterSeconds: 0, seed: 7 });
    const client = createLlm({
      model: 'sim-small',
      baseURL: faulty.url,
      apiKey: 'sk-test',
      concurrency: 64,
      timeoutMs: 1_000,
      retry: { maxAttempts: 10, baseDelayMs: 5, maxDelayMs: 50, budget: false },
    });
    try {
      const out = toMemory();
      const failed = failedCollector();
      const ids = Array.from({ length: 2000 }, (_, i) => i);
      const summary = await pipeline('faults')
        .from(fromIterable(ids.map((i) => ({ i }))))
        .pipe(generate({ llm: client, prompt: 'Row {{ i }}' }))
        .to(out)
        .run({ failed, budget: 256, cache: false });
      const written = out.rows.map((r) => r.i as number);
      const lost = failed.rows.map((f) => (f.row as Row).i as number);
      assert.equal(new Set(written).size, written.length, 'no duplicates in the output');
      assert.equal(written.length + lost.length, 2000);
      assert.deepEqual(
        [...written, ...lost].sort((a, b) => a - b),
        ids,
      );
      assert.equal(summary.source.done, 2000);
      const stats = faulty.stats();
      assert.ok((stats.faults['429'] ?? 0) > 200, `429s injected: ${JSON.stringify(stats.faults)}`);
      assert.ok((stats.faults.hang ?? 0) > 5);
      const usage = (summary.llm as Record<string, { retries: number; rateLimited: number }>)['sim-small']!;
      assert.ok(usage.retries > 400, `retries ${usage.retries}`);
      assert.ok(usage.rateLimited > 200);
    } finally {
      await client.close();
      await faulty.close();
    }
  });
  it('keeps the request rate at or under the configured RPM, as the server log shows', { timeout: 60_000 }, async () => {
    const server = await startSimulator();
    // 1,200 requests per minute is 20 a second; 150 requests take about 7.5 s.
    const client = createLlm({ model: 'sim-small', baseURL: server.url, apiKey: 'sk-test', rpm: 1200, concurrency: 64 });
    try {
      await pipeline('rpm')
        .from(fromIterable(Array.from({ length: 150 }, (_, i) => ({ i }))))
        .pipe(generate({ llm: client, prompt: 'Row {{ i }}' }))
        .to(toMemory())
        .run({ failed: failedCollector(), cache: false });
      const times = server.log.map((entry) => entry.at).sort((a, b) => a - b);
      assert.equal(times.length, 150);
      // Any 3-second window may hold 3/60 of the RPM: 60 requests (61 with both ends of the window counted).
      const peak = peakInWindow(times, 3000);
      assert.ok(peak <= 61, `peak ${peak} requests in a 3 s window`);
      assert.ok(times.at(-1)! - times[0]! >= 149 * 50 * 0.9, 'the requests were spread over the run');
    } finally {
      await client.close();
      await server.close();
    }
  });
});
