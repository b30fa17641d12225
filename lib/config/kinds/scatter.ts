/**
 * `scatter` in definitions: one row per element of a list column.
 * `- scatter: { column: subtopics, as: subtopic }`
 * @module
 */
import { z } from 'zod';
import { scatter } from '../../operators/scatter.ts';
import { field, stepOptions } from '../fields.ts';
import { defineKind } from '../step-kind.ts';
import { unlessDefault } from './llm-step-params.ts';

export const scatterKind = defineKind({
  description: 'One row in, one row out per element of a list column (1→N).',
  schema: z.strictObject(
    {
      ...stepOptions,
      column: field.nonEmpty('The list column to expand.'),
      as: field.nonEmpty("Column for each element. Default: the list column's own name.").optional(),
      concurrency: field.concurrency('Parent rows expanded at once. Default 16.').optional(),
    },
    { error: 'a map of params' },
  ),
  build: ({ column, ...options }) => scatter(column, options),
  paramsOf(step) {
    const { column, as, concurrency } = step.params as { column: string | null; as: string | null; concurrency: number };
    if (typeof column !== 'string') return undefined;
    const out: Record<string, unknown> = { column };
    unlessDefault(out, 'as', as, column);
    unlessDefault(out, 'concurrency', concurrency, 16);
    return out;
  },
});
