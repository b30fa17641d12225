/**
 * A step operator that does one row's work at a time per slot, on the bounded-concurrency engine.
 * @module
 */
import { Observable, type OperatorFunction } from 'rxjs';
import { BoundedWork, type Job } from './bounded-work.ts';
import type { Envelope } from './envelope.ts';
import { enter } from './step-stats.ts';
import type { StepContext } from './step.ts';

/**
 * Runs `run(envelope, job)` for each row, at most `concurrency` at once.
 * @example
 * operator: (ctx) => boundedOperator(ctx, 8, (envelope, job) => lookup(envelope.row, job.signal).then((row) => job.emit(envelope, row)))
 */
export function boundedOperator<R>(
  ctx: StepContext,
  concurrency: number,
  run: (envelope: Envelope<R>, job: Job) => PromiseLike<void> | void,
): OperatorFunction<Envelope<R>, Envelope<any>> {
  return (source) =>
    new Observable<Envelope<any>>(function subscribeBounded(subscriber) {
      const work = new BoundedWork<Envelope<R>>(subscriber, ctx, { concurrency, rowsOf: (envelope) => [envelope], run });
      const subscription = source.subscribe({
        next(envelope) {
          enter(ctx.stats);
          work.push(envelope);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => work.complete(),
      });
      return function teardownBounded() {
        work.close();
        subscription.unsubscribe();
      };
    });
}
