/**
 * A Parquet source, on `hyparquet` (with `hyparquet-compressors` for files from other writers:
 * gzip, zstd, brotli, LZ4 as well as snappy): read one row group at a time, only the columns
 * asked for, so memory holds one row group whatever the file's size. Loaded on first read.
 * @module
 */
import { basename } from 'node:path';
import type { z } from 'zod';
import { InputNotFoundError, SluiceConfigError } from '../core/errors.ts';
import type { Row } from '../core/row.ts';
import { setOwn } from '../core/set-own.ts';
import type { Source, SourceItem } from '../core/source.ts';
import { checkedRows } from './checked-rows.ts';
import { isUrl, redactUrl } from './input-bytes.ts';

export interface ParquetFileOptions<R extends object = Row> {
  /** Names the source in row ids (`train.parquet:17`). Default: the file's basename. */
  name?: string;
  /** The columns to read (the others are never decoded). Default: all. */
  columns?: readonly string[];
  /** Checks (and types) each row; rows that do not match become failed rows. */
  schema?: z.ZodType<R>;
}

/**
 * A value as JSON holds it: 64-bit integers as numbers when exact (else as text), bytes as
 * base64, timestamps as ISO 8601 text.
 */
export function jsonValue(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  switch (typeof value) {
    case 'bigint':
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    case 'number':
      return Object.is(value, -0) ? 0 : Number.isFinite(value) ? value : null;
    case 'object':
      break;
    default:
      return value;
  }
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  // The reader made these objects and lists for this row alone: convert them in place.
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = jsonValue(value[i]);
    return value;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const inner = record[key];
    if (inner === null || typeof inner === 'string' || typeof inner === 'boolean') continue;
    if (inner === undefined) record[key] = null;
    else setOwn(record, key, jsonValue(inner));
  }
  return record;
}

/**
 * Reads a Parquet file or URL, a row group at a time. Positions are 0-based row indexes.
 * @example
 * pipeline('p').from(parquetFile<{ prompt: string }>('train.parquet', { columns: ['prompt'] })).pipe(…)
 */
export function parquetFile<R extends object = Row>(location: string, options: ParquetFileOptions<R> = {}): Source<R> {
  if (options.columns !== undefined && (!Array.isArray(options.columns) || options.columns.some((c) => typeof c !== 'string' || c === ''))) {
    throw new SluiceConfigError(`Expected \`columns\` to be a list of column names, got \`${JSON.stringify(options.columns)}\``);
  }
  const name = options.name ?? basename(isUrl(location) ? new URL(location).pathname : location);
  const source: Source = {
    name,
    ...(isUrl(location) ? {} : { path: location }),
    positions: 'index',
    ...(options.columns ? { columns: [...options.columns] } : {}),
    read: (signal) => readParquet(location, signal, options.columns),
  };
  return checkedRows(source, options.schema);
}

async function* readParquet(location: string, signal: AbortSignal, columns: readonly string[] | undefined): AsyncGenerator<SourceItem[]> {
  if (signal.aborted) return;
  const { asyncBufferFromUrl, asyncBufferFromFile } = await import('hyparquet');
  let file: Awaited<ReturnType<typeof asyncBufferFromUrl>>;
  try {
    file = isUrl(location) ? await asyncBufferFromUrl({ url: location }) : await asyncBufferFromFile(location);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new InputNotFoundError(
        `Input file \`${location}\` was not found. Check the path, and that it is relative to the working directory ${process.cwd()}.`,
        { cause: error },
      );
    throw new SluiceConfigError(`Could not open the Parquet input ${isUrl(location) ? redactUrl(location) : location}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  yield* parquetRowGroups(file, signal, columns);
}

/** A Parquet file's bytes, read in slices (a local file, a URL with range requests, a Hub blob). */
export interface ParquetBytes {
  byteLength: number;
  slice(start: number, end?: number): ArrayBuffer | Promise<ArrayBuffer>;
}

/**
 * Reads `file` a row group at a time, only `columns` (all when undefined); positions count rows
 * from `firstPosition`, for sources that read several files as one.
 */
export async function* parquetRowGroups(
  file: ParquetBytes,
  signal: AbortSignal,
  columns: readonly string[] | undefined,
  firstPosition = 0,
): AsyncGenerator<SourceItem[]> {
  const [{ parquetMetadataAsync, parquetReadObjects }, { compressors }] = await Promise.all([import('hyparquet'), import('hyparquet-compressors')]);
  const metadata = await parquetMetadataAsync(file);
  let start = 0;
  for (const group of metadata.row_groups) {
    if (signal.aborted) return;
    const end = start + Number(group.num_rows);
    const rows = (await parquetReadObjects({
      file,
      metadata,
      rowStart: start,
      rowEnd: end,
      compressors,
      ...(columns ? { columns: [...columns] } : {}),
    })) as Record<string, unknown>[];
    yield rows.map((row, i) => ({ ok: true, row: jsonValue(row) as Row, position: firstPosition + start + i }));
    start = end;
  }
}
