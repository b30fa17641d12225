import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import type { Row } from '../../lib/core/row.ts';
import { createLlm, type Llm } from '../../lib/llm/client.ts';
import { complete } from '../../lib/llm/complete.ts';
import { embed } from '../../lib/llm/embed.ts';
import { generate } from '../../lib/llm/generate.ts';
import { structured } from '../../lib/llm/structured.ts';
import { startSimulator, type Simulator } from '../../lib/llm/simulator/index.ts';
import { toMemory } from '../../lib/sinks/memory.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';
import { failedCollector } from '../helpers/failed-collector.ts';

describe('LLM steps against the loopback simulator', () => {
  let sim: Simulator;
  let llm: Llm;
  before(async () => {
    sim = await startSimulator();
    llm = createLlm({ model: 'sim-small', baseURL: sim.url, apiKey: 'sk-test-SECRET', concurrency: 16 });
  });
  after(async () => {
    await llm.close();
    await sim.close();
  });

  it('generate fills the column from a template and records model, usage, finish reason and request id', async () => {
    const out = toMemory();
    const summary = await pipeline('g')
      .from(fromIterable([{ topic: 'tides' }, { topic: 'bread' }]))
      .pipe(generate({ llm, system: 'Be brief.', prompt: 'Tell me about {{ topic }}.', as: 'text', name: 'tell' }))
      .to(out)
      .run({ failed: failedCollector(), cache: false });
    assert.equal(out.rows.length, 2);
    const row = out.rows.find((r) => r.topic === 'tides')!;
    assert.match(String(row.text), /^\[sim:sim-small\] answer to: Tell me about tides\./);
    const meta = (row._sluice as Record<string, Record<string, unknown>>).tell!;
    assert.equal(meta.model, 'sim-small');
    assert.equal(meta.finish_reason, 'stop');
    assert.equal(meta.simulated, true);
    assert.match(String(meta.request_id), /^req_/);
    assert.ok((meta.usage as { prompt_tokens: number }).prompt_tokens > 0);
    const usage = (summary.llm as Record<string, { requests: number; simulated?: boolean }>)['sim-small']!;
    assert.equal(usage.requests, 2);
    assert.equal(usage.simulated, true);
  });

  it('generate with n samples gives a list, or one row per sample with child ids', async () => {
    const list = toMemory();
    await pipeline('n')
      .from(fromIterable([{ q: 'x' }]))
      .pipe(generate({ llm, prompt: '{{ q }}', n: 3, metadata: false }))
      .to(list)
      .run({ failed: failedCollector(), cache: false });
    const samples = list.rows[0]!.generation as string[];
    assert.equal(samples.length, 3);
    assert.equal(new Set(samples).size, 3);
    assert.equal(list.rows[0]!._sluice, undefined);

    const rows = toMemory();
    const summary = await pipeline('n')
      .from(fromIterable([{ q: 'x' }, { q: 'y' }]))
      .pipe(generate({ llm, prompt: '{{ q }}', n: 3, samples: 'rows', as: 'a' }))
      .to(rows)
      .run({ failed: failedCollector(), cache: false });
    assert.equal(rows.rows.length, 6);
    assert.equal(summary.source.done, 2);
    assert.equal(summary.steps.generate!.emitted, 6);
  });

  it('structured parses and validates the reply against the zod schema', async () => {
    const out = toMemory();
    const schema = z.object({ subtopics: z.array(z.string()).min(1), level: z.enum(['easy', 'hard']) });
    await pipeline('s')
      .from(fromIterable([{ topic: 'tides' }]))
      .pipe(structured({ llm, prompt: 'Plan {{ topic }}', schema, as: 'plan' }))
      .to(out)
      .run({ failed: failedCollector(), cache: false });
    const plan = schema.parse(out.rows[0]!.plan);
    assert.equal(plan.subtopics.length, 3);
  });

  it('structured retries an invalid reply, then fails the row keeping the raw text', async () => {
    const out = toMemory();
    const failed = failedCollector();
    const before = sim.log.length;
    const summary = await pipeline('s')
      .from(fromIterable([{ topic: 'ok' }, { topic: '[[sim:invalid-json]]' }, { topic: '[[sim:wrong-schema]]' }]))
      .pipe(structured({ llm, prompt: 'Plan {{ topic }}', schema: z.object({ subtopics: z.array(z.string()) }), maxInvalid: 2 }))
      .to(out)
      .run({ failed, cache: false });
    assert.equal(out.rows.length, 1);
    assert.equal(summary.failed, 2);
    assert.equal(sim.log.length - before, 1 + 3 + 3, 'one request for the good row, three for each bad one');
    const byTopic = Object.fromEntries(failed.rows.map((f) => [(f.row as Row).topic, f]));
    const notJson = byTopic['[[sim:invalid-json]]'] as Row & { error: { code: string; message: string }; raw: string; attempts: number };
    assert.equal(notJson.error.code, 'SLUICE_LLM_INVALID_OUTPUT');
    assert.match(notJson.error.message, /After 3 tries, the reply is not JSON/);
    assert.equal(notJson.attempts, 3);
    assert.ok(notJson.raw.length > 0);
    const wrong = byTopic['[[sim:wrong-schema]]'] as Row & { error: { message: string } };
    assert.match(wrong.error.message, /does not match the schema: subtopics/);
  });

  it('complete sends a raw prompt to the legacy completions endpoint', async () => {
    const out = toMemory();
    const before = sim.log.length;
    await pipeline('c')
      .from(fromIterable([{ seed: 'Once' }]))
      .pipe(complete({ llm, prompt: '<|user|>{{ seed }}', as: 'text' }))
      .to(out)
      .run({ failed: failedCollector(), cache: false });
    assert.equal(typeof out.rows[0]!.text, 'string');
    assert.equal(sim.log.at(-1)!.path, '/v1/completions');
    assert.equal(sim.log.length - before, 1);
  });

  it('embed sends rows in batches and puts one vector on each row', async () => {
    const out = toMemory();
    const before = sim.log.length;
    const rows = Array.from({ length: 10 }, (_, i) => ({ text: `sentence ${i}` }));
    await pipeline('e')
      .from(fromIterable(rows))
      .pipe(embed({ llm, text: '{{ text }}', size: 4, dimensions: 6 }))
      .to(out)
      .run({ failed: failedCollector(), cache: false });
    assert.equal(out.rows.length, 10);
    assert.ok(out.rows.every((r) => Array.isArray(r.embedding) && (r.embedding as number[]).length === 6));
    const requests = sim.log.slice(before);
    assert.ok(requests.every((r) => r.path === '/v1/embeddings'));
    assert.equal(requests.length, 3, '10 rows in batches of 4');
  });

  it('names a missing template column before any request is sent', async () => {
    const before = sim.log.length;
    await assert.rejects(
      pipeline('v')
        .from(fromIterable([{ topic: 'x' }]))
        // @ts-expect-error -- the compile-time check rejects it too; this is the run-time one.
        .pipe(generate({ llm, prompt: 'Answer {{ question }}', name: 'answer' }))
        .to(toMemory())
        .run({ failed: failedCollector(), cache: false }),
      /Step `answer` needs column `question`, but upstream produces `topic`\. Map it with `inputs: \{ question: 'topic' \}`/,
    );
    assert.equal(sim.log.length, before);
    const out = toMemory();
    await pipeline('v')
      .from(fromIterable([{ topic: 'x' }]))
      .pipe(generate({ llm, prompt: 'Answer {{ question }}', inputs: { question: 'topic' } }))
      .to(out)
      .run({ failed: failedCollector(), cache: false });
    assert.match(String(out.rows[0]!.generation), /Answer x/);
  });
});
