/**
 * How rows become CSV records (RFC 4180): the header (the first row's columns, or those given),
 * then one record per row. A field is quoted when it holds the delimiter, a quote or a line break,
 * its quotes doubled. Nested values (objects, lists) are written as JSON text, which `csvFile`
 * reads back as the same values; `null` is an empty field. (Hand-written rather than
 * `csv-stringify`'s per-record call, which re-reads its options for every row: see the README's
 * design notes for the figures.)
 * @module
 */
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
  const quote = (text: string) =>
    text.includes(delimiter) || text.includes('"') || text.includes('\n') || text.includes('\r') ? `"${text.replaceAll('"', '""')}"` : text;
  const line = (cells: readonly string[]) => {
    let out = '';
    for (let i = 0; i < cells.length; i++) out += i === 0 ? quote(cells[i]!) : delimiter + quote(cells[i]!);
    return `${out}\n`;
  };
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
