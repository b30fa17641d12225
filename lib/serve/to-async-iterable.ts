/**
 * `toAsyncIterable`: runs a pipeline as an async iterable that pulls. A row's permit is released
 * only when the consumer asks for the next row, so the consumer's pace drives the source.
 * @module
 */
import type { Envelope } from '../core/envelope.ts';
import { startRun } from '../core/run.ts';
import type { RunHandle, RunnablePipeline, RunOptions } from '../core/run-options.ts';
import { standardRunServices } from '../pipeline/standard-run-services.ts';
import type { RunSummary } from '../core/summary.ts';

export interface PullingIterable<R> extends AsyncIterableIterator<R> {
  /** The run's summary, once the iteration has ended. */
  readonly summary: Promise<RunSummary>;
}

/**
 * @example
 * for await (const row of toAsyncIterable(p)) await slowConsumer(row); // reads ahead at most `budget` records
 */
export function toAsyncIterable<R>(pipeline: RunnablePipeline, options: Omit<RunOptions, 'deliver' | 'sink'> = {}): PullingIterable<R> {
  const queue: Envelope[] = [];
  let waiter: { resolve: (r: IteratorResult<R>) => void; reject: (e: unknown) => void } | undefined;
  let handle: RunHandle | undefined;
  let held: Envelope | undefined;
  let ended = false;
  let draining = false;
  let failure: unknown;
  let resolveSummary!: (s: RunSummary) => void;
  let rejectSummary!: (e: unknown) => void;
  const summary = new Promise<RunSummary>((resolve, reject) => {
    resolveSummary = resolve;
    rejectSummary = reject;
  });
  summary.catch(() => {}); // surfaced through next() instead

  const settle = () => {
    if (!waiter) return;
    const w = waiter;
    const next = queue.shift();
    if (next) {
      waiter = undefined;
      held = next;
      w.resolve({ value: next.row as R, done: false });
    } else if (ended) {
      waiter = undefined;
      if (failure !== undefined) w.reject(failure);
      else w.resolve({ value: undefined, done: true });
    }
  };

  const start = () => {
    handle = startRun(pipeline, options, {
      plugins: standardRunServices,
      deliver(envelope) {
        // The consumer has left: nobody will take this row, so it is done as it arrives.
        if (draining) {
          envelope.permit.release();
          return;
        }
        queue.push(envelope);
        settle();
      },
    });
    handle.summary.then(
      (s) => {
        ended = true;
        resolveSummary(s);
        settle();
      },
      (error: unknown) => {
        ended = true;
        failure = error;
        rejectSummary(error);
        settle();
      },
    );
  };

  const releaseHeld = () => {
    held?.permit.release();
    held = undefined;
  };

  const iterator: PullingIterable<R> = {
    summary,
    next() {
      if (!handle) start();
      // Asking for the next row means the previous one is consumed: only now is its record done.
      releaseHeld();
      return new Promise<IteratorResult<R>>((resolve, reject) => {
        waiter = { resolve, reject };
        settle();
      });
    },
    async return() {
      releaseHeld();
      if (handle && !ended) {
        // The consumer is gone: nothing in flight will be taken, so cancel it, and let the rows
        // still queued or coming go as done, so the run can finish and close its sinks.
        draining = true;
        for (const envelope of queue.splice(0)) envelope.permit.release();
        handle.abort('consumer stopped');
        await summary.catch(() => {});
      }
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
