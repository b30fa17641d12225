/**
 * An NDJSON file sink: every leaf's rows go to one file.
 * @module
 */
import { NdjsonWriter } from './ndjson-writer.ts';
import { openOutputBytes, outputCompression } from './output-bytes.ts';
import type { Sink } from '../core/sink.ts';
import { failedPathBeside } from './failed-path-beside.ts';

export interface ToNdjsonFileOptions {
  /** Add to the end of an existing file instead of replacing it. Default false. */
  append?: boolean;
}

/**
 * Writes every row, whatever its leaf, as one line of `path` (`.jsonl.gz`, `.jsonl.zst`: compressed).
 * Parent directories are created.
 * The file is created (or emptied) on `open()`, so an unwritable path fails before the run,
 * and a run with no rows still leaves an empty file, as `> out.jsonl` would.
 * Writes are batched (~64 KiB) and honour backpressure; see `NdjsonWriter`.
 *
 * @example
 * await pipeline('qa').from(ndjsonFile('topics.jsonl')).pipe(…).to(toNdjsonFile('out/qa.jsonl')).run();
 */
export function toNdjsonFile(path: string, { append = false }: ToNdjsonFileOptions = {}): Sink {
  let appending = append;
  const writer = new NdjsonWriter(() => openOutputBytes(path, { append: appending }), { createEmpty: true });
  // A compressed file cannot be repaired line by line for a resume, so it names no file to repair.
  const resumable = outputCompression(path) === undefined;
  return {
    name: path,
    ...(resumable ? { pathFor: () => path } : {}),
    // `out/qa.jsonl` → `out/qa.failed.jsonl`, as the CLI places them.
    failedPath: failedPathBeside(path),
    open: (options) => {
      if (options?.append) appending = true;
      return writer.open();
    },
    write: (row, _leaf, done) => writer.write(row, done),
    close: () => writer.close(),
  };
}
