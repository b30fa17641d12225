/**
 * `filter`: keeps the rows a predicate accepts. Dropped rows release their permit (a raw RxJS
 * `filter` would leak it and stall the pipeline) and are counted as filtered.
 * @module
 */
import { Observable } from 'rxjs';
import { defineStep } from '../core/define-step.ts';
import { type Envelope, infoOf } from '../core/envelope.ts';
import { enter } from '../core/step-stats.ts';
import type { Step, StepOptions } from '../core/step.ts';
import type { RowInfo } from '../core/row-info.ts';

/**
 * Keeps rows for which `predicate` returns true. A throw makes a failed row.
 * @example
 * pipeline('p').from(rows).pipe(filter((row) => row.text !== ''))
 */
export function filter<R>(predicate: (row: R, info: RowInfo) => boolean, options: StepOptions = {}): Step<R, R> {
  return defineStep<R, R>({
    ownsPermits: true,
    kind: 'filter',
    rowWise: true,
    ...options,
    operator: (ctx) => (source) =>
      new Observable<Envelope<R>>(function subscribeFilter(subscriber) {
        const stats = ctx.stats;
        return source.subscribe({
          next(envelope) {
            enter(stats);
            let keep: boolean;
            try {
              keep = predicate(envelope.row, infoOf(envelope, ctx));
            } catch (error) {
              ctx.fail(envelope, error);
              return;
            }
            if (!keep) {
              ctx.drop(envelope);
              return;
            }
            stats.out++;
            stats.emitted++;
            subscriber.next(envelope);
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => subscriber.complete(),
        });
      }),
  });
}
