/**
 * `join` (alias `combine`): fan-in of the copies `broadcast` or `route` sent to branches, by row
 * id, like distilabel's CombineColumns. It closes the innermost fan group: when every copy that is
 * still alive has arrived, it emits one row merged from them.
 * @module
 */
import { Observable } from 'rxjs';
import type { Columns } from '../core/columns.ts';
import { defineStep } from '../core/define-step.ts';
import type { Envelope, FanGroup } from '../core/envelope.ts';
import { SluiceConfigError, SluiceError } from '../core/errors.ts';
import { outerFans } from '../core/fan.ts';
import { METADATA_KEY, type Row, type Simplify } from '../core/row.ts';
import { setOwn } from '../core/set-own.ts';
import { enter } from '../core/step-stats.ts';
import type { Step, StepOptions } from '../core/step.ts';
import type { BranchFan, FannedColumns } from './broadcast.ts';

export interface JoinOptions<C extends CombineSpec = CombineSpec, BA extends string = string> extends StepOptions {
  /**
   * Columns to collect from every arrived copy into a list, in branch order, instead of letting
   * the last branch win: `{ generation: 'generations' }` puts each copy's `generation` into
   * `generations` (and drops `generation`); `['generation']` keeps the name. A copy without the
   * column contributes `null`, so the lists line up with `branchesAs`.
   */
  combine?: C;
  /** Column that gets the names of the branches whose copies arrived, in branch order. Default: none. */
  branchesAs?: BA;
}

/** Columns to collect into lists: source → target, or names kept as they are. */
export type CombineSpec = Readonly<Record<string, string>> | readonly string[];

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type CombineMap<C> = [C] extends [never] ? Record<never, never> : C extends readonly (infer K extends string)[] ? { [P in K]: P } : C;
type Merged<R> = UnionToIntersection<R>;

/** The row `join` emits: every branch's columns, with combined columns as lists. */
export type Joined<R, C = never, BA = never> = Simplify<
  Omit<Merged<R>, keyof CombineMap<C>> & {
    -readonly [P in keyof CombineMap<C> as CombineMap<C>[P] & string]: Array<(P extends keyof Merged<R> ? Merged<R>[P] : unknown) | null>;
  } & ([BA] extends [never] ? Record<never, never> : Record<BA & string, string[]>)
>;

class JoinError extends SluiceError {
  override name = 'JoinError';
  override readonly code: 'SLUICE_JOIN_EXTRA_COPY' | 'SLUICE_JOIN_INCOMPLETE';
  constructor(code: JoinError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

function combinePairs(combine: CombineSpec | undefined): Array<readonly [string, string]> {
  if (combine === undefined) return [];
  if (Array.isArray(combine)) {
    for (const column of combine) {
      if (typeof column !== 'string' || column === '') {
        throw new SluiceConfigError(`Expected \`combine\` to list column names, got \`${String(column)}\``);
      }
    }
    return (combine as readonly string[]).map((column) => [column, column] as const);
  }
  if (typeof combine !== 'object' || combine === null) {
    throw new SluiceConfigError(`Expected \`combine\` to be a list of columns or an object \`{ column: 'listColumn' }\`, got \`${String(combine)}\``);
  }
  return Object.entries(combine as Record<string, unknown>).map(([column, as]) => {
    if (typeof as !== 'string' || as === '') {
      throw new SluiceConfigError(`Expected \`combine.${column}\` to be a column name, got \`${String(as)}\``);
    }
    return [column, as] as const;
  });
}

/** The branch a copy came from, relative to where the fan-out happened (nested tags are ignored). */
function branchNameOf(copy: Envelope, parentBranch: string): string {
  const rest = parentBranch === '' ? copy.branch : copy.branch.slice(parentBranch.length + 1);
  const slash = rest.indexOf('/');
  return slash === -1 ? rest : rest.slice(0, slash);
}

function parentOf(branch: string): string {
  const slash = branch.lastIndexOf('/');
  return slash === -1 ? '' : branch.slice(0, slash);
}

/**
 * Merges the copies of each row that went through `broadcast` or `route` branches back into one
 * row. Columns merge in branch-declaration order (later branches win on conflicts), except those
 * listed in `combine`, which become lists. Copies dropped or failed on their branch are not waited
 * for; if every copy was lost, no row comes out. The merged row keeps the id, goes back to the
 * branch path the row had before the fan-out, and holds one reference on the permit (the other
 * copies' references are released).
 *
 * Stats: `in` = copies arrived, `out` = copies merged, `emitted` = merged rows.
 * @example
 * pipeline('p').from(prompts).pipe(
 *   broadcast({
 *     small: (c) => c.pipe(generate({ llm: small, prompt: '{{q}}', as: 'generation' })),
 *     large: (c) => c.pipe(generate({ llm: large, prompt: '{{q}}', as: 'generation' })),
 *   }),
 *   join({ combine: { generation: 'generations' }, branchesAs: 'models' }),
 * )
 */
export function join<R, const C extends CombineSpec = never, const BA extends string = never>(options: JoinOptions<C, BA> = {}): Step<R, Joined<R, C, BA>> {
  const pairs = combinePairs(options.combine);
  const branchesAs = options.branchesAs;
  if (branchesAs !== undefined && (typeof branchesAs !== 'string' || branchesAs === '')) {
    throw new SluiceConfigError(`Expected \`branchesAs\` to be a column name, got \`${String(branchesAs)}\``);
  }
  return defineStep<R, Joined<R, C, BA>>({
    ownsPermits: true,
    kind: 'join',
    name: options.name,
    ...(options.onError ? { onError: options.onError } : {}),
    params: { combine: pairs.length ? Object.fromEntries(pairs) : null, branchesAs: branchesAs ?? null },
    columnsAfter(input) {
      const fanned = (input as FannedColumns).fanned;
      const inner = fanned?.at(-1);
      // Without the branches' columns (a step between the fan-out and the join hid them), be permissive.
      const base: Columns = inner ?? { known: input.known, open: true };
      const known = new Set(base.known);
      for (const [column] of pairs) known.delete(column);
      for (const [, as] of pairs) known.add(as);
      if (branchesAs) known.add(branchesAs);
      const after: FannedColumns = { known, open: base.open, ...(fanned && fanned.length > 1 ? { fanned: fanned.slice(0, -1) } : {}) };
      return after;
    },
    operator: (ctx) => (source) =>
      new Observable<Envelope<any>>(function subscribeJoin(subscriber) {
        const stats = ctx.stats;
        const waiting = new Set<FanGroup>();
        const settled = new WeakSet<FanGroup>();

        const merge = (fan: FanGroup): Envelope => {
          const branchFan = fan as Partial<BranchFan>;
          const first = fan.arrived[0]!;
          const parentBranch = branchFan.parentBranch ?? parentOf(first.branch);
          const order = branchFan.branches ?? [];
          const copies = fan.arrived
            .map((copy, arrival) => ({ copy, name: branchNameOf(copy, parentBranch), arrival }))
            .map((entry) => ({ ...entry, rank: order.includes(entry.name) ? order.indexOf(entry.name) : order.length }))
            .sort((a, b) => a.rank - b.rank || a.arrival - b.arrival);
          // Spread, not Object.assign: a `__proto__` column is a column, not the prototype.
          // Spread defines own properties, so a `__proto__` column stays a column (Object.assign would set the prototype).
          // biome-ignore lint/performance/noAccumulatingSpread: a handful of copies per row.
          const row: Row = copies.reduce<Row>((merged, { copy }) => ({ ...merged, ...(copy.row as Row) }), {});
          // Each branch's steps left their own metadata: keep all of it, not just the last branch's.
          const metadata = copies
            .map(({ copy }) => (copy.row as Row)[METADATA_KEY])
            .filter((m): m is Row => m !== null && typeof m === 'object' && !Array.isArray(m));
          if (metadata.length > 1) row[METADATA_KEY] = Object.assign({}, ...metadata);
          for (const [column] of pairs) delete row[column];
          for (const [column, as] of pairs)
            setOwn(
              row,
              as,
              copies.map(({ copy }) => (Object.hasOwn(copy.row as Row, column) ? (copy.row as Row)[column] : null) ?? null),
            );
          if (branchesAs) row[branchesAs] = copies.map(({ name }) => name);
          const kept = copies[0]!.copy;
          // One reference is enough for the merged row; the other copies' references end here.
          for (const { copy } of copies.slice(1)) copy.permit.release();
          return { id: kept.id, row, lineage: kept.lineage, permit: kept.permit, branch: parentBranch, fans: outerFans(kept) };
        };

        // Called on the last arrival, or by `loseCopy` inside another step's `fail`/`drop`.
        const settle = (fan: FanGroup): void => {
          if (settled.has(fan)) return;
          settled.add(fan);
          waiting.delete(fan);
          const copies = fan.arrived.length;
          const merged = merge(fan);
          stats.out += copies;
          stats.emitted++;
          subscriber.next(merged);
        };

        return source.subscribe({
          next(envelope) {
            enter(stats);
            const fan = envelope.fans.at(-1);
            if (!fan) {
              // A row that already left the fan-out (an aggregate inside a branch): nothing to merge.
              stats.out++;
              stats.emitted++;
              subscriber.next(envelope);
              return;
            }
            if (settled.has(fan) || fan.pending <= 0) {
              // More copies than were sent (a scatter inside a branch makes children that share the fan).
              // Its fans are left out: the fan-out's losses were already counted, and must not be counted twice.
              ctx.fail(
                { ...envelope, fans: [] },
                new JoinError(
                  'SLUICE_JOIN_EXTRA_COPY',
                  `Join \`${ctx.step}\` got more copies of row \`${envelope.id}\` than branches sent it. ` +
                    "A `scatter` inside a branch gives each child the branch's fan-out; aggregate the children back, or scatter after the join.",
                ),
              );
              return;
            }
            fan.arrived.push(envelope as Envelope);
            fan.settle = settle;
            waiting.add(fan);
            if (--fan.pending === 0) settle(fan);
          },
          error: (error: unknown) => subscriber.error(error),
          complete() {
            // A copy neither arrived nor was reported lost: fail the merged row rather than leak its permit.
            for (const fan of [...waiting]) {
              settled.add(fan);
              waiting.delete(fan);
              const copies = fan.arrived.length;
              const expected = copies + fan.pending;
              const merged = merge(fan);
              stats.failed += copies - 1;
              ctx.fail(
                merged,
                new JoinError(
                  'SLUICE_JOIN_INCOMPLETE',
                  `Join \`${ctx.step}\` ended with ${copies} of ${expected} copies of row \`${merged.id}\`; the others never arrived and were not dropped or failed.`,
                ),
              );
            }
            subscriber.complete();
          },
        });
      }),
  });
}

/** `combine` is `join`: fan-in of branch copies by row id, named after distilabel's CombineColumns. */
export const combine = join;
