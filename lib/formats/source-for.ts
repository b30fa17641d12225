/**
 * The source for an input location (`-i`, a definition's `input:`): stdin, a file or a URL, in the
 * format its extension (or `format`) names, decompressed by its extension.
 * @module
 */
import type { Source } from '../core/source.ts';
import { csvFile } from '../sources/csv-file.ts';
import { jsonArrayFile } from '../sources/json-array-file.ts';
import { ndjsonFile } from '../sources/ndjson-file.ts';
import { ndjsonStdin } from '../sources/ndjson-stdin.ts';
import { parquetFile } from '../sources/parquet-file.ts';
import { formatOf } from './format-of.ts';

export interface SourceForOptions {
  /** The format, over the extension's. */
  format?: string;
  /** The longest NDJSON line, in bytes. */
  maxLineBytes?: number;
  /** CSV/TSV: the field delimiter. */
  delimiter?: string;
  /** CSV/TSV: infer numbers, booleans, null and JSON text (default true). */
  infer?: boolean;
  /** Parquet: the columns to read. */
  columns?: readonly string[];
}

/** `-` is stdin (NDJSON); anything else a file or URL in the format its extension names. */
export function sourceFor(location: string, { format, maxLineBytes, delimiter, infer, columns }: SourceForOptions = {}): Source {
  const lines = maxLineBytes === undefined ? {} : { maxLineBytes };
  if (location === '-') return ndjsonStdin(lines);
  const chosen = formatOf(location, format);
  switch (chosen) {
    case 'json':
      return jsonArrayFile(location);
    case 'csv':
    case 'tsv':
      return csvFile(location, {
        delimiter: delimiter ?? (chosen === 'tsv' ? '\t' : ','),
        ...(infer !== undefined ? { infer } : {}),
      });
    case 'parquet':
      return parquetFile(location, columns ? { columns } : {});
    default:
      return ndjsonFile(location, lines);
  }
}
