/**
 * `aggregate` in definitions: many rows in, one row out, by count, time window, key column, or all at
 * once: `{ key?, rows }`, or with `reduce`, one column per reduction of the group's rows.
 * `- aggregate: { key: topic, reduce: { n: { count: true }, questions: { list: question }, tokens: { sum: usage.tokens } } }`
 * @module
 */
import { z } from 'zod';
import { aggregate } from '../../operators/aggregate.ts';
import { field, stepOptions } from '../fields.ts';
import { defineKind } from '../step-kind.ts';
import { readPath } from '../column-path.ts';

const column = z.string().min(1).describe('A column, or a dotted path into one (`usage.tokens`).');
const reductionSchema = z.union(
  [
    z.strictObject({ count: z.literal(true) }),
    z.strictObject({ list: column }),
    z.strictObject({ distinct: column }),
    z.strictObject({ sum: column }),
    z.strictObject({ mean: column }),
    z.strictObject({ min: column }),
    z.strictObject({ max: column }),
    z.strictObject({ first: column }),
    z.strictObject({ last: column }),
  ],
  {
    error:
      'one of `{ count: true }`, `{ list: col }`, `{ distinct: col }`, `{ sum: col }`, `{ mean: col }`, `{ min: col }`, `{ max: col }`, `{ first: col }`, `{ last: col }`',
  },
);
type Reduction = z.output<typeof reductionSchema>;

/** The declared reductions of the aggregates built here, for saving them back. */
const reductions = new WeakMap<object, Record<string, Reduction>>();

/** A `reduce` function from declared reductions: one output column per reduction, plus the key column. */
function reducer(spec: Record<string, Reduction>, keyColumn: string | undefined): (rows: Record<string, unknown>[], key: string | undefined) => object {
  const entries = Object.entries(spec);
  return function reduceGroup(rows, key) {
    const out: Record<string, unknown> = keyColumn ? { [keyColumn]: rows[0]?.[keyColumn] ?? key } : {};
    for (const [as, reduction] of entries) {
      const [op, path] = Object.entries(reduction)[0] as [string, string | true];
      if (op === 'count') {
        out[as] = rows.length;
        continue;
      }
      const values = rows.map((row) => readPath(row, path as string).value).filter((v) => v !== undefined && v !== null);
      const numbers = values.filter((v): v is number => typeof v === 'number');
      switch (op) {
        case 'list':
          out[as] = values;
          break;
        case 'distinct':
          out[as] = [...new Map(values.map((v) => [JSON.stringify(v), v])).values()];
          break;
        case 'sum':
          out[as] = numbers.reduce((a, b) => a + b, 0);
          break;
        case 'mean':
          out[as] = numbers.length ? numbers.reduce((a, b) => a + b, 0) / numbers.length : null;
          break;
        case 'min':
          out[as] = numbers.length ? Math.min(...numbers) : null;
          break;
        case 'max':
          out[as] = numbers.length ? Math.max(...numbers) : null;
          break;
        case 'first':
          out[as] = values[0] ?? null;
          break;
        case 'last':
          out[as] = values.at(-1) ?? null;
          break;
      }
    }
    return out;
  };
}

export const aggregateKind = defineKind({
  description: 'Groups rows into one row `{ key?, rows }`: every `count` rows, per `windowMs`, per `key` column, or `all` at the end.',
  schema: z.strictObject(
    {
      ...stepOptions,
      count: field.count('Emit a group once it has this many rows (per key with `key`).').optional(),
      windowMs: z
        .number({ error: 'a number of milliseconds above 0' })
        .positive({ error: 'a number of milliseconds above 0' })
        .describe('Emit a group this many milliseconds after its first row.')
        .optional(),
      key: field.nonEmpty('Group by this column; every open group comes out at the end.').optional(),
      all: z.literal(true, { error: '`true`' }).describe('One group of every row, at the end. It holds every row in memory.').optional(),
      reduce: z
        .record(z.string().min(1), reductionSchema, { error: 'a map of output columns to reductions' })
        .describe(
          'Output columns, each a reduction of the group: `{ count: true }`, `{ list: col }`, `{ sum: col }`, `{ mean: col }`, `{ min: col }`, `{ max: col }`, `{ first: col }`, `{ last: col }`, `{ distinct: col }`. The key column is kept.',
        )
        .optional(),
    },
    { error: 'a map of params' },
  ),
  build(params) {
    const { reduce, ...rest } = params;
    if (!reduce) return aggregate(rest);
    const step = aggregate({ ...rest, reduce: reducer(reduce, rest.key), columns: [...(rest.key ? [rest.key] : []), ...Object.keys(reduce)] });
    reductions.set(step, reduce);
    return step;
  },
  paramsOf(step) {
    const p = step.params as { count: number | null; windowMs: number | null; key: string | null; all: boolean; reduce: boolean };
    const declared = reductions.get(step);
    // A `reduce` function, or a key function (its column is not among what the step needs), is code.
    if ((p.reduce && !declared) || (p.key !== null && !step.needs.includes(p.key))) return undefined;
    return {
      ...(p.count !== null ? { count: p.count } : {}),
      ...(p.windowMs !== null ? { windowMs: p.windowMs } : {}),
      ...(p.key !== null ? { key: p.key } : {}),
      ...(p.all ? { all: true } : {}),
      ...(declared ? { reduce: declared } : {}),
    };
  },
});
