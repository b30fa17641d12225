/**
 * The failed-rows sink: one NDJSON line per row that could not be read or processed.
 * @module
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { NdjsonWriter } from './ndjson-writer.ts';
import type { Sink } from '../core/sink.ts';

/**
 * Writes failed rows to `path` as NDJSON, whatever their leaf. The file (and its parent directories)
 * is created on the first failed row, so a clean run leaves no empty `failed.jsonl` behind;
 * an existing file is replaced then.
 *
 * @example
 * await pipeline('qa').from(ndjsonFile('in.jsonl')).pipe(…).to(toNdjsonFile('out.jsonl')).failedTo(toFailedFile('out/failed.jsonl')).run();
 */
export function toFailedFile(path: string, { append = false }: { append?: boolean } = {}): Sink & { readonly path: string } {
  // `append`: always add to the file (several runs may share it); else only when a run resumes.
  let appending = append;
  const writer = new NdjsonWriter(function openFailedFile() {
    mkdirSync(dirname(path), { recursive: true });
    return createWriteStream(path, { flags: appending ? 'a' : 'w' });
  });
  return {
    name: path,
    path,
    pathFor: () => path,
    async open(options) {
      appending = append || options?.append === true;
    },
    write: (row, _leaf, done) => writer.write(row, done),
    close: () => writer.close(),
  };
}
