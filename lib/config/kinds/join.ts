/**
 * `join` (or `combine`) in definitions: merges the copies of each row that went through
 * `broadcast` or `route` branches back into one row.
 * `- join: { combine: { generation: generations }, branchesAs: models }`
 * @module
 */
import { z } from 'zod';
import { join } from '../../operators/join.ts';
import { field, stepOptions } from '../fields.ts';
import { defineKind } from '../step-kind.ts';

export const joinKind = defineKind({
  description: 'Merges the branch copies of each row back into one row; `combine` collects columns into lists.',
  schema: z.strictObject(
    {
      ...stepOptions,
      combine: z
        .union([z.record(z.string(), z.string().min(1)), z.array(z.string().min(1))], { error: 'a map `{ column: listColumn }` or a list of columns' })
        .describe('Columns to collect from every copy into a list, in branch order: `{ generation: generations }`, or `[generation]` to keep the name.')
        .optional(),
      branchesAs: field.nonEmpty('Column that gets the names of the branches whose copies arrived.').optional(),
    },
    { error: 'a map of params' },
  ),
  build: (params) => join(params),
  paramsOf(step) {
    const { combine, branchesAs } = step.params as { combine: Record<string, string> | null; branchesAs: string | null };
    return { ...(combine ? { combine } : {}), ...(branchesAs ? { branchesAs } : {}) };
  },
});

/** `combine`: `join` under distilabel's name. Saved as `join`. */
export const combineKind = { ...joinKind, builds: 'join' };
