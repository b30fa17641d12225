/**
 * A JSON array file sink: `[`, the rows separated by commas (one per line), `]`, as `jsonArrayFile`
 * reads and as many tools import.
 * @module
 */
import type { Sink } from '../core/sink.ts';
import { jsonArrayEncoding } from './json-array-encoding.ts';
import { NdjsonWriter } from './ndjson-writer.ts';
import { openOutputBytes } from './output-bytes.ts';
import { failedPathBeside } from './failed-path-beside.ts';

/**
 * Writes rows, whatever their leaf, as one JSON array (`.json`, or `.json.gz`/`.json.zst`). The
 * file is valid JSON once the run ends; a run cut short leaves it without its closing `]`.
 * @example
 * pipeline('p').from(ndjsonFile('qa.jsonl')).to(toJsonArrayFile('qa.json'))
 */
export function toJsonArrayFile(path: string): Sink {
  const writer = new NdjsonWriter(() => openOutputBytes(path), { createEmpty: true, ...jsonArrayEncoding() });
  return {
    name: path,
    failedPath: failedPathBeside(path),
    open: () => writer.open(),
    write: (row, _leaf, done) => writer.write(row, done),
    close: () => writer.close(),
  };
}
