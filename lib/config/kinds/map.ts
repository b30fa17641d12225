/**
 * `map` in definitions, declarative only: reshapes rows by naming columns.
 * `- map: { name: unpack, pick: { subtopics: plan.subtopics }, drop: [plan] }`
 * @module
 */
import { mapColumns, mapColumnsSchema } from '../map-columns.ts';
import { defineKind } from '../step-kind.ts';

const OPERATIONS = ['keep', 'rename', 'pick', 'set', 'drop', 'trim'];

export const mapKind = defineKind({
  description: 'Reshapes rows with no code: `keep`, `rename`, `pick` (from paths), `set` (fixed values), `drop`, `trim`.',
  schema: mapColumnsSchema,
  build: (params) => mapColumns(params),
  // A map made with a function has `concurrency` and `columns` in its params, none of these.
  paramsOf: (step) => (OPERATIONS.some((key) => step.params[key] !== undefined) ? { ...step.params } : undefined),
});
