/**
 * `scatter`: one row in, N rows out (1→N), as `mergeMap` with bounded concurrency.
 * Children share the parent's permit by reference count, so the parent record is done only
 * when every child has been written, dropped or failed.
 * @module
 */
import { from, isObservable, mergeMap, Observable, type ObservableInput } from 'rxjs';
import { checkPositiveInt, defineStep } from '../core/define-step.ts';
import { childOf, type Envelope, infoOf } from '../core/envelope.ts';
import { SluiceError } from '../core/errors.ts';
import { loseCopy } from '../core/fan.ts';
import { enter } from '../core/step-stats.ts';
import type { Step, StepOptions } from '../core/step.ts';
import { closedColumns, withColumns } from '../core/columns.ts';
import type { RowInfo } from '../core/row-info.ts';

export interface ScatterOptions<As extends string = string> extends StepOptions {
  /** Column name for each element (column form). Default: the list column's own name. */
  as?: As;
  /** Parent rows expanded at once (matters when children come from async work). Default 16. */
  concurrency?: number;
}

type Element<T> = T extends ReadonlyArray<infer E> ? E : never;
type ListKeys<R> = { [K in keyof R]-?: NonNullable<R[K]> extends ReadonlyArray<unknown> ? K : never }[keyof R] & string;
type Scattered<R, K extends keyof R, As extends string> = {
  [P in keyof (Omit<R, K> & Record<As, Element<NonNullable<R[K]>>>)]: (Omit<R, K> & Record<As, Element<NonNullable<R[K]>>>)[P];
};

/** The children a scatter function may return. */
export type Children<O> = Iterable<O> | AsyncIterable<O> | Observable<O> | PromiseLike<Iterable<O>>;

class NotAListError extends SluiceError {
  override name = 'NotAListError';
  override readonly code = 'SLUICE_SCATTER_NOT_A_LIST';
}

/**
 * Expands each row into several.
 * - `scatter('subtopics', { as: 'subtopic' })`: one child per element of the list column, with the element under `as`.
 * - `scatter((row) => children)`: the children a function returns (array, iterable, async iterable, observable or promise).
 * A row with no children is counted as filtered. Child ids are the parent id plus `.index`.
 * @example
 * pipeline('p').from(topics).pipe(scatter('subtopics', { as: 'subtopic' }))
 */
export function scatter<R, K extends ListKeys<R>, As extends string = K>(column: K, options?: ScatterOptions<As>): Step<R, Scattered<R, K, As>>;
export function scatter<R, O extends object>(fn: (row: R, info: RowInfo) => Children<O>, options?: ScatterOptions): Step<R, O>;
export function scatter(spec: string | ((row: any, info: RowInfo) => Children<object>), options: ScatterOptions = {}): Step<any, any> {
  const concurrency = checkPositiveInt('concurrency', options.concurrency ?? 16);
  const column = typeof spec === 'string' ? spec : undefined;
  const as = options.as ?? column;
  const children =
    typeof spec === 'function'
      ? spec
      : (row: Record<string, unknown>, info: RowInfo): Children<object> => {
          const list = row[spec];
          if (!Array.isArray(list)) {
            throw new NotAListError(
              `Column \`${spec}\` of row \`${info.id}\` is ${list === undefined ? 'missing' : `a ${typeof list}`}, not a list. Scatter needs a JSON array there.`,
            );
          }
          const { [spec]: _list, ...rest } = row;
          return list.map((element: unknown) => ({ ...rest, [as!]: element }));
        };
  return defineStep({
    ownsPermits: true,
    kind: 'scatter',
    rowWise: true,
    ...options,
    needs: column ? [column] : [],
    params: { column: column ?? null, as: as ?? null, concurrency },
    columnsAfter: (input) => (column ? withColumns(input, [as!], [column]) : { known: closedColumns([]).known, open: true }),
    operator: (ctx) => (source) =>
      source.pipe(
        mergeMap((parent: Envelope<any>) => {
          enter(ctx.stats);
          return new Observable<Envelope<any>>(function subscribeChildren(subscriber) {
            let count = 0;
            // Inside a broadcast/route branch that a join closes, each child is one more copy for
            // the join to wait for. Hold the fan open until every child is out, so the join cannot
            // merge before the last one arrives; the parent's own place goes to its first child.
            const fan = parent.fans.at(-1);
            if (fan) fan.pending++;
            const releaseHold = () => {
              if (fan) loseCopy(parent.fans);
            };
            let produced: Children<object>;
            try {
              produced = children(parent.row, infoOf(parent, ctx));
            } catch (error) {
              ctx.fail(parent, error);
              releaseHold();
              subscriber.complete();
              return;
            }
            const input: ObservableInput<object> = isObservable(produced) ? produced : from(produced as ObservableInput<object>);
            const subscription = from(input).subscribe({
              next(row) {
                if (fan && count > 0) fan.pending++;
                ctx.stats.emitted++;
                subscriber.next(childOf(parent, row, count++));
              },
              error(error: unknown) {
                // After some children, the parent's place in the fan is theirs: fail it without giving that up.
                ctx.fail(count > 0 ? { ...parent, fans: [] } : parent, error);
                releaseHold();
                subscriber.complete();
              },
              complete() {
                if (count === 0) ctx.drop(parent);
                else {
                  ctx.stats.out++;
                  parent.permit.release();
                }
                releaseHold();
                subscriber.complete();
              },
            });
            return subscription;
          });
        }, concurrency),
      ),
  });
}
