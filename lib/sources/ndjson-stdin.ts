/**
 * An NDJSON source over the process's stdin, for `sluice run … -` as a Unix filter.
 * @module
 */
import { SluiceConfigError } from '../core/errors.ts';
import type { Source } from '../core/source.ts';
import { ndjsonReadable } from './ndjson-readable.ts';

export interface NdjsonStdinOptions {
  /** The longest line accepted, in bytes; longer lines become failed items. Default 16 MiB. */
  maxLineBytes?: number;
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
export function ndjsonStdin({ maxLineBytes }: NdjsonStdinOptions = {}): Source {
  if (maxLineBytes !== undefined && (!Number.isInteger(maxLineBytes) || maxLineBytes < 1)) {
    throw new SluiceConfigError(`Expected \`maxLineBytes\` to be an integer from 1 and up, got \`${maxLineBytes}\``);
  }
  let source: Source | undefined;
  return {
    name: 'stdin',
    read(signal) {
      // Getting `process.stdin` sets it up; wait until a run needs it.
      source ??= ndjsonReadable(process.stdin, maxLineBytes === undefined ? { name: 'stdin' } : { name: 'stdin', maxLineBytes });
      return source.read(signal);
    },
  };
}
