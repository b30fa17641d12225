/**
 * A CSV or TSV file sink: a header row, then one record per row (see `csv-encoding.ts`).
 * @module
 */
import { SluiceConfigError } from '../core/errors.ts';
import type { Sink } from '../core/sink.ts';
import { csvEncoding } from './csv-encoding.ts';
import { NdjsonWriter } from './ndjson-writer.ts';
import { openOutputBytes } from './output-bytes.ts';
import { failedPathBeside } from './failed-path-beside.ts';

export interface ToCsvFileOptions {
  /** The field delimiter. Default `,`, or a tab for `.tsv` files. */
  delimiter?: string;
  /** The columns, in order. Default: the first row's. A row with a column not among them fails (its value would be lost). */
  columns?: readonly string[];
}

/**
 * Writes rows, whatever their leaf, to a CSV file (`.tsv`: tab-separated; `.csv.gz`, `.csv.zst`:
 * compressed). The header is the first row's columns, or `columns`.
 * @example
 * pipeline('p').from(ndjsonFile('qa.jsonl')).to(toCsvFile('qa.csv', { columns: ['question', 'answer'] }))
 */
export function toCsvFile(path: string, options: ToCsvFileOptions = {}): Sink {
  const delimiter = options.delimiter ?? (/\.tsv(\.gz|\.zst)?$/i.test(path) ? '\t' : ',');
  if (typeof delimiter !== 'string' || delimiter.length === 0) {
    throw new SluiceConfigError(`Expected \`delimiter\` to be a non-empty string, got \`${String(delimiter)}\``);
  }
  const writer = new NdjsonWriter(() => openOutputBytes(path), { createEmpty: true, ...csvEncoding(path, { ...options, delimiter }) });
  return {
    name: path,
    failedPath: failedPathBeside(path),
    open: () => writer.open(),
    write: (row, _leaf, done) => writer.write(row, done),
    close: () => writer.close(),
  };
}
