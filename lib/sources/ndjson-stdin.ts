/**
 * An NDJSON source over the process's stdin, for `sluice run … -` as a Unix filter.
 * @module
 */
import type { z } from 'zod';
import { SluiceConfigError } from '../core/errors.ts';
import type { Source } from '../core/source.ts';
import { ndjsonReadable } from './ndjson-readable.ts';
import type { Row } from '../core/row.ts';
import { checkedRows } from './checked-rows.ts';

export interface NdjsonStdinOptions<R extends object = Row> {
  /** The longest line accepted, in bytes; longer lines become failed items. Default 16 MiB. */
  maxLineBytes?: number;
  /** Checks (and types) each row; rows that do not match become failed rows. Without it, `R` is taken on trust. */
  schema?: z.ZodType<R>;
}

/**
 * Reads NDJSON from stdin; row ids are `stdin:<line>`. The pipe applies backpressure: while the
 * pipeline is busy, stdin is not read and the writer upstream blocks.
 *
 * `process.stdin` is touched only when the source is read, and, like any stream, it can be read once.
 *
 * @example
 * // cat topics.jsonl | node qa.ts > qa.jsonl
 * await pipeline('qa').from(ndjsonStdin()).pipe(generate({ llm, prompt: '…', as: 'answer' })).to(toStdout()).run();
 */
export function ndjsonStdin<R extends object = Row>({ maxLineBytes, schema }: NdjsonStdinOptions<R> = {}): Source<R> {
  if (maxLineBytes !== undefined && (!Number.isInteger(maxLineBytes) || maxLineBytes < 1)) {
    throw new SluiceConfigError(`Expected \`maxLineBytes\` to be an integer from 1 and up, got \`${maxLineBytes}\``);
  }
  let source: Source | undefined;
  const stdin: Source = {
    name: 'stdin',
    read(signal) {
      // Getting `process.stdin` sets it up; wait until a run needs it.
      source ??= ndjsonReadable(process.stdin, maxLineBytes === undefined ? { name: 'stdin' } : { name: 'stdin', maxLineBytes });
      return source.read(signal);
    },
  };
  return checkedRows(stdin, schema);
}
