/**
 * An NDJSON file sink: every leaf's rows go to one file.
 * @module
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { NdjsonWriter } from './ndjson-writer.ts';
import type { Sink } from '../core/sink.ts';

export interface ToNdjsonFileOptions {
  /** Add to the end of an existing file instead of replacing it. Default false. */
  append?: boolean;
}

/**
 * Writes every row, whatever its leaf, as one line of `path`. Parent directories are created.
 * The file is created (or emptied) on `open()`, so an unwritable path fails before the run,
 * and a run with no rows still leaves an empty file, as `> out.jsonl` would.
 * Writes are batched (~64 KiB) and honour backpressure; see `NdjsonWriter`.
 *
 * @example
 * await pipeline('qa').from(ndjsonFile('topics.jsonl')).pipe(…).to(toNdjsonFile('out/qa.jsonl')).run();
 */
export function toNdjsonFile(path: string, { append = false }: ToNdjsonFileOptions = {}): Sink {
  let appending = append;
  const writer = new NdjsonWriter(
    function openNdjsonFile() {
      mkdirSync(dirname(path), { recursive: true });
      return createWriteStream(path, { flags: appending ? 'a' : 'w' });
    },
    { createEmpty: true },
  );
  return {
    name: path,
    pathFor: () => path,
    // `out/qa.jsonl` → `out/qa.failed.jsonl`, as the CLI places them.
    failedPath: join(dirname(path), `${basename(path, extname(path))}.failed.jsonl`),
    open: (options) => {
      if (options?.append) appending = true;
      return writer.open();
    },
    write: (row, _leaf, done) => writer.write(row, done),
    close: () => writer.close(),
  };
}
