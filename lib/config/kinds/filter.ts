/**
 * `filter` in definitions, declarative only: a column and one test.
 * `- filter: { column: text, nonEmpty: true }`, `- filter: { column: lang, in: [en, fr] }`
 * @module
 */
import { filterColumn, filterColumnSchema } from '../filter-column.ts';
import { defineKind } from '../step-kind.ts';

export const filterKind = defineKind({
  description: 'Keeps the rows whose column passes a test: `nonEmpty`, `exists`, `equals`, `in`, `matches`, `min`/`max` (`not: true` inverts).',
  schema: filterColumnSchema,
  build: (params) => filterColumn(params),
  // A filter made with a function has no `column` in its params.
  paramsOf: (step) => (typeof step.params.column === 'string' ? { ...step.params } : undefined),
});
