/**
 * An NDJSON source over any Node Readable: a socket, a child's stdout, a decompression stream.
 * @module
 */
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import { SluiceConfigError } from '../core/errors.ts';
import { ndjsonLines } from './ndjson-lines.ts';
import type { Source, SourceItem } from '../core/source.ts';
import type { Row } from '../core/row.ts';
import { checkedRows } from './checked-rows.ts';

export interface NdjsonReadableOptions<R extends object = Row> {
  /** Names the source in row ids (`stream:17`) and in the summary. Default `'stream'`. */
  name?: string;
  /** The longest line accepted, in bytes; longer lines become failed items. Default 16 MiB. */
  maxLineBytes?: number;
  /** Checks (and types) each row; rows that do not match become failed rows. Without it, `R` is taken on trust. */
  schema?: z.ZodType<R>;
}

/**
 * Reads NDJSON from a Node Readable, one batch per chunk the stream gives, positions being line numbers.
 *
 * A Readable can be read once: a second `read()` fails with a `SluiceConfigError`.
 * When the signal aborts, the stream is destroyed and the reading ends without an error,
 * so the pipeline can drain what it already has. Breaking out of the loop destroys it too.
 *
 * @example
 * const child = spawn('zcat', ['big.jsonl.gz']);
 * await pipeline('unzip').from(ndjsonReadable(child.stdout, { name: 'big' })).to(toNdjsonFile('out.jsonl')).run();
 */
export function ndjsonReadable<R extends object = Row>(
  readable: Readable,
  { name = 'stream', maxLineBytes, schema }: NdjsonReadableOptions<R> = {},
): Source<R> {
  if (maxLineBytes !== undefined && (!Number.isInteger(maxLineBytes) || maxLineBytes < 1)) {
    throw new SluiceConfigError(`Expected \`maxLineBytes\` to be an integer from 1 and up, got \`${maxLineBytes}\``);
  }
  let used = false;
  const source: Source = {
    name,
    read(signal) {
      const first = !used;
      used = true;
      return readNdjsonStream(readable, signal, name, first, maxLineBytes);
    },
  };
  return checkedRows(source, schema);
}

async function* readNdjsonStream(
  readable: Readable,
  signal: AbortSignal,
  name: string,
  first: boolean,
  maxLineBytes: number | undefined,
): AsyncGenerator<SourceItem[]> {
  if (!first) {
    throw new SluiceConfigError(`Source \`${name}\` was already read, and a stream can be read only once. Make a new source for each run.`);
  }
  if (signal.aborted) {
    readable.destroy();
    return;
  }
  // Destroying the stream wakes a read that is waiting for data (stdin may wait forever).
  const onAbort = () => readable.destroy();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const batch of ndjsonLines(readable, maxLineBytes === undefined ? {} : { maxLineBytes })) {
      if (signal.aborted) return;
      yield batch;
    }
  } catch (error) {
    // An abort ends the iteration with a premature-close error: that is the end we asked for.
    if (signal.aborted) return;
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
    readable.destroy();
  }
}
