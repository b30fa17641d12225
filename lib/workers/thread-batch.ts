/**
 * `threadBatch`: a `batch` whose function runs on worker threads: `size` rows at a time go to a
 * thread, for CPU-bound work that pays per call (a tokenizer, a small model). Named by module and
 * export, since functions cannot cross threads.
 * @module
 */
import { closedColumns } from '../core/columns.ts';
import { checkMilliseconds, checkPositiveInt, defineStep } from '../core/define-step.ts';
import type { Step, StepOptions } from '../core/step.ts';
import { batchOperator } from '../operators/batch-step.ts';
import { type ThreadWork, threadTarget, withThreadPool } from './thread-pool.ts';

export interface ThreadBatchOptions extends StepOptions, ThreadWork {
  /** Rows per batch. Default 32. */
  size?: number;
  /** Milliseconds after a batch's first row at which a partial batch is sent anyway. Default 50. */
  maxWaitMs?: number;
  /** Columns the output rows have, when known. */
  columns?: readonly string[];
}

/**
 * Calls `export(rows, { ids, params })` of `module` with up to `size` rows at a time, on
 * `threads` worker threads; it returns one row per row, in order. A throw, a rejection, a wrong
 * count or a crashed thread fails the batch's rows; the run goes on.
 * @example
 * pipeline('p').from(docs).pipe(threadBatch({ module: new URL('./tokens.ts', import.meta.url), export: 'countTokens', size: 256 }))
 */
export function threadBatch<R, O extends object>(options: ThreadBatchOptions): Step<R, O> {
  const target = threadTarget(options);
  const { threads, module, exportName } = target;
  const size = checkPositiveInt('size', options.size ?? 32, false);
  const maxWaitMs = checkMilliseconds('maxWaitMs', options.maxWaitMs ?? 50);
  const columns = options.columns;
  return defineStep<R, O>({
    ownsPermits: true,
    kind: 'threadBatch',
    name: options.name,
    ...(options.onError ? { onError: options.onError } : {}),
    params: { module, export: exportName, threads, size, maxWaitMs, params: options.params ?? null, columns: columns ?? null },
    columnsAfter: (input) => (columns ? closedColumns(columns) : { known: input.known, open: true }),
    operator: (ctx) =>
      withThreadPool(
        target,
        (run) =>
          batchOperator<R, O>(
            ctx,
            { size, maxWaitMs, concurrency: threads * 2 },
            (rows, info) => run({ mode: 'batch', input: rows, ids: info.ids }) as Promise<O[]>,
          ),
        ctx.signal,
      ),
  });
}
