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
import { contentIds } from '../sources/content-ids.ts';
import { formatOf } from './format-of.ts';
import { SluiceConfigError } from '../core/errors.ts';
import { isRedisUrl } from '../broker/connect-redis.ts';
import { redisStream } from '../broker/redis-stream-source.ts';
import { hubDataset } from '../hub/hub-dataset.ts';
import { isHubLocation } from '../hub/hub-location.ts';

export interface SourceForOptions {
  /** The format, over the extension's. */
  format?: string;
  /** The longest NDJSON line, in bytes. */
  maxLineBytes?: number;
  /** CSV/TSV: the field delimiter. */
  delimiter?: string;
  /** CSV/TSV: infer numbers, booleans, null and JSON text (default true). */
  infer?: boolean;
  /** Parquet and Hub datasets: the columns to read. */
  columns?: readonly string[];
  /** Hub datasets: the split (default `train`). */
  split?: string;
  /** Hub datasets: shuffle with a seed, by file then within a buffer of rows (default 1,000). */
  shuffle?: { seed: number | string; bufferSize?: number };
  /** How records are named for resume: by `position` (default) or by a `hash` of their content (see `contentIds`). */
  id?: 'position' | 'hash';
}

/** `-` is stdin (NDJSON); anything else a file or URL in the format its extension names. */
export function sourceFor(location: string, { id, ...options }: SourceForOptions = {}): Source {
  const source = formatSource(location, options);
  return id === 'hash' ? contentIds(source) : source;
}

function formatSource(location: string, { format, maxLineBytes, delimiter, infer, columns, split, shuffle }: Omit<SourceForOptions, 'id'>): Source {
  const lines = maxLineBytes === undefined ? {} : { maxLineBytes };
  if (location === '-') return ndjsonStdin(lines);
  if (isRedisUrl(location)) return redisStream(location);
  const chosen = formatOf(location, format);
  if (chosen === 'hf' || isHubLocation(location)) {
    if (!isHubLocation(location)) {
      throw new SluiceConfigError(
        `The \`hf\` format reads Hub datasets, named \`hf://datasets/<owner>/<name>\`; got \`${location}\`. A local Parquet folder is read a file at a time.`,
      );
    }
    return hubDataset(location, { ...(split ? { split } : {}), ...(shuffle ? { shuffle } : {}), ...(columns ? { columns } : {}) });
  }
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
