/**
 * `route` in definitions: each row to the first branch (or leaf) whose condition it passes
 * (`when`), or to `n` branches chosen by a seeded draw (`sample`).
 * `- route: { when: { short: { column: words, max: 20 } }, otherwise: long }`
 * `- route: { sample: { n: 2, seed: 7 }, branches: { a: [ … ], b: [ … ], c: [ … ] } }`
 * @module
 */
import { z } from 'zod';
import { Chain } from '../../core/chain.ts';
import type { AnyStep } from '../../core/step.ts';
import { route } from '../../operators/route.ts';
import { rootColumn } from '../column-path.ts';
import { field, stepOptions } from '../fields.ts';
import { conditionSchema, type RowCondition, rowCondition } from '../row-condition.ts';
import { defineKind } from '../step-kind.ts';
import { branchesField } from './broadcast.ts';

export const routeKind = defineKind({
  description: 'Sends each row to the first branch or leaf whose condition it passes (`when`), or to `n` seeded picks (`sample`).',
  schema: z
    .strictObject(
      {
        ...stepOptions,
        when: z
          .record(
            z
              .string()
              .min(1)
              .regex(/^[^/]+$/),
            conditionSchema,
            { error: 'a map of branch names to conditions' },
          )
          .describe('Conditions by branch (or leaf) name, tried in order: `{ short: { column: words, max: 20 } }`.')
          .optional(),
        otherwise: field.name('With `when`: the branch (or leaf) for rows no condition passes. Default: such rows are filtered.').optional(),
        sample: z
          .strictObject(
            {
              n: field.count('How many branches each row goes to.'),
              seed: z
                .union([z.number(), z.string()], { error: 'a number or a string' })
                .describe('Seed of the draw: the same seed sends the same rows the same way. Default 0.')
                .optional(),
              by: field
                .name("The column whose value keys the draw, such as an id column. Default: the row's position in its source, not the file's name.")
                .optional(),
            },
            { error: 'a map with `n`, and `seed` or `by`' },
          )
          .describe(
            "Sends each row to `n` of the branches (or leaves), drawn from the seed and the row's position (or its `by` column), not the name of the file it came from.",
          )
          .optional(),
        branches: branchesField.optional(),
        leaves: field.names('With `sample` and no `branches`: the leaf names to pick from.').optional(),
      },
      { error: 'a map of params' },
    )
    .superRefine((params, ctx) => {
      if ((params.when === undefined) === (params.sample === undefined)) {
        ctx.addIssue({ code: 'custom', message: `Expected either \`when\` or \`sample\`, got ${params.when ? 'both' : 'neither'}` });
      }
      if (params.sample && !params.branches && !params.leaves) {
        ctx.addIssue({ code: 'custom', message: 'Expected `branches` or `leaves` to pick from with `sample`, got neither' });
      }
      if (params.leaves && (params.branches || params.when)) {
        ctx.addIssue({ code: 'custom', path: ['leaves'], message: 'Expected `leaves` only with `sample` and no `branches`, got it with more' });
      }
      if (params.otherwise !== undefined && params.when === undefined) {
        ctx.addIssue({ code: 'custom', path: ['otherwise'], message: 'Expected `otherwise` only with `when`, got it without' });
      }
    }),
  build(params, ctx) {
    const { name, onError, when, otherwise, sample, branches, leaves } = params as {
      name?: string;
      onError?: 'skip' | 'fail';
      when?: Record<string, RowCondition>;
      otherwise?: string;
      sample?: { n: number; seed?: number | string; by?: string };
      branches?: Record<string, unknown[]>;
      leaves?: string[];
    };
    const options = { ...(name ? { name } : {}), ...(onError ? { onError } : {}) };
    const chains = branches
      ? Object.fromEntries(Object.entries(branches).map(([branch, items]) => [branch, new Chain(ctx.steps(items, ['branches', branch]))]))
      : undefined;
    if (when) {
      const predicates = Object.fromEntries(Object.entries(when).map(([branch, condition]) => [branch, rowCondition(condition)]));
      const whenOptions = { ...options, ...(otherwise ? { otherwise } : {}) };
      const step: AnyStep = chains ? route.when(predicates, chains, whenOptions) : route.when(predicates, undefined, whenOptions);
      const needs = Object.values(when)
        .filter((condition) => !condition.exists)
        .map((condition) => rootColumn(condition.column));
      return { ...step, needs: [...new Set(needs)], params: { ...step.params, when } };
    }
    const sampleOptions = {
      ...options,
      ...(sample!.seed !== undefined ? { seed: sample!.seed } : {}),
      ...(sample!.by !== undefined ? { by: sample!.by } : {}),
    };
    return chains ? route.sample(sample!.n, chains, sampleOptions) : route.sample(sample!.n, leaves ?? [], sampleOptions);
  },
  paramsOf(step, ctx) {
    const p = step.params as { mode: string; n?: number; seed?: number | string; by?: string; leaves?: string[]; when?: unknown; otherwise?: string | null };
    const branches = step.branches
      ? { branches: Object.fromEntries(Object.entries(step.branches).map(([branch, steps]) => [branch, ctx.steps(steps, branch)])) }
      : {};
    if (p.mode === 'sample') {
      return {
        sample: { n: p.n, ...(p.seed !== 0 ? { seed: p.seed } : {}), ...(p.by !== undefined ? { by: p.by } : {}) },
        ...branches,
        ...(p.leaves ? { leaves: p.leaves } : {}),
      };
    }
    // A route made with predicate functions has no `when` conditions in its params.
    if (p.mode === 'when' && p.when) return { when: p.when, ...(p.otherwise ? { otherwise: p.otherwise } : {}), ...branches };
    return undefined;
  },
});
