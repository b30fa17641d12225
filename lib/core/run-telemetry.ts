/**
 * OpenTelemetry for a run, through `@opentelemetry/api` only: a span for the run, one per step
 * (from the start of the run to the step's completion, under its branch's step when it is in one),
 * and metrics of rows per step, read when the application's SDK collects them. Without an SDK
 * registered, every call is the API's no-op: nothing is recorded and nothing is sent.
 * @module
 */
import { type Attributes, type Context, context, metrics, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import type { StepStats } from './step-stats.ts';
import type { RunSummary } from './summary.ts';

const SCOPE = 'sluice';

export class RunTelemetry {
  readonly #run: Span;
  readonly #runContext: Context;
  readonly #steps = new Map<string, { span: Span; context: Context }>();
  #finished = false;

  constructor(pipeline: string, stats: ReadonlyMap<string, StepStats>, services: ReadonlyMap<string, unknown>) {
    const tracer = trace.getTracer(SCOPE);
    this.#run = tracer.startSpan('sluice.run', { attributes: { 'sluice.pipeline': pipeline } });
    this.#runContext = trace.setSpan(context.active(), this.#run);
    const meter = metrics.getMeter(SCOPE);
    const rows = meter.createObservableCounter('sluice.rows', {
      description: 'Rows through each step, by outcome (in, out, filtered, failed).',
      unit: '{row}',
    });
    const requests = meter.createObservableCounter('sluice.llm.requests', {
      description: 'HTTP requests sent to each LLM, retries included.',
      unit: '{request}',
    });
    const tokens = meter.createObservableCounter('sluice.llm.tokens', { description: 'Tokens of each LLM, by type (input, output).', unit: '{token}' });
    const callback = (observer: import('@opentelemetry/api').BatchObservableResult) => {
      for (const [step, s] of stats) {
        for (const outcome of ['in', 'out', 'filtered', 'failed'] as const)
          observer.observe(rows, s[outcome], { 'sluice.pipeline': pipeline, 'sluice.step': step, 'sluice.outcome': outcome });
      }
      // The run's LLMs, as the summary sees them (`LlmRegistry`), read without importing it.
      const registry = services.get('llm') as
        | { snapshot?: () => Record<string, { requests: number; promptTokens: number; completionTokens: number; model: string }> }
        | undefined;
      for (const [llm, u] of Object.entries(registry?.snapshot?.() ?? {})) {
        const attributes = { 'sluice.pipeline': pipeline, 'sluice.llm': llm, 'gen_ai.request.model': u.model };
        observer.observe(requests, u.requests, attributes);
        observer.observe(tokens, u.promptTokens, { ...attributes, 'gen_ai.token.type': 'input' });
        observer.observe(tokens, u.completionTokens, { ...attributes, 'gen_ai.token.type': 'output' });
      }
      // A finished run reports its final counts once more, at the collection after it ended, then no more.
      if (this.#finished) queueMicrotask(() => meter.removeBatchObservableCallback(callback, [rows, requests, tokens]));
    };
    meter.addBatchObservableCallback(callback, [rows, requests, tokens]);
  }

  /** Starts a step's span, under the step whose branch holds it (`broadcast/a/answer` under `broadcast`), else the run. */
  step(name: string, kind: string): Context {
    const slash = name.lastIndexOf('/');
    let parent = this.#runContext;
    for (let prefix = slash >= 0 ? name.slice(0, slash) : ''; prefix !== ''; prefix = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '') {
      const holder = this.#steps.get(prefix);
      if (holder) {
        parent = holder.context;
        break;
      }
    }
    const span = trace.getTracer(SCOPE).startSpan(`sluice.step ${name}`, { attributes: { 'sluice.step': name, 'sluice.step.kind': kind } }, parent);
    const spanContext = trace.setSpan(parent, span);
    this.#steps.set(name, { span, context: spanContext });
    return spanContext;
  }

  /** Ends a step's span with its counts. */
  stepDone(name: string, stats: StepStats): void {
    const step = this.#steps.get(name);
    if (!step) return;
    step.span.setAttributes({
      'sluice.rows.in': stats.in,
      'sluice.rows.out': stats.out,
      'sluice.rows.filtered': stats.filtered,
      'sluice.rows.failed': stats.failed,
    });
    step.span.end();
  }

  /** Ends every span with the run's outcome; its metrics are reported once more, then no more. */
  finish(summary: RunSummary | undefined, error?: unknown): void {
    for (const [name, step] of this.#steps)
      if (step.span.isRecording()) this.stepDone(name, summary?.steps[name] ?? ({ in: 0, out: 0, filtered: 0, failed: 0 } as StepStats));
    const attributes: Attributes = summary
      ? {
          'sluice.status': summary.status,
          'sluice.records.read': summary.source.read,
          'sluice.records.done': summary.source.done,
          'sluice.rows.failed': summary.failed,
        }
      : {};
    this.#run.setAttributes(attributes);
    if (error) {
      this.#run.recordException(error as Error);
      this.#run.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    } else this.#run.setStatus({ code: summary?.status === 'ok' ? SpanStatusCode.OK : SpanStatusCode.UNSET });
    this.#run.end();
    this.#finished = true;
  }
}
