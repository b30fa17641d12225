import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { metrics, trace } from '@opentelemetry/api';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createLlm, type Llm } from '../../lib/llm/client.ts';
import { generate } from '../../lib/llm/generate.ts';
import { startSimulator, type Simulator } from '../../lib/llm/simulator/index.ts';
import { broadcast } from '../../lib/operators/broadcast.ts';
import { filter } from '../../lib/operators/filter.ts';
import { join } from '../../lib/operators/join.ts';
import { map } from '../../lib/operators/map.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import { toMemory } from '../../lib/sinks/memory.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';

const spans = new InMemorySpanExporter();
const tracing = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
const exported = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: exported, exportIntervalMillis: 3_600_000 });
const metering = new MeterProvider({ readers: [reader] });

let sim: Simulator;
let llm: Llm;

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('OpenTelemetry, when the application registers an SDK', () => {
  before(async () => {
    trace.setGlobalTracerProvider(tracing);
    metrics.setGlobalMeterProvider(metering);
    sim = await startSimulator();
    llm = createLlm({ name: 'writer', model: 'gpt-4o-mini', baseURL: sim.url, apiKey: 'sk-test' });
  });
  after(async () => {
    await llm.close();
    await sim.close();
    trace.disable();
    metrics.disable();
  });

  it('has a span per run, per step (branch steps under theirs) and per LLM call, with model, tokens, attempts and cache hits', async () => {
    const out = toMemory();
    await pipeline('traced')
      .from(fromIterable([{ q: 'a' }, { q: 'b' }, { q: '' }]))
      .pipe(
        filter((row) => row.q !== '', { name: 'non-empty' }),
        broadcast({
          one: (c) => c.pipe(map((row) => ({ ...row, n: 1 }), { name: 'tag' })),
          two: (c) => c.pipe(map((row) => ({ ...row, n: 2 }), { name: 'tag' })),
        }),
        join({ combine: { n: 'ns' } }),
        generate({ llm, name: 'answer', prompt: 'Answer {{ q }}', as: 'answer' }),
      )
      .to(out)
      .run({ cache: false });
    assert.equal(out.rows.length, 2);
    const finished = spans.getFinishedSpans();
    const [run] = finished.filter((s) => s.name === 'sluice.run');
    assert.ok(run, 'a run span');
    assert.equal(run.attributes['sluice.pipeline'], 'traced');
    assert.equal(run.attributes['sluice.status'], 'ok');
    assert.equal(parentOf(run), undefined, 'the run span is a root');
    const step = (name: string) => finished.find((s) => s.name === `sluice.step ${name}`)!;
    for (const name of ['non-empty', 'broadcast', 'join', 'answer']) assert.equal(parentOf(step(name)), run.spanContext().spanId, name);
    assert.equal(parentOf(step('broadcast/one/tag')), step('broadcast').spanContext().spanId);
    assert.deepEqual([step('non-empty').attributes['sluice.rows.in'], step('non-empty').attributes['sluice.rows.filtered']], [3, 1]);
    const calls = finished.filter((s) => s.name === 'sluice.llm writer');
    assert.equal(calls.length, 2);
    for (const call of calls) {
      assert.equal(parentOf(call), step('answer').spanContext().spanId);
      assert.equal(call.attributes['gen_ai.request.model'], 'gpt-4o-mini');
      assert.ok((call.attributes['gen_ai.usage.output_tokens'] as number) > 0);
      assert.equal(call.attributes['sluice.llm.attempts'], 1);
      assert.equal(call.attributes['sluice.llm.cache_hit'], false);
    }

    await reader.forceFlush();
    const metricsOut = exported.getMetrics().flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
    const rows = metricsOut.find((m) => m.descriptor.name === 'sluice.rows')!;
    const filtered = rows.dataPoints.find((p) => p.attributes['sluice.step'] === 'non-empty' && p.attributes['sluice.outcome'] === 'filtered');
    assert.equal(filtered?.value, 1);
    const tokens = metricsOut.find((m) => m.descriptor.name === 'sluice.llm.tokens')!;
    assert.ok(tokens.dataPoints.some((p) => p.attributes['gen_ai.token.type'] === 'output' && (p.value as number) > 0));
  });
});
