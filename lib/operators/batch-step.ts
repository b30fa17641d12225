/**
 * The batching under `batch` and `embed`: rows gathered into batches by size or wait, each batch
 * one unit of the bounded-concurrency engine.
 * @module
 */
import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import { BoundedWork } from '../core/bounded-work.ts';
import type { Envelope } from '../core/envelope.ts';
import { SluiceError } from '../core/errors.ts';
import { enter } from '../core/step-stats.ts';
import type { StepContext } from '../core/step.ts';

/** What a batch function gets besides the rows. */
export interface BatchInfo {
  /** The rows' stable ids, in order. */
  readonly ids: readonly string[];
  /** Aborted when the run is stopped hard or its consumer went away: pass it to I/O. */
  readonly signal: AbortSignal;
}

export interface BatchShape {
  readonly size: number;
  readonly maxWaitMs: number;
  readonly concurrency: number;
  readonly scheduler?: SchedulerLike;
  /** An `Error` in `fn`'s output fails that row alone (the others go on), instead of being a row. */
  readonly errorsPerRow?: boolean;
}

class BatchLengthError extends SluiceError {
  override name = 'BatchLengthError';
  override readonly code = 'SLUICE_BATCH_LENGTH';
}

/**
 * Calls `fn` with up to `size` rows at a time and gives each input row the output row at its
 * position (same id, same permit). A batch goes out when full or `maxWaitMs` after its first row.
 */
export function batchOperator<R, O>(
  ctx: StepContext,
  shape: BatchShape,
  fn: (rows: R[], info: BatchInfo) => O[] | PromiseLike<O[]>,
): OperatorFunction<Envelope<R>, Envelope<any>> {
  const scheduler = shape.scheduler ?? asyncScheduler;
  return (source) =>
    new Observable<Envelope<any>>(function subscribeBatch(subscriber) {
      const work = new BoundedWork<Envelope<R>[]>(subscriber, ctx, {
        concurrency: shape.concurrency,
        rowsOf: (members) => members,
        run(members, job) {
          const deliver = (out: unknown) => {
            if (!Array.isArray(out) || out.length !== members.length) {
              throw new BatchLengthError(
                `Step \`${ctx.step}\` expected its batch function to return ${members.length} rows (one per input row, in order), ` +
                  `got ${Array.isArray(out) ? `${out.length} rows` : `\`${out === null ? 'null' : typeof out}\``}.`,
              );
            }
            members.forEach((member, i) => {
              if (shape.errorsPerRow && out[i] instanceof Error) ctx.fail(member, out[i]);
              else job.emit(member, out[i]);
            });
          };
          const info: BatchInfo = {
            ids: members.map((member) => member.id),
            get signal() {
              return job.signal;
            },
          };
          const result = fn(
            members.map((member) => member.row),
            info,
          );
          if (result !== null && typeof (result as PromiseLike<O[]>).then === 'function') return Promise.resolve(result).then(deliver);
          deliver(result);
        },
      });
      let filling: Envelope<R>[] = [];
      let timer: Subscription | undefined;
      const close = () => {
        timer?.unsubscribe();
        timer = undefined;
        if (filling.length === 0) return;
        const members = filling;
        filling = [];
        work.push(members);
      };
      const subscription = source.subscribe({
        next(envelope) {
          enter(ctx.stats);
          filling.push(envelope);
          if (filling.length >= shape.size) close();
          else if (filling.length === 1) timer = scheduler.schedule(close, shape.maxWaitMs);
        },
        error: (error: unknown) => subscriber.error(error),
        complete() {
          close();
          work.complete();
        },
      });
      return function teardownBatch() {
        work.close();
        subscription.unsubscribe();
        timer?.unsubscribe();
      };
    });
}
