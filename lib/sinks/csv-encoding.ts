/**
 * How rows become CSV records, on `csv-stringify`: the header (the first row's columns, or those
 * given), then one record per row. Nested values (objects, lists) are written as JSON text, which
 * `csvFile` reads back as the same values; `null` is an empty field.
 * @module
 */
import { stringify } from 'csv-stringify/sync';
import { SluiceError } from '../core/errors.ts';
import type { NdjsonWriterOptions } from './ndjson-writer.ts';

/** A row with a column the file's header does not have. Recorded on the failed row. */
export class OutputColumnsError extends SluiceError {
  static override readonly brand: symbol = Symbol.for('sluice.error.OutputColumnsError');
  override name = 'OutputColumnsError';
  override readonly code = 'SLUICE_OUTPUT_COLUMNS';
}

/** A value as one CSV field: text as it is, nested values as JSON text, `null` as an empty field. */
function field(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  // JSON's rules, as for NDJSON: a BigInt or a cycle anywhere fails the row (SLUICE_OUTPUT_NOT_JSON).
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`a ${typeof value} is not a JSON value`);
  return json;
}

/** The writer options that write CSV to `path` (named in messages); state is per call, so per file. */
export function csvEncoding(path: string, options: { delimiter: string; columns?: readonly string[] | undefined }): Pick<NdjsonWriterOptions, 'encode'> {
  const { delimiter } = options;
  let columns = options.columns ? [...options.columns] : undefined;
  let known = new Set(columns);
  const line = (cells: unknown[]) => stringify([cells], { delimiter, record_delimiter: 'unix' });
  return {
    encode(row, index) {
      const record = row as Record<string, unknown>;
      if (columns === undefined) {
        columns = Object.keys(record);
        known = new Set(columns);
      }
      for (const column of Object.keys(record)) {
        if (!known.has(column)) {
          throw new OutputColumnsError(
            `A row has column \`${column}\`, which ${path} does not have (its columns: ${columns.map((c) => `\`${c}\``).join(', ')}). ` +
              'Give the sink `columns` listing every column, or drop or rename it in a step before.',
          );
        }
      }
      const fields = line(columns.map((column) => field(record[column])));
      return index === 0 ? line(columns) + fields : fields;
    },
  };
}
