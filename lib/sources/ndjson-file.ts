/**
 * An NDJSON file source: streamed in 1 MiB chunks, so memory stays flat whatever the file's size.
 * @module
 */
import { basename } from 'node:path';
import { SluiceConfigError } from '../core/errors.ts';
import { ndjsonReadable } from './ndjson-readable.ts';
import type { z } from 'zod';
import type { Row } from '../core/row.ts';
import type { Source, SourceItem } from '../core/source.ts';
import { checkedRows } from './checked-rows.ts';
import { openInputBytes } from './input-bytes.ts';

export interface NdjsonFileOptions<R extends object = Row> {
  /** Names the source in row ids (`topics.jsonl:17`) and in the summary. Default: the file's basename. */
  name?: string;
  /** The longest line accepted, in bytes; longer lines become failed items. Default 16 MiB. */
  maxLineBytes?: number;
  /** Checks (and types) each row; rows that do not match become failed rows. Without it, `R` is taken on trust. */
  schema?: z.ZodType<R>;
}

/**
 * Reads a file of newline-delimited JSON objects. Positions are 1-based line numbers; bad lines
 * become failed items (see `ndjsonLines`). Each `read()` opens the file again and starts from the top.
 * A missing file fails the read with a `SluiceError` coded `SLUICE_INPUT_NOT_FOUND`.
 * When the signal aborts, the file is closed and the reading ends without an error.
 *
 * @example
 * const qa = pipeline('qa').from(ndjsonFile<{ topic: string }>('topics.jsonl')).pipe(…).to(toNdjsonFile('qa.jsonl'));
 * // Checked as well as typed: ndjsonFile('topics.jsonl', { schema: z.object({ topic: z.string() }) })
 */
export function ndjsonFile<R extends object = Row>(path: string, { name = basename(path), maxLineBytes, schema }: NdjsonFileOptions<R> = {}): Source<R> {
  if (maxLineBytes !== undefined && (!Number.isInteger(maxLineBytes) || maxLineBytes < 1)) {
    throw new SluiceConfigError(`Expected \`maxLineBytes\` to be an integer from 1 and up, got \`${maxLineBytes}\``);
  }
  const options = maxLineBytes === undefined ? { name } : { name, maxLineBytes };
  const source: Source = {
    name,
    path,
    read(signal) {
      return readNdjsonFile(path, signal, options);
    },
  };
  return checkedRows(source, schema);
}

async function* readNdjsonFile(path: string, signal: AbortSignal, options: { name: string; maxLineBytes?: number }): AsyncGenerator<readonly SourceItem[]> {
  if (signal.aborted) return;
  yield* ndjsonReadable(openInputBytes(path, signal), options).read(signal);
}
