import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Row } from '../../lib/core/row.ts';
import { createLlm, type Llm, type LlmOptions } from '../../lib/llm/client.ts';
import { complete } from '../../lib/llm/complete.ts';
import { embed } from '../../lib/llm/embed.ts';
import { generate } from '../../lib/llm/generate.ts';
import { startSimulator, type Simulator } from '../../lib/llm/simulator/index.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import { toMemory } from '../../lib/sinks/memory.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';
import { failedCollector } from '../helpers/failed-collector.ts';

/** Small batches that go out and come back fast: what a test needs, not what a provider takes. */
const FAST = { flushAfterMs: 20, pollMs: 5 } as const;

let sim: Simulator;
const llms: Llm[] = [];

function llm(options: Partial<LlmOptions> = {}): Llm {
  const made = createLlm({ model: 'gpt-4o-mini', baseURL: sim.url, apiKey: 'sk-test', ...options });
  llms.push(made);
  return made;
}

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ topic: `topic ${i}` }));

/** A two-step pipeline: a question per topic, then its answer. */
function twoSteps(writer: Llm, answerer: Llm) {
  return pipeline('two-steps').pipe(
    generate({ llm: writer, name: 'question', prompt: 'Ask about {{ topic }}', as: 'question', metadata: false }),
    generate({ llm: answerer, name: 'answer', prompt: '{{ question }}', as: 'answer', metadata: false }),
  );
}

async function run(p: ReturnType<typeof twoSteps>, input: Row[], options: Record<string, unknown> = {}) {
  const out = toMemory();
  const failed = failedCollector();
  const summary = await p.run({ source: fromIterable(input), sink: out, failed, ...options });
  return { summary, rows: out.rows, failed: failed.rows };
}

const byTopic = (list: Row[]) => [...list].sort((a, b) => String(a.topic).localeCompare(String(b.topic)));

describe('batch mode: LLM steps through the batch API', () => {
  before(async () => {
    sim = await startSimulator({ batchMs: 10 });
  });
  after(async () => {
    await Promise.all(llms.map((l) => l.close()));
    await sim.close();
  });

  it('a 5,000-row two-step pipeline in batch mode equals it live: same rows, same cache keys, at the batch price', async () => {
    const input = rows(5000);
    const cacheDir = await mkdtemp(join(tmpdir(), 'sluice-batch-cache-'));
    sim.reset();
    const batched = await run(twoSteps(llm({ name: 'writer', batch: FAST }), llm({ name: 'answerer', batch: FAST })), input, { cache: cacheDir });
    assert.equal(batched.summary.status, 'ok');
    assert.equal(batched.rows.length, 5000);
    const batches = sim.batches();
    assert.ok(batches.length >= 2, `${batches.length} batches`);
    assert.equal(
      batches.reduce((sum, b) => sum + b.request_counts.completed, 0),
      10_000,
      'every request answered once, in some batch',
    );
    assert.equal(sim.log.filter((e) => e.path === '/v1/chat/completions').length, 0, 'no live request');
    const usage = batched.summary.llm as Record<string, { batch: { answers: number }; costUsd: number; promptTokens: number; completionTokens: number }>;
    assert.equal(usage.writer!.batch.answers, 5000);
    // Priced at the batch column: half of gpt-4o-mini's live $0.15 / $0.60 per 1M tokens.
    const { promptTokens, completionTokens, costUsd } = usage.answerer!;
    assert.ok(Math.abs(costUsd - (promptTokens * 0.075 + completionTokens * 0.3) / 1e6) < 1e-9);

    sim.reset();
    const live = await run(twoSteps(llm({ name: 'writer' }), llm({ name: 'answerer' })), input, { cache: false });
    assert.deepEqual(byTopic(live.rows), byTopic(batched.rows));

    // The same cache keys: live steps over the batch run's cache send nothing.
    sim.reset();
    const rerun = await run(twoSteps(llm({ name: 'writer' }), llm({ name: 'answerer' })), input, { cache: cacheDir });
    assert.equal(rerun.rows.length, 5000);
    assert.equal(sim.stats().requests, 0);
  });

  it('rows of a finished batch flow on while another batch is pending', async () => {
    sim.reset();
    // Batch 2 stays in progress until a row of batch 1 has reached the sink.
    let written = false;
    sim.configure({ batchFate: ({ n }) => (n === 1 || written ? 'complete' : 'hold') });
    const writer = llm({ name: 'streaming', batch: { ...FAST, maxRequests: 50 } });
    let pendingAtFirstRow: string[] | undefined;
    const out = {
      name: 'watch',
      write(_row: Row, _leaf: string, done: () => void) {
        pendingAtFirstRow ??= sim
          .batches()
          .slice(1)
          .map((b) => b.status);
        written = true;
        done();
      },
      async close() {},
    };
    const summary = await pipeline('stream')
      .pipe(generate({ llm: writer, prompt: 'Ask about {{ topic }}', as: 'q', metadata: false }))
      .run({ source: fromIterable(rows(200)), sink: out, cache: false, budget: 200 });
    sim.configure({ batchFate: undefined });
    assert.equal(summary.status, 'ok');
    assert.equal(sim.batches().length, 4);
    assert.ok(pendingAtFirstRow, 'a row was written');
    assert.ok(!pendingAtFirstRow.includes('completed'), `no later batch had ended when the first row was written: ${JSON.stringify(pendingAtFirstRow)}`);
  });

  it('a batch that expires with half its requests done keeps that half and resubmits the rest', async () => {
    sim.reset();
    sim.configure({ batchFate: ({ n, requests }) => (n === 1 ? { expireAfter: Math.floor(requests / 2) } : 'complete') });
    const writer = llm({ name: 'expiring', batch: { ...FAST, flushAfterMs: 50 } });
    const result = await run(
      pipeline('expire').pipe(generate({ llm: writer, prompt: 'Ask about {{ topic }}', as: 'q', metadata: false })) as never,
      rows(100),
      {
        cache: false,
      },
    );
    sim.configure({ batchFate: undefined });
    assert.equal(result.rows.length, 100);
    const [first, ...rest] = sim.batches();
    assert.equal(first!.status, 'expired');
    assert.equal(first!.request_counts.completed, 50);
    assert.equal(
      rest.reduce((sum, b) => sum + b.request_counts.total, 0),
      50,
      'only the expired half was sent again',
    );
    const usage = (result.summary.llm as Record<string, { batch: { resubmitted: number; answers: number } }>).expiring!;
    assert.deepEqual([usage.batch.answers, usage.batch.resubmitted], [100, 50]);
  });

  it('requests no batch answers fail with the provider’s reason after every resubmission, or go live when allowed', async () => {
    sim.reset();
    sim.configure({ batchFate: () => 'fail' });
    const failing = await run(
      pipeline('fail').pipe(generate({ llm: llm({ name: 'failing', batch: { ...FAST, retries: 1 } }), prompt: 'Ask about {{ topic }}', as: 'q' })) as never,
      rows(3),
      { cache: false },
    );
    assert.equal(failing.rows.length, 0);
    assert.equal(failing.failed.length, 3);
    for (const row of failing.failed as Array<{ error: { code: string; message: string } }>) {
      assert.equal(row.error.code, 'SLUICE_LLM_BATCH');
      assert.match(row.error.message, /in 2 batches: the batch batch_sim\w+ ended failed \(The batch failed as a whole \(simulated\)\.\)/);
    }
    sim.reset();
    const live = await run(
      pipeline('live').pipe(
        generate({
          llm: llm({ name: 'fallback', batch: { ...FAST, retries: 1, resubmit: 'live' } }),
          prompt: 'Ask about {{ topic }}',
          as: 'q',
          metadata: false,
        }),
      ) as never,
      rows(3),
      { cache: false },
    );
    sim.configure({ batchFate: undefined });
    assert.equal(live.rows.length, 3);
    assert.equal(sim.log.filter((e) => e.path === '/v1/chat/completions').length, 3);
  });

  it('works for embeddings, one batch line per request of `size` texts', async () => {
    sim.reset();
    const embedder = llm({ name: 'embedder', model: 'text-embedding-3-small', batch: FAST });
    const result = await run(pipeline('embed').pipe(embed({ llm: embedder, text: '{{ topic }}', size: 10, metadata: false })) as never, rows(35), {
      cache: false,
    });
    assert.equal(result.rows.length, 35);
    assert.ok(result.rows.every((row) => Array.isArray(row.embedding) && (row.embedding as number[]).length === 8));
    assert.deepEqual(
      sim.batches().map((b) => [b.endpoint, b.request_counts.total]),
      [['/v1/embeddings', 4]],
    );
    assert.equal(sim.log.filter((e) => e.path === '/v1/embeddings').length, 0);
  });

  it('works for completions, and a step can ask for batch mode itself', async () => {
    sim.reset();
    const writer = llm({ name: 'plain' });
    const result = await run(
      pipeline('complete').pipe(complete({ llm: writer, prompt: 'Topic: {{ topic }}\n', as: 'text', metadata: false, batch: FAST })) as never,
      rows(5),
      { cache: false },
    );
    assert.equal(result.rows.length, 5);
    assert.equal(sim.batches()[0]!.endpoint, '/v1/completions');
    assert.equal(sim.log.filter((e) => e.path === '/v1/completions').length, 0);
  });
});
