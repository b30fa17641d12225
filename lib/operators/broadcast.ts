/**
 * `broadcast`: one row to several branches. Each branch gets its own shallow copy of the row, so
 * branches may change it freely; the copies share the row's permit by reference count and one fan
 * group, which a later `join` closes. The outputs of every branch leave the step merged.
 *
 * This file also holds the fan-out engine `route` shares (compiling branches, feeding copies,
 * completing when the source and every branch are done), the way RxJS's `mergeMap` sits over
 * `mergeInternals`.
 * @module
 */
import { Observable, type OperatorFunction, Subject, Subscription } from 'rxjs';
import { Chain, chain } from '../core/chain.ts';
import type { Columns } from '../core/columns.ts';
import { defineStep } from '../core/define-step.ts';
import type { Envelope, FanGroup } from '../core/envelope.ts';
import { SluiceConfigError } from '../core/errors.ts';
import { openFan } from '../core/fan.ts';
import { enter } from '../core/step-stats.ts';
import type { AnyStep, Step, StepContext, StepOptions } from '../core/step.ts';

/** A branch: a chain of steps over the incoming rows, or a function that builds one from `chain<R>()`. */
export type Branch<R> = Chain<R, any> | ((chain: Chain<R>) => Chain<any, any>);

/** Branches by name. Names become branch paths (`a`, `x/a`) and leaf names. */
export type Branches<R> = Readonly<Record<string, Branch<R>>>;

/** The row type a branch ends with. */
export type BranchRow<B> = B extends (chain: any) => Chain<infer O, any> ? O : B extends Chain<infer O, any> ? O : never;

/** The rows leaving a step with branches: each has the columns of the branch it went through. */
export type BranchRows<B> = { [K in keyof B]: BranchRow<B[K]> }[keyof B];

/**
 * @internal The fan group `broadcast` and `route` open. Besides the core fields it remembers where
 * the row was and which branches the copies went to, so `join` can merge in declaration order and
 * give the merged row its branch path back.
 */
export interface BranchFan extends FanGroup {
  /** The row's branch path before the fan-out. */
  readonly parentBranch: string;
  /** The branches the copies went to, in declaration order. */
  readonly branches: readonly string[];
}

/**
 * @internal Columns after a step with branches. `known` is what every branch's rows have; `fanned`
 * is a stack (innermost last) of what the branches have together, which `join` pops.
 * Core `Columns` has no room for this, so it survives only when the join follows directly.
 */
export interface FannedColumns extends Columns {
  readonly fanned?: readonly Columns[];
}

/** Joins a branch path and a branch name: `('', 'a')` → `a`, `('x', 'a')` → `x/a`. */
export function branchPath(parent: string, name: string): string {
  return parent === '' ? name : `${parent}/${name}`;
}

/** @internal Resolves the user's branches to their steps, checking names and values. */
export function branchSteps(kind: string, branches: Readonly<Record<string, unknown>>): Record<string, readonly AnyStep[]> {
  if (branches === null || typeof branches !== 'object' || Array.isArray(branches)) {
    throw new SluiceConfigError(`Expected \`branches\` to be an object of named chains, got \`${Array.isArray(branches) ? 'an array' : String(branches)}\``);
  }
  const names = Object.keys(branches);
  if (names.length === 0) {
    throw new SluiceConfigError(`Expected \`branches\` of \`${kind}\` to name at least one branch, got \`{}\``);
  }
  const steps: Record<string, readonly AnyStep[]> = {};
  for (const name of names) {
    if (name === '' || name.includes('/')) {
      throw new SluiceConfigError(`Expected branch names to be non-empty and without \`/\`, got \`${name}\``);
    }
    const value = branches[name];
    const built: unknown = typeof value === 'function' ? (value as (c: Chain<any>) => unknown)(chain()) : value;
    if (!(built instanceof Chain)) {
      throw new SluiceConfigError(
        `Expected branch \`${name}\` to be a chain (\`chain<Row>().pipe(…)\`) or a function returning one, got \`${describe(built)}\``,
      );
    }
    steps[name] = built.steps;
  }
  return steps;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return typeof value === 'function' ? 'function' : String(value);
}

/**
 * @internal Columns after a step with branches: the intersection of the branches' columns (a row
 * leaving without a join has only its own branch's columns), open if any branch is open. The union
 * goes on the `fanned` stack for `join`.
 */
export function columnsAfterBranches(input: Columns, branchOutputs: Readonly<Record<string, Columns>> | undefined): FannedColumns {
  const outputs = branchOutputs ? Object.values(branchOutputs) : [];
  if (outputs.length === 0) return { known: input.known, open: true };
  const [first, ...rest] = outputs;
  const known = new Set([...first!.known].filter((column) => rest.every((output) => output.known.has(column))));
  const union = new Set(outputs.flatMap((output) => [...output.known]));
  const open = outputs.some((output) => output.open);
  const outer = (input as FannedColumns).fanned ?? [];
  return { known, open, fanned: [...outer, { known: union, open }] };
}

/**
 * @internal Sends `envelope` to the branches `names` (in declaration order, at least one): opens a
 * fan group of that size and makes one envelope per branch with a shallow copy of the row, the same
 * id and permit (retained once per extra copy), and the branch path extended by the branch name.
 */
export function copiesFor(envelope: Envelope<unknown>, names: readonly string[]): Envelope[] {
  const fan: BranchFan = { ...openFan(names.length), parentBranch: envelope.branch, branches: names };
  const fans = [...envelope.fans, fan];
  // One reference per copy: the incoming envelope's reference goes to the first copy.
  envelope.permit.retain(names.length - 1);
  return names.map((name) => ({
    id: envelope.id,
    row: { ...(envelope.row as object) } as Record<string, unknown>,
    lineage: envelope.lineage,
    permit: envelope.permit,
    branch: branchPath(envelope.branch, name),
    fans,
  }));
}

/**
 * @internal The fan-out engine. Compiles each branch now (so step names are settled when the
 * pipeline is compiled), and returns an operator that, for each row, asks `choose` which branches
 * it goes to and feeds a copy into each. `choose` returns branch names in declaration order, or
 * `undefined` when it has already failed or dropped the row. Completes when the source and every
 * branch have completed.
 */
export function intoBranches(
  ctx: StepContext,
  branches: Readonly<Record<string, readonly AnyStep[]>>,
  choose: (envelope: Envelope) => readonly string[] | undefined,
): OperatorFunction<Envelope, Envelope> {
  const names = Object.keys(branches);
  const compiled = names.map((name) => ctx.compile(branches[name]!, `${ctx.step}/${name}`));
  return (source) =>
    new Observable<Envelope>(function subscribeBranches(subscriber) {
      const stats = ctx.stats;
      const inputs = new Map(names.map((name) => [name, new Subject<Envelope>()]));
      const subscription = new Subscription();
      let running = names.length + 1;
      const completeOne = () => {
        if (--running === 0) subscriber.complete();
      };
      // Branches first: a copy pushed into a Subject nobody listens to would be lost with its permit.
      names.forEach((name, i) => {
        subscription.add(
          compiled[i]!(inputs.get(name)!).subscribe({
            next: (envelope) => subscriber.next(envelope),
            error: (error: unknown) => subscriber.error(error),
            complete: completeOne,
          }),
        );
      });
      subscription.add(
        source.subscribe({
          next(envelope) {
            enter(stats);
            const chosen = choose(envelope);
            if (chosen === undefined) return;
            stats.out++;
            stats.emitted += chosen.length;
            const copies = copiesFor(envelope, chosen);
            chosen.forEach((name, i) => {
              inputs.get(name)!.next(copies[i]!);
            });
          },
          error: (error: unknown) => subscriber.error(error),
          complete() {
            for (const input of inputs.values()) input.complete();
            completeOne();
          },
        }),
      );
      return subscription;
    });
}

/**
 * Sends every row to every branch. Each branch gets a shallow copy of the row (same id, branch path
 * extended by the branch name) and its steps run as the branch `name/branch/step`. The rows of all
 * branches leave the step together; each is written to its own leaf (`a`, `b`…) unless a `join`
 * merges the copies back into one row.
 *
 * Stats: `in` = `out` = rows, `emitted` = copies sent into branches.
 * @example
 * pipeline('p').from(prompts).pipe(
 *   broadcast({
 *     small: (c) => c.pipe(generate({ llm: small, prompt: '{{q}}', as: 'answer' })),
 *     large: (c) => c.pipe(generate({ llm: large, prompt: '{{q}}', as: 'answer' })),
 *   }),
 * ).to({ small: toNdjsonFile('small.jsonl'), large: toNdjsonFile('large.jsonl') })
 */
export function broadcast<R, const B extends Branches<R>>(branches: B, options: StepOptions = {}): Step<R, BranchRows<B>> {
  const steps = branchSteps('broadcast', branches);
  const names = Object.keys(steps);
  return defineStep<R, BranchRows<B>>({
    ownsPermits: true,
    kind: 'broadcast',
    ...options,
    params: { branches: names },
    branches: steps,
    columnsAfter: columnsAfterBranches,
    operator: (ctx) => intoBranches(ctx, steps, () => names) as OperatorFunction<Envelope<R>, Envelope>,
  });
}
