/**
 * Turns a `Source` into an observable of envelopes that pulls only when a permit is free.
 * This is where backpressure comes from: RxJS itself is push-only, so the number of records
 * pulled and not yet done can never exceed the budget, whatever the input size.
 * @module
 */
import { Observable } from 'rxjs';
import type { Budget } from './budget.ts';
import type { Envelope } from './envelope.ts';
import { RecordPermit } from './permit.ts';
import type { Row } from './row.ts';
import type { Source, SourceItem } from './source.ts';

export interface PullHooks {
  /** A record the source could not read: recorded as a failed row (its credit is already taken). */
  readonly invalid: (item: Extract<SourceItem, { ok: false }>, id: string, permit: RecordPermit) => void;
  /** Called with each record id once it is done. */
  readonly done?: (id: string) => void;
  /** Records already done in an earlier run (resume): skipped without taking a credit. */
  readonly skip?: (id: string) => boolean;
  /** Called with the first row before it enters the steps (first-row validation). May throw. */
  readonly first?: (row: Row) => void;
  /** Reads at most this many records (skipped ones not counted). */
  readonly limit?: number;
  /** Counts records read. */
  readonly counted: (kind: 'read' | 'skipped') => void;
}

/**
 * @param stop aborted when the run stops taking records (stop(), SIGINT, a fatal failure):
 *   reading ends, the observable completes, and the steps drain what is in flight.
 */
export function pullSource(source: Source, budget: Budget, stop: AbortSignal, hooks: PullHooks): Observable<Envelope> {
  return new Observable<Envelope>(function subscribePullSource(subscriber) {
    let closed = false;
    const reader = new AbortController();
    const onStop = () => reader.abort(stop.reason);
    stop.addEventListener('abort', onStop, { once: true });
    let first = true;
    let taken = 0;
    const limit = hooks.limit ?? Number.POSITIVE_INFINITY;

    const pump = async () => {
      const prefix = `${source.name}:`;
      for await (const batch of source.read(reader.signal)) {
        for (const item of batch) {
          if (closed || stop.aborted) return;
          const id = prefix + (item.key ?? item.position);
          if (hooks.skip?.(id)) {
            hooks.counted('skipped');
            source.done?.(item.position);
            continue;
          }
          if (taken >= limit) return;
          taken++;
          if (!budget.tryAcquire()) {
            // Wait for a sink to finish a record; this is the only place the source waits.
            await budget.acquire();
            if (closed || stop.aborted) {
              budget.release();
              return;
            }
          }
          hooks.counted('read');
          const done = hooks.done;
          const position = item.position;
          const permit = new RecordPermit(
            budget,
            done || source.done
              ? () => {
                  done?.(id);
                  source.done?.(position);
                }
              : undefined,
          );
          if (!item.ok) {
            hooks.invalid(item, id, permit);
            continue;
          }
          if (first) {
            first = false;
            hooks.first?.(item.row);
          }
          subscriber.next({ id, row: item.row, lineage: [id], permit, branch: '', fans: [] });
        }
      }
    };

    pump().then(
      () => subscriber.complete(),
      (error: unknown) => {
        // A read cut short by stop() is a normal end, not a failure.
        if (reader.signal.aborted) subscriber.complete();
        else subscriber.error(error);
      },
    );

    return function teardownPullSource() {
      closed = true;
      stop.removeEventListener('abort', onStop);
      reader.abort();
    };
  });
}
