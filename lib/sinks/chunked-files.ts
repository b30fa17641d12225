/**
 * A folder sink that starts a new file every `chunkSize` rows of a leaf, as datasets are shared
 * (`part-00000-of-00004.parquet`): while the run goes, a leaf's files are `<name>-00000<ext>`,
 * `<name>-00001<ext>`…; at the end, when their count is known, each gets its `-of-<count>`.
 * @module
 */
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SluiceConfigError } from '../core/errors.ts';
import type { Sink } from '../core/sink.ts';
import { leafFileName } from './leaf-folder.ts';
import { OpeningSink } from './opening-sink.ts';

export interface ChunkedFilesOptions {
  /** Rows per file. */
  chunkSize: number;
  /** The files' extension (`.jsonl`, `.parquet`, `.csv.gz`). */
  extension: string;
  /** Makes the sink of one file. */
  make: (path: string) => Sink;
  /** A leaf's files' path in the folder, before `-00000`: default `part` for the unnamed leaf, else the leaf's name. */
  stem?: (leaf: string) => string;
}

const index = (n: number) => String(n).padStart(5, '0');

/** The unnamed leaf's files are `part-…`; a leaf `a/b`'s are `a__b-…`. */
const baseName = (leaf: string) => (leaf === '' || leaf === 'default' ? 'part' : leafFileName(leaf));

export function toChunkedFiles(dir: string, { chunkSize, extension, make, stem = baseName }: ChunkedFilesOptions): Sink {
  if (!Number.isInteger(chunkSize) || chunkSize < 1)
    throw new SluiceConfigError(`Expected \`chunkSize\` to be an integer from 1 and up, got \`${String(chunkSize)}\``);
  interface Leaf {
    rows: number;
    files: string[];
    current?: OpeningSink;
  }
  const leaves = new Map<string, Leaf>();
  const closing: Promise<void>[] = [];
  return {
    name: dir,
    failedPath: join(dir, 'failed.jsonl'),
    async open() {
      mkdirSync(dir, { recursive: true });
    },
    write(row, leaf, done) {
      const name = stem(leaf);
      let state = leaves.get(name);
      if (!state) leaves.set(name, (state = { rows: 0, files: [] }));
      if (state.current === undefined || state.rows % chunkSize === 0) {
        // The previous chunk is full: close it (its rows' dones come from its own writes).
        if (state.current) closing.push(state.current.close());
        const path = join(dir, `${name}-${index(state.files.length)}${extension}`);
        const first = state.files.length === 0;
        state.files.push(path);
        // A leaf's files may sit in a folder of their own (`<config>/train-00000.parquet`).
        state.current = new OpeningSink(make(path), first ? () => mkdir(dirname(path), { recursive: true }) : undefined);
      }
      state.rows++;
      state.current.write(row, leaf, done);
    },
    async close() {
      for (const state of leaves.values()) {
        if (state.current) closing.push(state.current.close());
      }
      const results = await Promise.allSettled(closing);
      const failure = results.find((result) => result.status === 'rejected');
      if (failure) throw failure.reason;
      // The count is known: name each file with it.
      for (const state of leaves.values()) {
        const count = index(state.files.length);
        for (const [i, path] of state.files.entries()) {
          // A file whose open failed (its rows were told) was never made.
          if (!existsSync(path)) continue;
          renameSync(path, path.replace(new RegExp(`-${index(i)}${extension.replace(/\./g, '\\.')}$`), `-${index(i)}-of-${count}${extension}`));
        }
      }
    },
  };
}
