/**
 * `filterColumn`: the declarative `filter` of definitions: keeps rows whose column passes one
 * test, with no code, so that it can be saved and loaded. In YAML: `- filter: { column: text, nonEmpty: true }`.
 * @module
 */
import { z } from 'zod';
import type { Step, StepOptions } from '../core/step.ts';
import { filter } from '../operators/filter.ts';
import { rootColumn } from './column-path.ts';
import { stepOptions } from './fields.ts';
import { checkOneTest, conditionShape, type RowCondition, rowCondition } from './row-condition.ts';
import { validateValue } from './validate-value.ts';

/** The params of a declarative `filter`. */
export const filterColumnSchema = z
  .strictObject({ ...stepOptions, ...conditionShape }, { error: 'a map with `column` and one test' })
  .superRefine(checkOneTest);

export type FilterColumnOptions = RowCondition & StepOptions;

/**
 * Keeps the rows whose `column` passes the test: `nonEmpty`, `exists`, `equals`, `in`,
 * `matches` (a regular expression, with `flags`), or `min`/`max` (numbers, or lengths of strings
 * and lists); `not: true` inverts it. Rows that fail the test are counted as filtered.
 * @example
 * pipeline('clean').from(rows).pipe(filterColumn({ column: 'text', nonEmpty: true }), filterColumn({ column: 'lang', in: ['en', 'fr'] }))
 */
export function filterColumn<R>(options: FilterColumnOptions): Step<R, R> {
  const params = validateValue(filterColumnSchema, options, { base: [], rootKey: 'filter' });
  const { name, onError, ...condition } = params;
  const step = filter<R>(rowCondition(condition), { ...(name ? { name } : {}), ...(onError ? { onError } : {}) });
  return {
    ...step,
    // `exists` asks whether the column is there; every other test needs it.
    needs: condition.exists ? [] : [rootColumn(condition.column)],
    params: condition,
  };
}
