/**
 * What validation knows about the columns a row has at a point in the pipeline.
 * `open` means "maybe more": the source did not declare its columns, or a step's output is opaque.
 * @module
 */
export interface Columns {
  readonly known: ReadonlySet<string>;
  readonly open: boolean;
}

export const unknownColumns: Columns = { known: new Set(), open: true };

export function closedColumns(names: Iterable<string>): Columns {
  return { known: new Set(names), open: false };
}

/** Adds `names` and removes `removed` from `columns`. */
export function withColumns(columns: Columns, names: Iterable<string>, removed: Iterable<string> = []): Columns {
  const known = new Set(columns.known);
  for (const name of removed) known.delete(name);
  for (const name of names) known.add(name);
  return { known, open: columns.open };
}
