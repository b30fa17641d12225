/**
 * `filter` in definitions, declarative only: a column and one test.
 * `- filter: { column: text, nonEmpty: true }`, `- filter: { column: lang, in: [en, fr] }`
 * @module
 */
import { filterColumn, filterColumnSchema } from '../filter-column.ts';
import type { StepKind } from '../step-kind.ts';

export const filterKind: StepKind = {
  description: 'Keeps the rows whose column passes a test: `nonEmpty`, `exists`, `equals`, `in`, `matches`, `min`/`max` (`not: true` inverts).',
  schema: filterColumnSchema,
  build: (params) => filterColumn(params as never),
  // A filter made with a function has no `column` in its params.
  paramsOf: (step) => (typeof step.params.column === 'string' ? { ...step.params } : undefined),
};
