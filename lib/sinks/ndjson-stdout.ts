/**
 * The stdout sink: NDJSON alone on stdout, for `sluice run … -` as a Unix filter.
 * @module
 */
import { NdjsonWriter } from './ndjson-writer.ts';
import type { WritableLike } from './ndjson-writer.ts';
import type { Sink } from '../core/sink.ts';

export interface ToStdoutOptions {
  /** The stream to write to. Default `process.stdout`; tests and `process.stderr` users pass their own. */
  stream?: WritableLike;
}

/**
 * Writes every row, whatever its leaf, as one line on stdout. `close()` waits for pending writes but
 * does not end stdout, so the program can still print after the run. When the reader goes away
 * (`… | head`), the EPIPE goes to the pending rows' `done`s instead of crashing the process.
 *
 * @example
 * // cat topics.jsonl | node qa.ts | jq .answer
 * await pipeline('qa').from(ndjsonStdin()).pipe(…).to(toStdout()).run();
 */
export function toStdout({ stream }: ToStdoutOptions = {}): Sink {
  const writer = new NdjsonWriter(() => stream ?? process.stdout, { end: false });
  return {
    name: 'stdout',
    write: (row, _leaf, done) => writer.write(row, done),
    close: () => writer.close(),
  };
}
