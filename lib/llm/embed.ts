/**
 * `embed`: embeddings of a column (or a template), with rows sent in batches: one request
 * per batch of `size` rows, like distilabel's `input_batch_size`.
 * @module
 */
import { BatchQueue } from './batch/batch-queue.ts';
import { type BatchOptions, resolveBatchOptions } from './batch/batch-options.ts';
import { SluiceConfigError } from '../core/errors.ts';
import type { Step, StepOptions } from '../core/step.ts';
import type { CheckedTemplate, LlmAdds, NoInputs } from './llm-output.ts';
import type { RequestCache } from '../cache/request-cache.ts';
import { withColumns } from '../core/columns.ts';
import { checkMilliseconds, checkPositiveInt, defineStep } from '../core/define-step.ts';
import type { StepContext } from '../core/step.ts';
import { batchOperator } from '../operators/batch-step.ts';
import type { Llm } from './client.ts';
import { LlmRegistry } from './llm-registry.ts';
import { METADATA_KEY } from './llm-step.ts';
import { promptTemplate } from './prompt-template.ts';
import { responseMetadata } from './response-metadata.ts';

export interface EmbedOptions<As extends string> extends StepOptions {
  llm: Llm;
  /** The text to embed: a liquid template over row columns, such as `'{{ question }}'`. */
  text: string;
  /** Output column for the vector. Default `embedding`. */
  as?: As;
  /** Rows per request. Default 64. */
  size?: number;
  /** A partial batch is sent after this many ms. Default 50. */
  maxWaitMs?: number;
  /** Requests in flight at once. Default 4. */
  concurrency?: number;
  /** Embedding size, for models that take one. */
  dimensions?: number;
  /** Adds `_sluice.<step>` metadata (default true). */
  metadata?: boolean;
  /** Use the run's request cache, per text (default true). */
  cache?: boolean;
  /** Send the requests through the batch API (see `BatchOptions`); default: the LLM's `batch`. */
  batch?: boolean | BatchOptions;
}

/**
 * @example
 * embed({ llm: embedder, text: '{{ question }}', size: 128 })
 */
export function embed<R, As extends string = 'embedding', const P extends string = string, const M extends boolean = true>(
  options: EmbedOptions<As> & { metadata?: M } & CheckedTemplate<'text', P, R, NoInputs>,
): Step<R, LlmAdds<As, number[], M>>;
export function embed(options: EmbedOptions<string>): Step<any, any> {
  if (!options || typeof options.llm?.embed !== 'function') {
    throw new SluiceConfigError('Expected `llm` to be an LLM made with `createLlm(…)`.');
  }
  const template = promptTemplate(options.text, 'text');
  const as = options.as ?? 'embedding';
  const metadata = options.metadata ?? true;
  const name = options.name ?? 'embed';
  const { llm } = options;
  const extra = options.dimensions ? { dimensions: options.dimensions } : {};
  const size = checkPositiveInt('size', options.size ?? 64, false);
  const batchValue = options.batch ?? llm.options?.batch;
  const batch = resolveBatchOptions(batchValue);
  // In batch mode every request waits for its batch: the run's budget bounds them, not a few slots.
  const concurrency = checkPositiveInt('concurrency', options.concurrency ?? (batch ? Number.POSITIVE_INFINITY : 4));
  const maxWaitMs = checkMilliseconds('maxWaitMs', options.maxWaitMs ?? 50);
  const embedBatch = (ctx: StepContext, queue: (() => BatchQueue) | undefined) => async (rows: Record<string, unknown>[], info: { signal: AbortSignal }) => {
    const texts = rows.map((row) => template.render(row));
    // Cached per text, not per batch: batches form differently from run to run.
    const cache = options.cache !== false ? (ctx.services.get('cache') as RequestCache | undefined) : undefined;
    const keys = cache ? texts.map((input) => cache.key({ kind: 'embed', model: llm.model, request: { input, ...extra } })) : [];
    const vectors: Array<number[] | undefined> = cache
      ? await Promise.all(keys.map(async (key) => (await cache.get(key))?.response as number[] | undefined))
      : texts.map(() => undefined);
    const missing = vectors.flatMap((v, i) => (v === undefined ? [i] : []));
    for (let i = 0; i < rows.length - missing.length; i++) llm.usage.recordCacheHit();
    let meta: Record<string, unknown> | undefined = metadata ? { model: llm.model, cached: true, batch: rows.length } : undefined;
    if (missing.length > 0) {
      const result = await llm.embed({ input: missing.map((i) => texts[i]!), ...extra }, { signal: info.signal, ...(queue ? { batch: queue() } : {}) });
      const fresh = [...result.response.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
      await Promise.all(
        missing.map(async (rowIndex, k) => {
          vectors[rowIndex] = fresh[k];
          if (cache) await cache.set(keys[rowIndex]!, { response: fresh[k], requestId: result.requestId });
        }),
      );
      if (metadata) meta = { ...responseMetadata(result, result.response as never), batch: rows.length, cached_rows: rows.length - missing.length };
    }
    return rows.map((row, i) => {
      const out: Record<string, unknown> = { ...row, [as]: vectors[i] };
      if (meta) out[METADATA_KEY] = { ...((row[METADATA_KEY] as object | undefined) ?? {}), [name]: meta };
      return out;
    });
  };
  const step = defineStep<any, any>({
    ownsPermits: true,
    kind: 'embed',
    rowWise: true,
    name,
    named: options.name !== undefined,
    ...(options.onError ? { onError: options.onError } : {}),
    needs: template.variables,
    params: {
      llm: llm.name,
      model: llm.model,
      text: options.text,
      as,
      size,
      dimensions: options.dimensions ?? null,
      maxWaitMs,
      concurrency,
      metadata,
      ...(options.cache === false ? { cache: false } : {}),
      ...(options.batch !== undefined ? { batch: options.batch } : {}),
    },
    columnsAfter: (input) => withColumns(input, metadata ? [as, METADATA_KEY] : [as]),
    operator: (ctx) => {
      LlmRegistry.of(ctx).add(llm, ctx);
      return batchOperator<any, Record<string, unknown>>(
        ctx,
        { size, maxWaitMs, concurrency },
        embedBatch(ctx, batch ? () => BatchQueue.of(ctx, llm, batchValue!) : undefined),
      );
    },
  });
  return { ...step, resources: { llm } };
}
