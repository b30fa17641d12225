/**
 * `broadcast` in definitions: every row to every branch; branches are nested step lists.
 * `- broadcast: { branches: { small: [ { generate: … } ], large: [ { generate: … } ] } }`
 * @module
 */
import { z } from 'zod';
import { Chain } from '../../core/chain.ts';
import { broadcast } from '../../operators/broadcast.ts';
import { stepOptions } from '../fields.ts';
import { defineKind } from '../step-kind.ts';

/** Branches by name, each a list of steps. */
export const branchesField = z
  .record(
    z
      .string()
      .min(1)
      .regex(/^[^/]+$/),
    z.array(z.unknown(), { error: 'a list of steps' }),
    { error: 'a map of branch names to lists of steps' },
  )
  .describe('Branches by name, each a list of steps: `{ a: [ { generate: … } ], b: [ … ] }`.');

export const broadcastKind = defineKind({
  description: 'Sends every row to every branch (a list of steps each); `join` merges the copies back.',
  schema: z.strictObject({ ...stepOptions, branches: branchesField }, { error: 'a map with `branches`' }),
  build({ branches, name, onError }, ctx) {
    const chains = Object.fromEntries(
      Object.entries(branches as Record<string, unknown[]>).map(([branch, items]) => [branch, new Chain(ctx.steps(items, ['branches', branch]))]),
    );
    return broadcast(chains, { ...(name ? { name } : {}), ...(onError ? { onError } : {}) });
  },
  paramsOf: (step, ctx) => ({
    branches: Object.fromEntries(Object.entries(step.branches ?? {}).map(([branch, steps]) => [branch, ctx.steps(steps, branch)])),
  }),
});
