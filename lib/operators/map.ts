/**
 * `map`: one row in, one row out. The function may return a promise; `concurrency` then bounds
 * how many run at once (the permit budget bounds it anyway).
 * @module
 */
import { Observable } from 'rxjs';
import { checkPositiveInt, defineStep } from '../core/define-step.ts';
import { RowAbandonedError } from '../core/errors.ts';
import type { Envelope } from '../core/envelope.ts';
import { enter } from '../core/step-stats.ts';
import type { Step, StepOptions } from '../core/step.ts';
import { closedColumns } from '../core/columns.ts';

export interface MapOptions extends StepOptions {
  /** Most calls in flight at once when `fn` returns promises. Default: unbounded (the budget bounds it). */
  concurrency?: number;
  /** Columns the output rows have, when known, so validation can check the steps after this one. */
  columns?: readonly string[];
}

/** What `fn` gets besides the row. */
export interface RowInfo {
  /** The row's stable id. */
  readonly id: string;
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
    kind: 'map',
    ...options,
    params: { concurrency: options.concurrency ?? null, columns: columns ?? null },
    // An opaque function: after it, only declared columns are known.
    columnsAfter: (input) => (columns ? closedColumns(columns) : { known: input.known, open: true }),
    operator: (ctx) => (source) =>
      new Observable<Envelope<any>>(function subscribeMap(subscriber) {
        const stats = ctx.stats;
        let active = 0;
        let completed = false;
        let closed = false;
        const waiting: Envelope<R>[] = [];
        const finish = () => {
          if (completed && active === 0 && waiting.length === 0) subscriber.complete();
        };
        const settle = (envelope: Envelope<any>, value: O) => {
          envelope.row = value;
          stats.out++;
          stats.emitted++;
          subscriber.next(envelope);
        };
        const runOne = (envelope: Envelope<R>): void => {
          let result: O | Promise<O>;
          try {
            result = fn(envelope.row, envelope);
          } catch (error) {
            ctx.fail(envelope, error);
            return;
          }
          if (result !== null && typeof (result as Promise<O>).then === 'function') {
            active++;
            (result as Promise<O>).then(
              (value) => settle(envelope, value),
              (error: unknown) => ctx.fail(envelope, error),
            ).finally(() => {
              active--;
              const next = closed ? undefined : waiting.shift();
              if (next) runOne(next);
              finish();
            });
            return;
          }
          settle(envelope, result as O);
        };
        // The run is stopping: rows still queued are left for a resume, not started.
        const abandonWaiting = () => {
          for (const envelope of waiting.splice(0)) ctx.fail(envelope, new RowAbandonedError(`Step \`${ctx.step}\` was stopped before row \`${envelope.id}\` started`));
          finish();
        };
        ctx.stopping?.addEventListener('abort', abandonWaiting, { once: true });
        const subscription = source.subscribe({
          next(envelope) {
            enter(stats);
            if (ctx.stopping?.aborted && active >= concurrency) ctx.fail(envelope, new RowAbandonedError(`Step \`${ctx.step}\` was stopped before row \`${envelope.id}\` started`));
            else if (active >= concurrency) waiting.push(envelope);
            else runOne(envelope);
          },
          error: (error: unknown) => subscriber.error(error),
          complete() {
            completed = true;
            finish();
          },
        });
        return function teardownMap() {
          // Unsubscribed: no queued row is started any more (the consumer went away).
          closed = true;
          waiting.length = 0;
          ctx.stopping?.removeEventListener('abort', abandonWaiting);
          subscription.unsubscribe();
        };
      }),
  });
}
