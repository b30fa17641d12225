import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { metricsLog } from '../../lib/cli/metrics-log.ts';
import { createLlm } from '../../lib/llm/client.ts';
import { generate } from '../../lib/llm/generate.ts';
import { startSimulator } from '../../lib/llm/simulator/index.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import { toMemory } from '../../lib/sinks/memory.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';

describe('the metrics log', () => {
  it('appends the run’s counters over time, with each LLM’s requests, tokens, cost and latency percentiles', async () => {
    const sim = await startSimulator({ latencyMs: { min: 2, max: 8 } });
    const llm = createLlm({ name: 'writer', model: 'gpt-4o-mini', baseURL: sim.url, apiKey: 'sk-test', concurrency: 2 });
    const dir = await mkdtemp(join(tmpdir(), 'sluice-metrics-'));
    await mkdir(join(dir, 'run'));
    try {
      const log = metricsLog(join(dir, 'run'));
      const handle = pipeline('timed')
        .from(fromIterable(Array.from({ length: 60 }, (_, i) => ({ q: `q${i}` }))))
        .pipe(generate({ llm, prompt: '{{ q }}', as: 'a', metadata: false }))
        .to(toMemory())
        .start({ cache: false, onEvent: log.onEvent });
      const stop = log.start(handle, 5);
      const summary = await handle.summary;
      await stop();
      const lines = (await readFile(join(dir, 'run', 'metrics.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.ok(lines.length >= 2, `${lines.length} lines`);
      const last = lines.at(-1);
      assert.equal(last.source.done, 60);
      assert.equal(last.steps.generate.out, 60);
      assert.equal(last.llm.writer.requests, (summary.llm as Record<string, { requests: number }>).writer!.requests);
      assert.ok(last.llm.writer.completionTokens > 0);
      assert.ok(lines.some((l) => typeof l.llm.writer?.p50 === 'number' && l.llm.writer.p99 >= l.llm.writer.p50));
      assert.ok(lines.every((l, i) => i === 0 || l.at >= lines[i - 1].at));
    } finally {
      await llm.close();
      await sim.close();
    }
  });
});
