/**
 * `aggregate` in definitions: many rows in, one row `{ key?, rows }` out, by count, time window,
 * key column, or all at once. No `reduce` (that is code): follow it with a declarative `map`.
 * `- aggregate: { key: topic, count: 10 }`
 * @module
 */
import { z } from 'zod';
import { aggregate } from '../../operators/aggregate.ts';
import { field, stepOptions } from '../fields.ts';
import type { StepKind } from '../step-registry.ts';

export const aggregateKind: StepKind = {
  description: 'Groups rows into one row `{ key?, rows }`: every `count` rows, per `windowMs`, per `key` column, or `all` at the end.',
  schema: z.strictObject({
    ...stepOptions,
    count: field.count('Emit a group once it has this many rows (per key with `key`).').optional(),
    windowMs: z.number({ error: 'a number of milliseconds above 0' }).positive({ error: 'a number of milliseconds above 0' })
      .describe('Emit a group this many milliseconds after its first row.').optional(),
    key: field.nonEmpty('Group by this column; every open group comes out at the end.').optional(),
    all: z.literal(true, { error: '`true`' }).describe('One group of every row, at the end. It holds every row in memory.').optional(),
  }, { error: 'a map of params' }),
  build: (params) => aggregate(params as never),
  paramsOf(step) {
    const p = step.params as { count: number | null; windowMs: number | null; key: string | null; all: boolean; reduce: boolean };
    // A `reduce` function, or a key function (its column is not among what the step needs), is code.
    if (p.reduce || (p.key !== null && !step.needs.includes(p.key))) return undefined;
    return {
      ...(p.count !== null ? { count: p.count } : {}),
      ...(p.windowMs !== null ? { windowMs: p.windowMs } : {}),
      ...(p.key !== null ? { key: p.key } : {}),
      ...(p.all ? { all: true } : {}),
    };
  },
};
