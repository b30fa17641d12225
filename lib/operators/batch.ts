/**
 * `batch`: hands rows to a function in batches and takes one row back per input row, like
 * distilabel's `input_batch_size`: for embeddings, local models, bulk lookups.
 * @module
 */
import type { SchedulerLike } from 'rxjs';
import { closedColumns } from '../core/columns.ts';
import { checkMilliseconds, checkPositiveInt, defineStep } from '../core/define-step.ts';
import { SluiceConfigError } from '../core/errors.ts';
import type { Step, StepOptions } from '../core/step.ts';
import { type BatchInfo, batchOperator } from './batch-step.ts';

export interface BatchOptions extends StepOptions {
  /** Rows per batch. Default 32. */
  size?: number;
  /** Milliseconds after a batch's first row at which a partial batch is sent anyway. Default 50. */
  maxWaitMs?: number;
  /** Batches in flight at once. Default 1. */
  concurrency?: number;
  /** Columns the output rows have, when known, so validation can check the steps after this one. */
  columns?: readonly string[];
  /** Scheduler for `maxWaitMs` (a `TestScheduler` in tests). Default `asyncScheduler`. */
  scheduler?: SchedulerLike;
}

/**
 * Calls `fn(rows, { ids, signal })` with up to `size` rows at a time and gives each input row the output row
 * at its position (same id, same permit). A batch goes out when it is full or `maxWaitMs` after
 * its first row, whichever comes first, so a `size` above the permit budget only costs latency:
 * the partial batch is flushed when the wait runs out. If `fn` throws, rejects, or returns a
 * different number of rows, every row of the batch fails.
 *
 * Stats: `in` = rows, `out` = rows given back, `failed` = rows of failed batches.
 * @example
 * pipeline('p').from(docs).pipe(
 *   batch(async (rows) => (await embed(rows.map((r) => r.text))).map((vector, i) => ({ ...rows[i]!, vector })), { size: 64 }),
 * )
 */
export function batch<R, O extends object>(fn: (rows: R[], info: BatchInfo) => O[] | PromiseLike<O[]>, options: BatchOptions = {}): Step<R, O> {
  if (typeof fn !== 'function') {
    throw new SluiceConfigError(`Expected \`fn\` to be a function, got \`${fn === null ? 'null' : typeof fn}\``);
  }
  const size = checkPositiveInt('size', options.size ?? 32, false);
  const concurrency = checkPositiveInt('concurrency', options.concurrency ?? 1);
  const maxWaitMs = checkMilliseconds('maxWaitMs', options.maxWaitMs ?? 50);
  const columns = options.columns;
  return defineStep<R, O>({
    ownsPermits: true,
    kind: 'batch',
    name: options.name,
    ...(options.onError ? { onError: options.onError } : {}),
    params: { size, maxWaitMs, concurrency, columns: columns ?? null },
    // An opaque function: after it, only declared columns are known.
    columnsAfter: (input) => (columns ? closedColumns(columns) : { known: input.known, open: true }),
    operator: (ctx) => batchOperator<R, O>(ctx, { size, maxWaitMs, concurrency, ...(options.scheduler ? { scheduler: options.scheduler } : {}) }, fn),
  });
}
