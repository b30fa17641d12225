/**
 * The machinery every LLM step shares: bounded concurrency (the engine under `map` and `batch`),
 * cancellation through `AbortSignal` (unsubscribing aborts the HTTP request), per-row failures as failed rows,
 * the metadata column, and registering the LLM for the summary.
 * @module
 */
import { createHash } from 'node:crypto';
import { type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { METADATA_KEY } from '../core/row.ts';
import { RowAbandonedError, SluiceConfigError } from '../core/errors.ts';
import { checkPositiveInt, defineStep } from '../core/define-step.ts';
import { boundedOperator } from '../core/bounded-operator.ts';
import type { Step, StepContext, StepOptions } from '../core/step.ts';
import { withColumns } from '../core/columns.ts';
import type { CallOptions, Llm } from './client.ts';
import { LlmRegistry } from './llm-registry.ts';
import { BatchQueue } from './batch/batch-queue.ts';
import { type BatchOptions, resolveBatchOptions } from './batch/batch-options.ts';

/** The key under which LLM steps put their metadata, per step: `row._sluice[step]`. */
export { METADATA_KEY };

export interface LlmStepOptions<As extends string> extends StepOptions {
  llm: Llm;
  /** Output column. */
  as?: As;
  /**
   * Rows in flight in this step. Default: 4 × the LLM's `concurrency` (256 for the default 64),
   * at most 1024. It is larger than the LLM's because a row waiting out a 429 holds no request:
   * other rows use the request slot meanwhile. The LLM's own `concurrency` still caps its requests,
   * and the run's budget the rows.
   */
  concurrency?: number;
  /** Adds `_sluice.<step>` with model, usage, finish_reason, request id (default true). */
  metadata?: boolean;
  /** Template variables read from other columns: `{ question: 'prompt' }` reads `question` from column `prompt`. */
  inputs?: Readonly<Record<string, string>>;
  /** Use the run's request cache for this step (default true). */
  cache?: boolean;
  /**
   * What makes two rows' asks the same sample. `'request'` (default): identical requests are one
   * sample: the cache answers the second from the first. `'row'`: each row is its own sample (its
   * id, and its branch after a `broadcast`), for asks that are the same on purpose, such as Magpie's
   * fixed pre-query template or n copies of a row; `{ column }`: the value of that column is the
   * sample's identity (stable when the input file is renamed, unlike row ids). The identity enters
   * the cache key, and the request's `seed` unless the step's params set one.
   */
  sample?: 'request' | 'row' | { column: string };
  /**
   * Send this step's requests through the batch API (see `BatchOptions`); default: the LLM's
   * `batch`. Rows wait for their batch, bounded by the run's budget, and flow on as soon as it is done.
   */
  batch?: boolean | BatchOptions;
}

/** What one row's LLM work produced. */
export interface LlmOutcome {
  /** One value per output row: one for most steps; `n` when samples become rows. */
  values: unknown[];
  /** Whether `values` become one row each (`rows`) or the list is the column value (`list`, `single`). */
  shape: 'single' | 'list' | 'rows';
  metadata: Record<string, unknown>;
  /** More columns for the row (the answer's log-probabilities); the step names them in `extraColumns`. */
  extra?: Record<string, unknown>;
}

/** Per-row call context: `signal` is made on first use, so cache hits make none. */
export interface LlmCall {
  readonly signal: AbortSignal;
  /** The row's sample identity, under `sample: 'row'` or `{ column }`. */
  readonly sample: string | undefined;
  /** What to pass to the LLM's `chat`/`complete`/`embed`: the signal, and the run's stopping signal as `drain`. */
  readonly options: CallOptions;
}

/**
 * The request with the row's sample identity as its `seed` (a 31-bit hash), unless it has a seed.
 * @example
 * options.llm.chat(withSample(request, call), call.options)
 */
export function withSample<T extends Record<string, unknown>>(request: T, call: LlmCall): T {
  if (call.sample === undefined || (request.seed !== undefined && request.seed !== null)) return request;
  return { ...request, seed: seedOf(call.sample) };
}

function seedOf(sample: string): number {
  return createHash('sha256').update(sample).digest().readUInt32BE(0) >>> 1;
}

export interface LlmStepSpec<As extends string> {
  kind: string;
  options: LlmStepOptions<As>;
  defaultAs: string;
  /** Columns the step reads (template variables, after `inputs` mapping). */
  variables: readonly string[];
  params: Record<string, unknown>;
  /** Columns `work` may add besides `as` (see `LlmOutcome.extra`). */
  extraColumns?: readonly string[];
  /** Does the LLM work for one row (already mapped through `inputs`). Throw to fail the row. */
  work(row: Record<string, unknown>, call: LlmCall, ctx: StepContext): Promise<LlmOutcome>;
}

/** Applies `inputs` mapping: the template sees `question` where the row has `prompt`. */
export function mappedRow(row: Record<string, unknown>, inputs: Readonly<Record<string, string>> | undefined): Record<string, unknown> {
  if (!inputs) return row;
  const view = { ...row };
  for (const [variable, column] of Object.entries(inputs)) view[variable] = row[column];
  return view;
}

/** Rows a step lets in by default: four per request its LLM may have in flight, at most 1024. */
export function defaultRowConcurrency(llm: Llm): number {
  const requests = llm.options?.concurrency ?? 64;
  return requests === Infinity ? 1024 : Math.min(1024, 4 * requests);
}

const tracer = trace.getTracer('sluice');

/** Ends the span of one row's LLM call with what the answer's metadata says, or the error. */
function endLlmSpan(span: Span, metadata: Record<string, unknown> | undefined, error?: unknown): void {
  if (metadata) {
    const usage = metadata.usage as { prompt_tokens?: number; completion_tokens?: number } | undefined;
    span.setAttributes({
      ...(typeof metadata.model === 'string' ? { 'gen_ai.response.model': metadata.model } : {}),
      'gen_ai.usage.input_tokens': usage?.prompt_tokens ?? 0,
      'gen_ai.usage.output_tokens': usage?.completion_tokens ?? 0,
      'sluice.llm.attempts': typeof metadata.attempts === 'number' ? metadata.attempts : 1,
      'sluice.llm.cache_hit': metadata.cached === true,
    });
    span.setStatus({ code: SpanStatusCode.OK });
  } else {
    const failure = error as { code?: unknown; attempts?: number; message?: string };
    span.setAttributes({ 'sluice.llm.attempts': failure.attempts ?? 1, 'error.type': String(failure.code ?? 'error') });
    span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message ?? String(error) });
  }
  span.end();
}

export function llmStep<In, Out>(spec: LlmStepSpec<string>): Step<In, Out> {
  const { options } = spec;
  const as = options.as ?? spec.defaultAs;
  const batchValue = options.batch ?? options.llm.options?.batch;
  const batch = resolveBatchOptions(batchValue);
  // A batch fills with the rows waiting for it: in batch mode the run's budget is what bounds them.
  const concurrency = checkPositiveInt('concurrency', options.concurrency ?? (batch ? Number.POSITIVE_INFINITY : defaultRowConcurrency(options.llm)));
  const metadata = options.metadata ?? true;
  const inputs = options.inputs;
  const sample = options.sample ?? 'request';
  if (
    !(sample === 'request' || sample === 'row' || (typeof sample === 'object' && sample !== null && typeof sample.column === 'string' && sample.column !== ''))
  ) {
    throw new SluiceConfigError(`Expected \`sample\` to be 'request', 'row' or \`{ column: 'name' }\`, got \`${JSON.stringify(sample)}\``);
  }
  const sampleColumn = typeof sample === 'object' ? sample.column : undefined;
  const needs = [...spec.variables.map((v) => inputs?.[v] ?? v), ...(sampleColumn !== undefined ? [sampleColumn] : [])];
  const step = defineStep<In, Out>({
    ownsPermits: true,
    kind: spec.kind,
    rowWise: true,
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.onError !== undefined ? { onError: options.onError } : {}),
    needs,
    params: {
      llm: options.llm.name,
      model: options.llm.model,
      as,
      concurrency,
      metadata,
      inputs: inputs ?? null,
      ...(options.cache === false ? { cache: false } : {}),
      ...(sample === 'request' ? {} : { sample }),
      ...(options.batch !== undefined ? { batch: options.batch } : {}),
      ...spec.params,
    },
    columnsAfter: (input) => withColumns(input, [...(metadata ? [as, METADATA_KEY] : [as]), ...(spec.extraColumns ?? [])]),
    operator: (ctx) => {
      const registry = LlmRegistry.of(ctx);
      registry.add(options.llm, ctx);
      const limit = (ctx.services.get('concurrency') as number | undefined) ?? concurrency;
      // Made at the first call, when the run directory (where batches are recorded) is open.
      let queue: BatchQueue | undefined;
      const batchQueue = () => (queue ??= BatchQueue.of(ctx, options.llm, batchValue!));
      const withMeta = (row: Record<string, unknown>, value: unknown, outcome: LlmOutcome) => {
        const next: Record<string, unknown> = { ...row, [as]: value, ...outcome.extra };
        if (metadata) {
          const existing = (row[METADATA_KEY] as Record<string, unknown> | undefined) ?? {};
          next[METADATA_KEY] = { ...existing, [ctx.step]: outcome.metadata };
        }
        return next;
      };
      return boundedOperator<any>(ctx, limit, (envelope, job) => {
        const call: LlmCall = {
          get signal() {
            return job.signal;
          },
          sample:
            sample === 'request'
              ? undefined
              : sampleColumn !== undefined
                ? JSON.stringify(envelope.row[sampleColumn] ?? null)
                : envelope.branch
                  ? `${envelope.id}@${envelope.branch}`
                  : envelope.id,
          get options() {
            return { signal: job.signal, ...(ctx.stopping ? { drain: ctx.stopping } : {}), ...(batch ? { batch: batchQueue() } : {}) };
          },
        };
        let work: Promise<LlmOutcome>;
        const span = tracer.startSpan(
          `sluice.llm ${options.llm.name}`,
          { kind: SpanKind.CLIENT, attributes: { 'sluice.llm': options.llm.name, 'sluice.step': ctx.step, 'gen_ai.request.model': options.llm.model } },
          ctx.telemetry,
        );
        try {
          work = spec.work(mappedRow(envelope.row, inputs), call, ctx);
        } catch (error) {
          work = Promise.reject(error);
        }
        return work.then(
          (outcome) => {
            endLlmSpan(span, outcome.metadata);
            if (outcome.metadata.simulated) registry.markSimulated(options.llm.name);
            if (outcome.shape === 'rows')
              job.emitChildren(
                envelope,
                outcome.values.map((value) => withMeta(envelope.row, value, outcome)),
              );
            else job.emit(envelope, withMeta(envelope.row, outcome.shape === 'single' ? outcome.values[0] : outcome.values, outcome));
          },
          (error: unknown) => {
            endLlmSpan(span, undefined, error);
            const extra = error as { attempts?: number; raw?: string; code?: unknown };
            // A call the stopping run cut short was not judged: its row stays not done, for a resume.
            const cutShort = extra.code === 'SLUICE_LLM_ABORTED' && (ctx.signal.aborted || ctx.stopping?.aborted === true);
            ctx.fail(
              envelope,
              cutShort ? new RowAbandonedError(`Step \`${ctx.step}\` was stopped before row \`${envelope.id}\` was answered`, { cause: error }) : error,
              { attempts: extra.attempts ?? 1, ...(extra.raw !== undefined ? { raw: extra.raw } : {}) },
            );
          },
        );
      });
    },
  });
  // The LLM itself, so that saving the pipeline can write its configuration.
  return { ...step, resources: { llm: options.llm } };
}
