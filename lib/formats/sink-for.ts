/**
 * The sink for an output location (`-o`, a definition's `output:`): stdout, a file, or a folder of
 * one file per leaf, in the format its extension (or `format`) names, compressed by its extension.
 * @module
 */
import { SluiceConfigError } from '../core/errors.ts';
import type { Sink } from '../core/sink.ts';
import { toChunkedFiles } from '../sinks/chunked-files.ts';
import { toCsvFile } from '../sinks/csv-file.ts';
import { toJsonArrayFile } from '../sinks/json-array-file.ts';
import { toLeafFolder } from '../sinks/leaf-folder.ts';
import { toNdjsonFile } from '../sinks/ndjson-file.ts';
import { outputCompression } from '../sinks/output-bytes.ts';
import { stagedFile } from '../sinks/staged-file.ts';
import { toParquetFile } from '../sinks/parquet-file.ts';
import { toSinkPerLeaf } from '../sinks/sink-per-leaf.ts';
import { toStdout } from '../sinks/ndjson-stdout.ts';
import { checkFormat, FORMATS, type FormatName, formatOf } from './format-of.ts';
import { toDatasetFolder } from '../hub/dataset-folder.ts';
import { isRedisUrl } from '../broker/connect-redis.ts';
import { toRedisStream } from '../broker/redis-stream-sink.ts';
import { toHubDataset } from '../hub/hub-dataset-sink.ts';
import { isHubLocation } from '../hub/hub-location.ts';

export interface SinkForOptions {
  /** The format, over the extension's (and the files' format in a folder). */
  format?: string;
  /** With a folder: `.gz` or `.zst` to compress each leaf's file. */
  compression?: '.gz' | '.zst';
  /** With a folder: files no leaf may write to (the failed-rows file). */
  reserved?: readonly string[];
  /** Write a folder with one file per leaf (`-o out/`). */
  folder?: boolean;
  /** CSV/TSV: the field delimiter. */
  delimiter?: string;
  /** CSV/TSV: the columns, in order (default: the first row's). */
  columns?: readonly string[];
  /** Parquet: rows per row group (default 10,000). */
  rowGroupSize?: number;
  /** With a folder: a new file every `chunkSize` rows of a leaf (`part-00000-of-00004.parquet`). */
  chunkSize?: number;
}

/** `-` is stdout (NDJSON); `folder: true` a folder with one file per leaf; else one file. */
export function sinkFor(
  location: string,
  { format, compression, reserved, folder = false, delimiter, columns, rowGroupSize, chunkSize }: SinkForOptions = {},
): Sink {
  if (location === '-') {
    if (format !== undefined && checkFormat(format) !== 'ndjson') {
      throw new SluiceConfigError(
        `Standard output carries NDJSON only, got \`--format ${format}\`. Write ${format} to a file (\`-o out.${format}\`) or a folder (\`-o out/ --format ${format}\`).`,
      );
    }
    return toStdout();
  }
  if (isRedisUrl(location)) return toRedisStream(location);
  if (isHubLocation(location)) return toHubDataset(location, { ...(chunkSize ? { chunkSize } : {}), ...(rowGroupSize ? { rowGroupSize } : {}) });
  if (chunkSize !== undefined && !folder) {
    throw new SluiceConfigError(`\`chunkSize\` writes a folder of files: give a folder (\`${location.replace(/\/*$/, '')}/\`), got the file \`${location}\``);
  }
  if (folder) {
    const chosen = format === undefined ? 'ndjson' : checkFormat(format);
    if (chosen === 'hf') return toDatasetFolder(location, { ...(chunkSize ? { chunkSize } : {}), ...(rowGroupSize ? { rowGroupSize } : {}) });
    const extension = `${FORMATS[chosen][0]}${compression ?? ''}`;
    const one: FileOptions = { ...(delimiter ? { delimiter } : {}), ...(columns ? { columns } : {}), ...(rowGroupSize ? { rowGroupSize } : {}) };
    if (chunkSize !== undefined) {
      return toChunkedFiles(location, {
        chunkSize,
        extension,
        // The chunked sink stages each chunk itself.
        make: (path) => plainFileSink(path, chosen, one),
        resumable: chosen === 'ndjson' && compression === undefined,
      });
    }
    // NDJSON files are repaired line by line; every other format is written whole, each leaf's file staged.
    if (chosen === 'ndjson' && compression === undefined) return toLeafFolder(location, { extension, ...(reserved ? { reserved } : {}) });
    return toSinkPerLeaf(location, extension, (path) => fileSink(path, chosen, one));
  }
  const chosen = formatOf(location, format);
  if (chosen === 'hf') {
    throw new SluiceConfigError(
      `The \`hf\` format writes a folder laid out as a Hub dataset: give a folder (\`${location.replace(/\/*$/, '')}/\`), or push with \`hf://datasets/<owner>/<name>\``,
    );
  }
  return fileSink(location, chosen, { ...(delimiter ? { delimiter } : {}), ...(columns ? { columns } : {}), ...(rowGroupSize ? { rowGroupSize } : {}) });
}

/** One file's sink. A file written whole (any format but plain NDJSON) is staged, so that a run directory can resume it. */
function fileSink(path: string, format: Exclude<FormatName, 'hf'>, options: FileOptions): Sink {
  if (format === 'ndjson' && outputCompression(path) === undefined) return toNdjsonFile(path);
  return stagedFile(path, (file) => plainFileSink(file, format, options));
}

type FileOptions = Pick<SinkForOptions, 'delimiter' | 'columns' | 'rowGroupSize'>;

/** One file's sink in its format, writing straight to `path`. */
function plainFileSink(path: string, format: Exclude<FormatName, 'hf'>, { delimiter, columns, rowGroupSize }: FileOptions): Sink {
  switch (format) {
    case 'json':
      return toJsonArrayFile(path);
    case 'csv':
    case 'tsv':
      return toCsvFile(path, { delimiter: delimiter ?? (format === 'tsv' ? '\t' : ','), ...(columns ? { columns } : {}) });
    case 'parquet':
      return toParquetFile(path, rowGroupSize ? { rowGroupSize } : {});
    default:
      return toNdjsonFile(path);
  }
}
