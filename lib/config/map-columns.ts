/**
 * `mapColumns`: the declarative `map` of definitions: reshapes rows by naming columns, with no
 * code, so that it can be saved and loaded. In YAML: `- map: { pick: { subtopics: plan.subtopics }, drop: [plan] }`.
 * @module
 */
import { z } from 'zod';
import { setOwn } from '../core/set-own.ts';
import { SluiceError } from '../core/errors.ts';
import type { Columns } from '../core/columns.ts';
import type { Step, StepOptions } from '../core/step.ts';
import type { RowInfo } from '../core/row-info.ts';
import { map } from '../operators/map.ts';
import { readPath, rootColumn } from './column-path.ts';
import { field, stepOptions } from './fields.ts';
import { validateValue } from './validate-value.ts';

const OPERATIONS = ['keep', 'rename', 'pick', 'set', 'drop', 'trim'] as const;

/** The params of a declarative `map`. */
export const mapColumnsSchema = z
  .strictObject(
    {
      ...stepOptions,
      keep: field.names('Columns to keep; the others go (before `rename`, `pick` and `set` add theirs). Default: keep all.').optional(),
      rename: field.stringMap('Columns to rename: `{ old: new }`.').optional(),
      pick: field.stringMap('Columns to fill from a column or a path into one: `{ subtopics: plan.subtopics }`.').optional(),
      set: field.jsonMap('Columns to set to fixed values: `{ source: seed-v1 }`.').optional(),
      drop: field.names('Columns to remove (after everything but `trim`).').optional(),
      trim: field.names('String columns to trim of surrounding spaces, last.').optional(),
    },
    { error: 'a map of `keep`, `rename`, `pick`, `set`, `drop` or `trim`' },
  )
  .superRefine((params, ctx) => {
    if (!OPERATIONS.some((operation) => params[operation] !== undefined)) {
      ctx.addIssue({ code: 'custom', message: 'Expected at least one of `keep`, `rename`, `pick`, `set`, `drop` or `trim`, got none' });
    }
  });

export interface MapColumnsOptions extends StepOptions {
  keep?: readonly string[];
  rename?: Readonly<Record<string, string>>;
  pick?: Readonly<Record<string, string>>;
  set?: Readonly<Record<string, unknown>>;
  drop?: readonly string[];
  trim?: readonly string[];
}

class MapColumnsError extends SluiceError {
  override name = 'MapColumnsError';
  override readonly code = 'SLUICE_MAP_MISSING_COLUMN';
}

const copy = (value: unknown): unknown => (value !== null && typeof value === 'object' ? structuredClone(value) : value);

/**
 * Reshapes each row, in this order: start from the row (or only its `keep` columns); `rename`
 * columns; `pick` columns from paths into the input row; `set` fixed values; `drop` columns;
 * `trim` string columns. Reads always come from the input row. A `rename` or `pick` whose
 * source is missing fails the row. Validation knows the columns it makes.
 * @example
 * pipeline('qa').from(rows).pipe(mapColumns({ name: 'unpack', pick: { subtopics: 'plan.subtopics' }, drop: ['plan'] }))
 */
export function mapColumns<R = any, O extends object = any>(options: MapColumnsOptions): Step<R, O> {
  const params = validateValue(mapColumnsSchema, options, { base: [], rootKey: 'map' });
  const { name, onError, ...spec } = params;
  const rename = Object.entries(spec.rename ?? {});
  const pick = Object.entries(spec.pick ?? {});
  const set = Object.entries(spec.set ?? {});
  const { keep, drop = [], trim = [] } = spec;

  const reshape = (row: Record<string, unknown>, info: RowInfo): O => {
    const out: Record<string, unknown> = {};
    // Column names may come from data (`__proto__`): set them as own properties.
    for (const column of keep ?? Object.keys(row)) if (Object.hasOwn(row, column)) setOwn(out, column, row[column]);
    for (const [from, to] of rename) {
      if (!Object.hasOwn(row, from)) throw new MapColumnsError(`Row \`${info.id}\` has no column \`${from}\` to rename to \`${to}\`.`);
      delete out[from];
      setOwn(out, to, row[from]);
    }
    for (const [to, path] of pick) {
      const { found, value } = readPath(row, path);
      if (!found) throw new MapColumnsError(`Row \`${info.id}\` has no \`${path}\` to pick into \`${to}\`.`);
      setOwn(out, to, value);
    }
    for (const [column, value] of set) setOwn(out, column, copy(value));
    for (const column of drop) delete out[column];
    for (const column of trim) if (typeof out[column] === 'string') out[column] = (out[column] as string).trim();
    return out as O;
  };

  const step = map<Record<string, unknown>, O>(reshape, { ...(name ? { name } : {}), ...(onError ? { onError } : {}) });
  return {
    ...step,
    needs: [...new Set([...rename.map(([from]) => from), ...pick.map(([, path]) => rootColumn(path))])],
    params: spec,
    columnsAfter(input: Columns): Columns {
      const known = new Set(keep ? keep.filter((column) => input.open || input.known.has(column)) : input.known);
      for (const [from, to] of rename) {
        known.delete(from);
        known.add(to);
      }
      for (const [to] of pick) known.add(to);
      for (const [column] of set) known.add(column);
      for (const column of drop) known.delete(column);
      return { known, open: keep ? false : input.open };
    },
  } as Step<R, O>;
}
