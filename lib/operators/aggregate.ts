/**
 * `aggregate`: many rows in, one row out (N→1), by count, time window, key, or all at once.
 * Members give their budget credit back as they join a group, so a group larger than the budget
 * cannot stall the source; they become done only when the aggregate row is.
 * @module
 */
import { createHash } from 'node:crypto';
import { asyncScheduler, Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { closedColumns } from '../core/columns.ts';
import { checkPositiveInt, defineStep } from '../core/define-step.ts';
import { type Envelope, infoOf } from '../core/envelope.ts';
import { SluiceConfigError, SluiceError } from '../core/errors.ts';
import { GroupPermit } from '../core/permit.ts';
import { loseCopy } from '../core/fan.ts';
import { enter } from '../core/step-stats.ts';
import type { Step, StepOptions } from '../core/step.ts';
import type { RowInfo } from '../core/row-info.ts';

export interface AggregateOptions<R> extends StepOptions {
  /** Emit a group once it has this many rows (per key with `key`); a last partial group comes out at completion. */
  count?: number;
  /** Emit a group this many milliseconds after its first row (per key with `key`). */
  windowMs?: number;
  /** Group by this column, or by what this function returns. Every open group comes out at completion. */
  key?: Extract<keyof R, string> | ((row: R, info: RowInfo) => string | number);
  /** One group of every row, emitted at completion. It holds every row in memory until then. */
  all?: true;
  /** Builds the output row from the members (in arrival order). Default: `{ key, rows }` (`key` only when grouping by key). */
  reduce?: (rows: R[], key: string | undefined) => object;
  /** Columns the rows `reduce` returns have, when known, for validation. */
  columns?: readonly string[];
  /** Scheduler for `windowMs` (a `TestScheduler` in tests). Default `asyncScheduler`. */
  scheduler?: SchedulerLike;
}

/** The default output row: the group's members, and its key when grouping by key. */
export interface Group<R> {
  rows: R[];
}
export interface KeyedGroup<R> extends Group<R> {
  key: string;
}

class AggregateKeyError extends SluiceError {
  override name = 'AggregateKeyError';
  override readonly code = 'SLUICE_AGGREGATE_KEY';
}

interface OpenGroup {
  readonly key: string;
  readonly members: Envelope[];
  timer?: Subscription;
}

const shortHash = (ids: readonly string[]) =>
  createHash('sha256')
    .update([...ids].sort().join('\n'))
    .digest('hex')
    .slice(0, 16);

function checkOptions<R>(options: AggregateOptions<R>): void {
  const { count, windowMs, key, all, reduce } = options;
  if (count !== undefined) checkPositiveInt('count', count, false);
  if (windowMs !== undefined && !(typeof windowMs === 'number' && Number.isFinite(windowMs) && windowMs > 0)) {
    throw new SluiceConfigError(`Expected \`windowMs\` to be a number of milliseconds above 0, got \`${String(windowMs)}\``);
  }
  if (key !== undefined && typeof key !== 'function' && (typeof key !== 'string' || key === '')) {
    throw new SluiceConfigError(`Expected \`key\` to be a column name or a function, got \`${String(key)}\``);
  }
  if (all !== undefined && all !== true) {
    throw new SluiceConfigError(`Expected \`all\` to be \`true\` or left out, got \`${String(all)}\``);
  }
  if (all && (count !== undefined || windowMs !== undefined || key !== undefined)) {
    throw new SluiceConfigError('Expected `all: true` on its own, got it with `count`, `windowMs` or `key`');
  }
  if (!all && count === undefined && windowMs === undefined && key === undefined) {
    throw new SluiceConfigError('Expected one of `count`, `windowMs`, `key` or `all: true`, got none');
  }
  if (reduce !== undefined && typeof reduce !== 'function') {
    throw new SluiceConfigError(`Expected \`reduce\` to be a function, got \`${typeof reduce}\``);
  }
}

/**
 * Groups rows and emits one row per group.
 * - `{ count: n }`: every n rows (the last group may be smaller).
 * - `{ windowMs: t }`: the rows that came within t ms of a group's first row (add `count` to cap a group).
 * - `{ key, count? }`: per key (a column or a function); a key's group comes out when it reaches
 *   `count`, and every open group at completion. Add `windowMs` to close keys' groups by time.
 * - `{ all: true }`: one group at the end. It holds every row: use it only for inputs that fit in memory.
 *
 * The output row is `{ key?, rows }`, or what `reduce(rows, key)` returns. Its id is `agg:<key>` when
 * grouping by key alone, else `agg:<hash of the member ids>`; its lineage is every member's.
 * Members give their budget credit back on arrival (holding them would deadlock a group larger
 * than the budget), and become done when the aggregate row is. Inside a `broadcast`/`route` branch,
 * rows leave the fan-out when they join a group: a `join` after the branches does not wait for them.
 *
 * Stats: `in` = rows, `out` = rows absorbed into emitted groups, `emitted` = groups.
 * @example
 * pipeline('p').from(questions).pipe(aggregate({ key: 'topic', reduce: (rows, topic) => ({ topic, questions: rows.map((r) => r.question) }) }))
 */
export function aggregate<R, O extends object>(options: AggregateOptions<R> & { reduce: (rows: R[], key: string | undefined) => O }): Step<R, O>;
export function aggregate<R>(options: AggregateOptions<R> & { key: NonNullable<AggregateOptions<R>['key']>; reduce?: undefined }): Step<R, KeyedGroup<R>>;
export function aggregate<R>(options: AggregateOptions<R> & { reduce?: undefined }): Step<R, Group<R>>;
export function aggregate<R>(options: AggregateOptions<R>): Step<R, object> {
  if (options === null || typeof options !== 'object') {
    throw new SluiceConfigError(`Expected \`aggregate\` options to be an object, got \`${String(options)}\``);
  }
  checkOptions(options);
  const { count, windowMs, key, reduce, columns } = options;
  const scheduler = options.scheduler ?? asyncScheduler;
  const keyed = key !== undefined;
  const column = typeof key === 'string' ? key : undefined;
  const keyOf: ((row: R, info: RowInfo) => unknown) | undefined =
    typeof key === 'function' ? key : column !== undefined ? (row: R) => (row as Record<string, unknown>)[column] : undefined;
  // One group per key for the whole run: the key alone is a stable id.
  const idByKey = keyed && count === undefined && windowMs === undefined;

  return defineStep<R, object>({
    ownsPermits: true,
    kind: 'aggregate',
    name: options.name,
    ...(options.onError ? { onError: options.onError } : {}),
    needs: column ? [column] : [],
    params: {
      count: count ?? null,
      windowMs: windowMs ?? null,
      key: column ?? (keyed ? 'function' : null),
      all: options.all ?? false,
      reduce: reduce !== undefined,
      columns: columns ?? null,
    },
    columnsAfter: () =>
      reduce ? (columns ? closedColumns(columns) : { known: new Set<string>(), open: true }) : closedColumns(keyed ? ['key', 'rows'] : ['rows']),
    operator: (ctx) => (source) =>
      new Observable<Envelope<object>>(function subscribeAggregate(subscriber) {
        const stats = ctx.stats;
        const groups = new Map<string, OpenGroup>();

        const flush = (group: OpenGroup): void => {
          groups.delete(group.key);
          group.timer?.unsubscribe();
          const members = group.members;
          const rows = members.map((member) => member.row as R);
          let row: object;
          try {
            row = reduce ? reduce(rows, keyed ? group.key : undefined) : keyed ? { key: group.key, rows } : { rows };
          } catch (error) {
            for (const member of members) ctx.fail(member, error);
            return;
          }
          const ids = members.map((member) => member.id);
          const branch = members.every((member) => member.branch === members[0]!.branch) ? members[0]!.branch : '';
          stats.out += members.length;
          stats.emitted++;
          subscriber.next({
            id: `agg:${idByKey ? group.key : shortHash(ids)}`,
            row,
            lineage: [...new Set(members.flatMap((member) => member.lineage))],
            // Done when the aggregate row is: that releases each member's reference.
            permit: new GroupPermit(members.map((member) => member.permit)),
            branch,
            fans: [],
          });
        };

        const subscription = source.subscribe({
          next(envelope) {
            enter(stats);
            if (envelope.fans.length > 0) {
              // Inside a branch: the row leaves the fan-out here (a later join will not wait for it);
              // its record stays undone until the group row is written.
              loseCopy(envelope.fans);
              envelope.fans = [];
            }
            let groupKey = '';
            if (keyOf) {
              let value: unknown;
              try {
                value = keyOf(envelope.row, infoOf(envelope, ctx));
              } catch (error) {
                ctx.fail(envelope, error);
                return;
              }
              if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) {
                ctx.fail(
                  envelope,
                  new AggregateKeyError(
                    `The ${column ? `key column \`${column}\`` : 'key function'} gave \`${value === undefined ? 'undefined' : JSON.stringify(value)}\` for row \`${envelope.id}\`; a key must be a string or a number.`,
                  ),
                );
                return;
              }
              groupKey = String(value);
            }
            let group = groups.get(groupKey);
            if (!group) {
              const opened: OpenGroup = { key: groupKey, members: [] };
              if (windowMs !== undefined) opened.timer = scheduler.schedule(() => flush(opened), windowMs);
              groups.set(groupKey, opened);
              group = opened;
            }
            // Release on ingestion: holding credits here would deadlock when a group is larger than the budget.
            envelope.permit.freeCredit();
            group.members.push(envelope as Envelope);
            if (count !== undefined && group.members.length >= count) flush(group);
          },
          error: (error: unknown) => subscriber.error(error),
          complete() {
            for (const group of [...groups.values()]) flush(group);
            subscriber.complete();
          },
        });
        return () => {
          subscription.unsubscribe();
          for (const group of groups.values()) group.timer?.unsubscribe();
        };
      }),
  });
}
