/**
 * `threadMap`: a `map` whose function runs on worker threads, for CPU-bound work (hashing,
 * parsing, scoring) that would otherwise hold the event loop. Named by module and export, since
 * functions cannot cross threads. Permits, failed rows and cancellation are as for `map`.
 * @module
 */
import { closedColumns } from '../core/columns.ts';
import { checkPositiveInt, defineStep } from '../core/define-step.ts';
import { isAbandoning } from '../core/errors.ts';
import type { Step, StepOptions } from '../core/step.ts';
import { batchOperator } from '../operators/batch-step.ts';
import { type RunOnThread, type ThreadWork, threadTarget, withThreadPool } from './thread-pool.ts';

export interface ThreadMapOptions extends StepOptions, ThreadWork {
  /**
   * Rows sent to a thread in one message, when that many are waiting (a partial group goes after
   * 1 ms). Each row is still its own call with its own outcome. Default 16: the messaging per task
   * otherwise takes a share of a 2 ms row.
   */
  rowsPerTask?: number;
  /** Columns the output rows have, when known, so validation can check the steps after this one. */
  columns?: readonly string[];
}

const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));

/** A group's rows on a thread; if the thread dies, each row again on its own, so that only the row that kills it fails. */
async function runRows(run: RunOnThread, rows: unknown[], ids: readonly string[]): Promise<unknown[]> {
  try {
    return (await run({ mode: 'rows', input: rows, ids })) as unknown[];
  } catch (error) {
    // Abandoned (the step stopped): left not done, for a resume.
    if (isAbandoning(error)) throw error;
    if (rows.length === 1) return [asError(error)];
    return Promise.all(
      rows.map(async (row, i) => {
        try {
          return ((await run({ mode: 'rows', input: [row], ids: [ids[i]!] })) as unknown[])[0];
        } catch (alone) {
          if (isAbandoning(alone)) throw alone;
          return asError(alone);
        }
      }),
    );
  }
}

/**
 * Calls `export(row, { id, params })` of `module` for each row, on `threads` worker threads
 * (no `signal`: a thread's work is abandoned when the run stops hard). A throw, a rejection or a
 * crashed thread fails that row; the run goes on.
 * @example
 * // hash.ts: export function fingerprint(row) { return { ...row, sha: sha256(row.text) }; }
 * pipeline('p').from(rows).pipe(threadMap({ module: new URL('./hash.ts', import.meta.url), export: 'fingerprint', threads: 2 }))
 */
export function threadMap<R, O extends object>(options: ThreadMapOptions): Step<R, O> {
  const target = threadTarget(options);
  const { threads, module, exportName } = target;
  const rowsPerTask = checkPositiveInt('rowsPerTask', options.rowsPerTask ?? 16, false);
  const columns = options.columns;
  return defineStep<R, O>({
    ownsPermits: true,
    kind: 'threadMap',
    rowWise: true,
    name: options.name,
    ...(options.onError ? { onError: options.onError } : {}),
    params: { module, export: exportName, threads, rowsPerTask, params: options.params ?? null, columns: columns ?? null },
    columnsAfter: (input) => (columns ? closedColumns(columns) : { known: input.known, open: true }),
    // Two tasks per thread in flight: one running, one waiting, so no thread idles between tasks.
    operator: (ctx) =>
      withThreadPool(
        target,
        (run) =>
          batchOperator<R, O>(
            ctx,
            { size: rowsPerTask, maxWaitMs: 1, concurrency: threads * 2, errorsPerRow: true },
            (rows, info) => runRows(run, rows, info.ids) as Promise<O[]>,
          ),
        ctx.signal,
      ),
  });
}
