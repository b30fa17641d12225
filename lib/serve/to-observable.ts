/**
 * `toObservable`: runs a pipeline each time the observable is subscribed, emitting output rows.
 * Observables push: a row's permit is released as soon as `next` returns, so a subscriber that
 * queues rows for async work gets no backpressure (use `toAsyncIterable` for that).
 * Unsubscribing stops the run and aborts its work in flight (HTTP requests are cancelled).
 * @module
 */
import { Observable } from 'rxjs';
import { startRun } from '../core/run.ts';
import type { RunnablePipeline, RunOptions } from '../core/run-options.ts';
import { standardRunServices } from '../pipeline/standard-run-services.ts';

/**
 * @example
 * toObservable(p).pipe(take(10)).subscribe((row) => console.log(row));
 */
export function toObservable<R>(pipeline: RunnablePipeline, options: Omit<RunOptions, 'sink'> = {}): Observable<R> {
  return new Observable<R>(function subscribePipeline(subscriber) {
    let finished = false;
    const handle = startRun(pipeline, options, {
      plugins: standardRunServices,
      deliver(envelope) {
        if (!subscriber.closed) subscriber.next(envelope.row as R);
        envelope.permit.release();
      },
    });
    handle.summary.then(
      () => {
        finished = true;
        subscriber.complete();
      },
      (error: unknown) => {
        finished = true;
        subscriber.error(error);
      },
    );
    return () => {
      if (!finished) handle.abort('unsubscribed');
    };
  });
}
