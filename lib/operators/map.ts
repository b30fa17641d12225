/**
 * `map`: one row in, one row out. The function may return a promise; `concurrency` then bounds
 * how many run at once (the permit budget bounds it anyway).
 * @module
 */
import { boundedOperator } from '../core/bounded-operator.ts';
import type { Job } from '../core/bounded-work.ts';
import { closedColumns } from '../core/columns.ts';
import { checkPositiveInt, defineStep } from '../core/define-step.ts';
import type { RowInfo } from '../core/row-info.ts';
import type { Step, StepContext, StepOptions } from '../core/step.ts';

export interface MapOptions extends StepOptions {
  /** Most calls in flight at once when `fn` returns promises. Default: unbounded (the budget bounds it). */
  concurrency?: number;
  /** Columns the output rows have, when known, so validation can check the steps after this one. */
  columns?: readonly string[];
}

/** What `fn` gets beside the row: its id, and a signal made only if `fn` asks for it. */
class JobRowInfo implements RowInfo {
  readonly id: string;
  readonly #job: Job;
  readonly #ctx: StepContext;
  constructor(id: string, job: Job, ctx: StepContext) {
    this.id = id;
    this.#job = job;
    this.#ctx = ctx;
  }
  get signal(): AbortSignal {
    return this.#job.signal;
  }
  get runDir(): string | undefined {
    return this.#ctx.runDir;
  }
}

/**
 * Transforms each row. A throw or a rejected promise makes a failed row; the run goes on.
 * @example
 * pipeline('p').from(rows).pipe(map((row) => ({ ...row, words: row.text.split(' ').length })))
 */
export function map<R, O extends object>(fn: (row: R, info: RowInfo) => O | Promise<O>, options: MapOptions = {}): Step<R, O> {
  const concurrency = checkPositiveInt('concurrency', options.concurrency ?? Number.POSITIVE_INFINITY);
  const columns = options.columns;
  return defineStep<R, O>({
    ownsPermits: true,
    kind: 'map',
    rowWise: true,
    ...options,
    params: { concurrency: options.concurrency ?? null, columns: columns ?? null },
    // An opaque function: after it, only declared columns are known.
    columnsAfter: (input) => (columns ? closedColumns(columns) : { known: input.known, open: true }),
    operator: (ctx) =>
      boundedOperator<R>(ctx, concurrency, (envelope, job) => {
        const result = fn(envelope.row, new JobRowInfo(envelope.id, job, ctx));
        if (result !== null && typeof (result as Promise<O>).then === 'function') return (result as Promise<O>).then((value) => job.emit(envelope, value));
        job.emit(envelope, result);
      }),
  });
}
