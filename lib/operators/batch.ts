/**
 * `batch`: hands rows to a function in batches and takes one row back per input row, like
 * distilabel's `input_batch_size`: for embeddings, local models, bulk lookups.
 * @module
 */
import { asyncScheduler, Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { closedColumns } from '../core/columns.ts';
import { checkPositiveInt, defineStep } from '../core/define-step.ts';
import type { Envelope } from '../core/envelope.ts';
import { RowAbandonedError, SluiceConfigError, SluiceError } from '../core/errors.ts';
import { enter } from '../core/step-stats.ts';
import type { Step, StepOptions } from '../core/step.ts';

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

/** What the batch function gets besides the rows. */
export interface BatchInfo {
  /** Aborted when the run is stopped hard; pass it to I/O. */
  readonly signal: AbortSignal;
  /** The run's shared services (the request cache under `cache`). */
  readonly services: ReadonlyMap<string, unknown>;
}

class BatchError extends SluiceError {
  override name = 'BatchError';
  override readonly code = 'SLUICE_BATCH_LENGTH';
}

/**
 * Calls `fn(rows, ids)` with up to `size` rows at a time and gives each input row the output row
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
export function batch<R, O extends object>(
  fn: (rows: R[], ids: readonly string[], info: BatchInfo) => O[] | PromiseLike<O[]>,
  options: BatchOptions = {},
): Step<R, O> {
  if (typeof fn !== 'function') {
    throw new SluiceConfigError(`Expected \`fn\` to be a function, got \`${fn === null ? 'null' : typeof fn}\``);
  }
  const size = checkPositiveInt('size', options.size ?? 32, false);
  const concurrency = checkPositiveInt('concurrency', options.concurrency ?? 1);
  const maxWaitMs = options.maxWaitMs ?? 50;
  if (!(typeof maxWaitMs === 'number' && Number.isFinite(maxWaitMs) && maxWaitMs >= 0)) {
    throw new SluiceConfigError(`Expected \`maxWaitMs\` to be a number of milliseconds from 0 and up, got \`${String(maxWaitMs)}\``);
  }
  const scheduler = options.scheduler ?? asyncScheduler;
  const columns = options.columns;
  return defineStep<R, O>({
    kind: 'batch',
    name: options.name,
    ...(options.onError ? { onError: options.onError } : {}),
    params: { size, maxWaitMs, concurrency, columns: columns ?? null },
    // An opaque function: after it, only declared columns are known.
    columnsAfter: (input) => (columns ? closedColumns(columns) : { known: input.known, open: true }),
    operator: (ctx) => (source) =>
      new Observable<Envelope<any>>(function subscribeBatch(subscriber) {
        const stats = ctx.stats;
        let filling: Envelope<any>[] = [];
        let timer: Subscription | undefined;
        const ready: Envelope<any>[][] = [];
        let active = 0;
        let completed = false;
        let closed = false;

        const finish = () => {
          if (completed && active === 0 && ready.length === 0 && filling.length === 0) subscriber.complete();
        };
        const failAll = (members: Envelope<any>[], error: unknown) => {
          for (const member of members) ctx.fail(member, error);
        };
        const deliver = (members: Envelope<any>[], out: unknown) => {
          if (!Array.isArray(out) || out.length !== members.length) {
            failAll(members, new BatchError(
              `Step \`${ctx.step}\` expected its batch function to return ${members.length} rows (one per input row, in order), ` +
                `got ${Array.isArray(out) ? `${out.length} rows` : `\`${out === null ? 'null' : typeof out}\``}.`,
            ));
            return;
          }
          members.forEach((member, i) => {
            member.row = out[i];
            stats.out++;
            stats.emitted++;
            subscriber.next(member);
          });
        };
        const start = (members: Envelope<any>[]) => {
          let result: O[] | PromiseLike<O[]>;
          try {
            result = fn(members.map((member) => member.row as R), members.map((member) => member.id), { signal: ctx.signal, services: ctx.services });
          } catch (error) {
            failAll(members, error);
            return;
          }
          if (result !== null && typeof (result as PromiseLike<O[]>).then === 'function') {
            active++;
            Promise.resolve(result).then(
              (out) => deliver(members, out),
              (error: unknown) => failAll(members, error),
            ).finally(() => {
              active--;
              pump();
            });
            return;
          }
          deliver(members, result);
        };
        function pump(): void {
          // Unsubscribed: no batch is started any more. Stopping: queued batches are left for a resume.
          if (closed) return;
          if (ctx.stopping?.aborted) {
            for (const members of ready.splice(0)) for (const member of members) ctx.fail(member, new RowAbandonedError(`Step \`${ctx.step}\` was stopped before row \`${member.id}\` started`));
          }
          while (active < concurrency && ready.length > 0) start(ready.shift()!);
          finish();
        }
        const close = () => {
          timer?.unsubscribe();
          timer = undefined;
          if (filling.length > 0) {
            ready.push(filling);
            filling = [];
          }
          pump();
        };

        const subscription = source.subscribe({
          next(envelope) {
            enter(stats);
            filling.push(envelope);
            if (filling.length >= size) close();
            else if (filling.length === 1) timer = scheduler.schedule(close, maxWaitMs);
          },
          error: (error: unknown) => subscriber.error(error),
          complete() {
            completed = true;
            close();
          },
        });
        return function teardownBatch() {
          closed = true;
          ready.length = 0;
          subscription.unsubscribe();
          timer?.unsubscribe();
        };
      }),
  });
}
