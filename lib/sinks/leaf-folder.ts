/**
 * A folder sink: one file per leaf (named output), like a Distiset's subsets, in any format the
 * writer can encode (NDJSON, CSV, a JSON array), compressed or not.
 * @module
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LeafConflictError } from '../core/errors.ts';
import { NdjsonWriter, type NdjsonWriterOptions } from './ndjson-writer.ts';
import { openOutputBytes } from './output-bytes.ts';
import type { Sink } from '../core/sink.ts';

export interface LeafFolderOptions {
  /** Files no leaf may write to, such as the failed-rows file when it sits in the same folder. */
  reserved?: readonly string[];
  /** The files' extension, compression included (`.jsonl`, `.csv`, `.json.gz`). Default `.jsonl`. */
  extension?: string;
  /** How each file encodes its rows (its own state per file, such as a CSV header). Default: NDJSON. */
  encoding?: (path: string) => Pick<NdjsonWriterOptions, 'encode' | 'epilogue'>;
  /** The files can be repaired line by line and appended to, so a run directory can resume them. Default true. */
  resumable?: boolean;
}

/**
 * Writes each leaf's rows to `<dir>/<leaf><extension>`. A leaf path such as `a/b` becomes
 * `a__b.jsonl` (the directory stays flat), and the unnamed leaf `''` becomes `default.jsonl`.
 * The directory is created on `open()`; each file is created on its leaf's first row, so a leaf
 * that gets no rows leaves no file. Existing files are replaced.
 *
 * @example
 * await pipeline('split').from(ndjsonFile('in.jsonl')).pipe(route({ good: isGood, bad: isBad })).to(toLeafFolder('out', { extension: '.csv', encoding: … })).run();
 */
export function toLeafFolder(dir: string, { reserved = [], extension = '.jsonl', encoding, resumable = true }: LeafFolderOptions = {}): Sink {
  const writers = new Map<string, NdjsonWriter>();
  const failedPath = join(dir, 'failed.jsonl');
  // Its own failed-rows file too: no leaf named `failed` may write over it.
  const taken = new Set([...reserved, failedPath].map((file) => resolve(file)));
  /** The leaf that owns each file: two leaves may not share one (their rows would mix). */
  const owners = new Map<string, string>();
  /** By file name: leaves that flatten to the same name (`a/b`, `a__b`) share one writer, not one file twice. */
  const byFile = new Map<string, NdjsonWriter>();
  /** Takes rows for new leaves after close(), and gives them the writer's closed-sink error. */
  let closed: NdjsonWriter | undefined;
  let appending = false;
  return {
    name: dir,
    folder: true,
    ...(resumable ? { pathFor: (leaf: string) => join(dir, `${leafFileName(leaf)}${extension}`) } : {}),
    failedPath,
    async open(options) {
      appending = options?.append === true;
      mkdirSync(dir, { recursive: true });
    },
    write(row, leaf, done) {
      let writer = writers.get(leaf) ?? closed;
      if (writer === undefined) {
        const file = `${leafFileName(leaf)}${extension}`;
        const path = join(dir, file);
        const owner = owners.get(file);
        if (taken.has(resolve(path)) || (owner !== undefined && owner !== leaf)) {
          const what = owner !== undefined && owner !== leaf ? `the rows of leaf \`${owner}\`` : 'the failed rows';
          process.nextTick(done, new LeafConflictError(`Leaf \`${leaf}\` would write to ${path}, which holds ${what}. Give the branch another name.`));
          return;
        }
        owners.set(file, leaf);
        writer = byFile.get(file);
        if (writer === undefined) {
          writer = new NdjsonWriter(() => openOutputBytes(path, { append: appending }), encoding ? encoding(path) : {});
          byFile.set(file, writer);
        }
        writers.set(leaf, writer);
      }
      writer.write(row, done);
    },
    async close() {
      if (closed === undefined) {
        // A closed writer that never gets a stream: it answers every write with the closed-sink error.
        closed = new NdjsonWriter(() => {
          throw new Error('unreachable: a closed writer makes no stream');
        });
        void closed.close();
      }
      const results = await Promise.allSettled([...byFile.values()].map((writer) => writer.close()));
      const failure = results.find((result) => result.status === 'rejected');
      if (failure) throw failure.reason;
    },
  };
}

/** The file name of a leaf: `a/b` becomes `a__b`, the unnamed leaf `default`. */
export function leafFileName(leaf: string): string {
  if (leaf === '') return 'default';
  // No separators survive, so a leaf can never name a file outside `dir`.
  return leaf.replaceAll('/', '__').replaceAll('\\', '__');
}
