/**
 * `route`: partitions rows by a choice made per row. With branches it sends each row to the chosen
 * branches only (a fan-out like `broadcast`, which `join` can close); without, it only tags each
 * row's leaf, so `.to({ short: sink1, long: sink2 })` writes each leaf to its own sink.
 * `route.when` chooses by predicates, `route.sample` picks n of k branches with a seeded PRNG.
 * @module
 */
import { createHash } from 'node:crypto';
import { Observable, type OperatorFunction } from 'rxjs';
import { checkPositiveInt, defineStep } from '../core/define-step.ts';
import { type Envelope, infoOf } from '../core/envelope.ts';
import { SluiceConfigError, SluiceError } from '../core/errors.ts';
import { enter } from '../core/step-stats.ts';
import type { AnyStep, Step, StepContext, StepOptions } from '../core/step.ts';
import { type Branches, type BranchRows, branchPath, branchSteps, columnsAfterBranches, intoBranches } from './broadcast.ts';
import type { RowInfo } from '../core/row-info.ts';
import { seededRandom } from '../core/seeded-random.ts';

/** What a route's `select` returns: one branch, several, or none (the row is dropped as filtered). */
export type Choice = string | readonly string[] | undefined;

export interface WhenOptions extends StepOptions {
  /** Branch (or leaf) for rows no predicate matches. Default: such rows are dropped as filtered. */
  otherwise?: string;
}

export interface SampleOptions extends StepOptions {
  /** Seed of the choice. The same seed and row choose the same branches in every run. Default 0. */
  seed?: number | string;
  /**
   * The column whose value keys the draw (an id column): the draw then stays with the row when the
   * input is reordered or filtered. Default: the row's position in its source (and its child index
   * after a scatter), without the source's name, so renaming the file changes nothing.
   */
  by?: string;
}

class RouteError extends SluiceError {
  override name = 'RouteError';
  override readonly code: 'SLUICE_ROUTE_UNKNOWN_BRANCH' | 'SLUICE_ROUTE_INVALID_CHOICE';
  constructor(code: RouteError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

const list = (names: readonly string[]) => names.map((name) => `\`${name}\``).join(', ');

/**
 * Turns what `pick` returned into branch names in declaration order, or fails or drops the row
 * and returns `undefined`.
 */
function chooser(
  ctx: StepContext,
  declared: readonly string[] | undefined,
  pick: (row: any, info: RowInfo) => unknown,
): (envelope: Envelope) => readonly string[] | undefined {
  return function choose(envelope) {
    let picked: unknown;
    try {
      picked = pick(envelope.row, infoOf(envelope, ctx));
    } catch (error) {
      ctx.fail(envelope, error);
      return undefined;
    }
    const picks = picked === undefined || picked === null ? [] : typeof picked === 'string' ? [picked] : picked;
    if (!Array.isArray(picks)) {
      ctx.fail(
        envelope,
        new RouteError(
          'SLUICE_ROUTE_INVALID_CHOICE',
          `Route \`${ctx.step}\` chose \`${String(picked)}\` for row \`${envelope.id}\`; expected a branch name, a list of names, or \`undefined\`.`,
        ),
      );
      return undefined;
    }
    const chosen = new Set<string>();
    for (const name of picks) {
      if (typeof name !== 'string' || name === '' || name.includes('/')) {
        ctx.fail(
          envelope,
          new RouteError(
            'SLUICE_ROUTE_INVALID_CHOICE',
            `Route \`${ctx.step}\` chose \`${String(name)}\` for row \`${envelope.id}\`; branch names are non-empty strings without \`/\`.`,
          ),
        );
        return undefined;
      }
      if (declared && !declared.includes(name)) {
        ctx.fail(
          envelope,
          new RouteError(
            'SLUICE_ROUTE_UNKNOWN_BRANCH',
            `Route \`${ctx.step}\` chose branch \`${name}\` for row \`${envelope.id}\`, but its branches are ${list(declared)}.`,
          ),
        );
        return undefined;
      }
      chosen.add(name);
    }
    if (chosen.size === 0) {
      ctx.drop(envelope);
      return undefined;
    }
    return declared ? declared.filter((name) => chosen.has(name)) : [...chosen];
  };
}

/** Without branches: sets each row's leaf; a row sent to several leaves is copied (shallow) to each. */
function tagLeaves(ctx: StepContext, choose: (envelope: Envelope) => readonly string[] | undefined): OperatorFunction<Envelope, Envelope> {
  return (source) =>
    new Observable<Envelope>(function subscribeRoute(subscriber) {
      const stats = ctx.stats;
      return source.subscribe({
        next(envelope) {
          enter(stats);
          const chosen = choose(envelope);
          if (chosen === undefined) return;
          stats.out++;
          stats.emitted += chosen.length;
          const parent = envelope.branch;
          // One reference per leaf copy; the incoming envelope itself goes to the first leaf.
          envelope.permit.retain(chosen.length - 1);
          chosen.forEach((name, i) => {
            const copy = i === 0 ? envelope : { ...envelope, row: { ...(envelope.row as object) } };
            copy.branch = branchPath(parent, name);
            subscriber.next(copy);
          });
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
}

function makeRoute(
  kind: string,
  pick: (row: any, info: RowInfo) => unknown,
  branches: Readonly<Record<string, unknown>> | undefined,
  options: StepOptions,
  params: Record<string, unknown>,
): Step<any, any> {
  const steps: Record<string, readonly AnyStep[]> | undefined = branches === undefined ? undefined : branchSteps(kind, branches);
  const declared = steps ? Object.keys(steps) : undefined;
  return defineStep({
    ownsPermits: true,
    kind,
    name: options.name,
    ...(options.onError ? { onError: options.onError } : {}),
    params: { ...params, branches: declared ?? null },
    ...(steps ? { branches: steps, columnsAfter: columnsAfterBranches } : { columnsAfter: (input) => input }),
    operator: (ctx) => {
      const choose = chooser(ctx, declared, pick);
      return (steps ? intoBranches(ctx, steps, choose) : tagLeaves(ctx, choose)) as OperatorFunction<Envelope<any>, Envelope>;
    },
  });
}

function checkSelect(value: unknown, option: string): void {
  if (typeof value !== 'function') {
    throw new SluiceConfigError(`Expected \`${option}\` to be a function, got \`${value === null ? 'null' : typeof value}\``);
  }
}

/**
 * Sends each row where `select` says: one branch name, several, or `undefined` (or `[]`) to drop
 * the row as filtered. With `branches`, the names must be declared ones (an unknown name fails the
 * row) and each row goes only to its chosen branches, as in `broadcast`. Without, the names become
 * leaves: the row's branch path gets the name, and a row sent to several leaves is copied to each.
 *
 * Stats: `in` = rows, `out` = rows sent somewhere, `filtered` = rows sent nowhere, `emitted` = copies.
 * @example
 * pipeline('p').from(docs).pipe(route((row) => (row.text.length > 2000 ? 'long' : 'short')))
 *   .to({ short: toNdjsonFile('short.jsonl'), long: toNdjsonFile('long.jsonl') })
 */
export function route<R>(select: (row: R, info: RowInfo) => Choice, branches?: undefined, options?: StepOptions): Step<R, R>;
export function route<R, const B extends Branches<R>>(select: (row: R, info: RowInfo) => Choice, branches: B, options?: StepOptions): Step<R, BranchRows<B>>;
export function route(select: (row: any, info: RowInfo) => Choice, branches?: Readonly<Record<string, unknown>>, options: StepOptions = {}): Step<any, any> {
  checkSelect(select, 'select');
  return makeRoute('route', select, branches, options, { mode: 'select' });
}

/** Predicates by branch (or leaf) name; the first that accepts a row (in object order) wins. */
export type Predicates<R, N extends string = string> = Readonly<Partial<Record<N, (row: R, info: RowInfo) => boolean>>>;

/**
 * Routes each row to the first branch (or leaf) whose predicate accepts it, in object order.
 * Rows no predicate accepts are dropped as filtered, or go to `otherwise` when it is given.
 * @example
 * pipeline('p').from(docs).pipe(route.when({ short: (r) => r.text.length < 200, long: (r) => r.text.length >= 200 }))
 */
function when<R>(predicates: Predicates<R>, branches?: undefined, options?: WhenOptions): Step<R, R>;
function when<R, const B extends Branches<R>>(predicates: Predicates<R, Extract<keyof B, string>>, branches: B, options?: WhenOptions): Step<R, BranchRows<B>>;
function when(predicates: Predicates<any>, branches?: Readonly<Record<string, unknown>>, options: WhenOptions = {}): Step<any, any> {
  if (predicates === null || typeof predicates !== 'object' || Object.keys(predicates).length === 0) {
    throw new SluiceConfigError(`Expected \`predicates\` to be an object of named predicates, got \`${String(predicates)}\``);
  }
  const tests = Object.entries(predicates) as Array<[string, (row: unknown, info: RowInfo) => boolean]>;
  for (const [name, test] of tests) checkSelect(test, `predicates.${name}`);
  const { otherwise } = options;
  if (otherwise !== undefined && (typeof otherwise !== 'string' || otherwise === '' || otherwise.includes('/'))) {
    throw new SluiceConfigError(`Expected \`otherwise\` to be a branch name, got \`${String(otherwise)}\``);
  }
  if (branches !== undefined && branches !== null && typeof branches === 'object') {
    const declared = Object.keys(branches);
    for (const name of [...tests.map(([name]) => name), ...(otherwise === undefined ? [] : [otherwise])]) {
      if (!declared.includes(name)) {
        throw new SluiceConfigError(`Expected every predicate and \`otherwise\` to name a branch (${list(declared)}), got \`${name}\``);
      }
    }
  }
  const pick = (row: unknown, info: RowInfo): string | undefined => {
    for (const [name, test] of tests) if (test(row, info)) return name;
    return otherwise;
  };
  return makeRoute('route', pick, branches, options, { mode: 'when', predicates: tests.map(([name]) => name), otherwise: otherwise ?? null });
}

/** Picks `n` of `names` for a row id: a partial Fisher–Yates shuffle seeded by the seed and the id. */
function sampleNames(names: readonly string[], n: number, seed: number | string, id: string): string[] {
  const random = seededRandom(`${String(seed)}\u0000${id}`);
  const indices = names.map((_, i) => i);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (indices.length - i));
    [indices[i], indices[j]] = [indices[j]!, indices[i]!];
  }
  return indices
    .slice(0, n)
    .sort((a, b) => a - b)
    .map((i) => names[i]!);
}

/**
 * Sends each row to `n` of the branches (or leaves, when given a list of names), chosen by a PRNG
 * seeded with `seed` and the row's position in its source (or its `by` column): the same rows go
 * to the same branches in every run, whatever the input file is called.
 * @example
 * pipeline('p').from(prompts).pipe(
 *   route.sample(2, { a: (c) => c.pipe(generate(a)), b: (c) => c.pipe(generate(b)), c: (c) => c.pipe(generate(c)) }, { seed: 7 }),
 *   join({ combine: { generation: 'generations' }, branchesAs: 'models' }),
 * )
 */
function sample<R>(n: number, names: readonly string[], options?: SampleOptions): Step<R, R>;
function sample<R, const B extends Branches<R>>(n: number, branches: B, options?: SampleOptions): Step<R, BranchRows<B>>;
function sample(n: number, target: readonly string[] | Readonly<Record<string, unknown>>, options: SampleOptions = {}): Step<any, any> {
  const seed = options.seed ?? 0;
  if (!(typeof seed === 'string' || Number.isFinite(seed))) {
    throw new SluiceConfigError(`Expected \`seed\` to be a number or a string, got \`${String(seed)}\``);
  }
  let names: readonly string[];
  let branches: Readonly<Record<string, unknown>> | undefined;
  if (Array.isArray(target)) {
    names = target as readonly string[];
    for (const name of names) {
      if (typeof name !== 'string' || name === '' || name.includes('/')) {
        throw new SluiceConfigError(`Expected leaf names to be non-empty strings without \`/\`, got \`${String(name)}\``);
      }
    }
    if (new Set(names).size !== names.length) {
      throw new SluiceConfigError(`Expected distinct leaf names, got ${list(names)}`);
    }
  } else {
    branches = target as Readonly<Record<string, unknown>>;
    names = branches !== null && typeof branches === 'object' ? Object.keys(branches) : [];
  }
  if (names.length === 0) {
    throw new SluiceConfigError('Expected `route.sample` to get at least one branch or leaf name, got none');
  }
  checkPositiveInt('n', n, false);
  if (n > names.length) {
    throw new SluiceConfigError(`Expected \`n\` to be at most the number of branches (${names.length}), got \`${n}\``);
  }
  const by = options.by;
  if (by !== undefined && (typeof by !== 'string' || by === '')) {
    throw new SluiceConfigError(`Expected \`by\` to be a column name, got \`${String(by)}\``);
  }
  // Not the whole id: it starts with the source's name, and a renamed file (or `-i`) would send rows elsewhere.
  const keyOf = (row: unknown, info: RowInfo) =>
    by === undefined
      ? info.id.slice(info.id.indexOf(':') + 1)
      : createHash('sha256')
          .update(JSON.stringify((row as Record<string, unknown>)[by] ?? null))
          .digest('hex');
  const pick = (row: unknown, info: RowInfo) => sampleNames(names, n, seed, keyOf(row, info));
  return makeRoute('route', pick, branches, options, { mode: 'sample', n, seed, ...(by === undefined ? {} : { by }), ...(branches ? {} : { leaves: names }) });
}

route.when = when;
route.sample = sample;
