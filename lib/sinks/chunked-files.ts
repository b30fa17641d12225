/**
 * A folder sink that starts a new file every `chunkSize` rows of a leaf, as datasets are shared.
 * A leaf's files are `<name>-00000<ext>`, `<name>-00001<ext>`…; files written whole (Parquet, a
 * JSON array) are renamed `<name>-00000-of-00004<ext>` at the end, when their count is known.
 * NDJSON files keep their streaming names and can be resumed from a run directory: a resumed run
 * fills each leaf's short files (the repair of a killed run may have shortened any of them) before
 * it starts a new one, so every file but the last holds exactly `chunkSize` rows.
 * @module
 */
import { createReadStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
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
  /** The files are lines that a run directory can repair and append to (uncompressed NDJSON). */
  resumable?: boolean;
}

const index = (n: number) => String(n).padStart(5, '0');
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The unnamed leaf's files are `part-…`; a leaf `a/b`'s are `a__b-…`. */
const baseName = (leaf: string) => (leaf === '' || leaf === 'default' ? 'part' : leafFileName(leaf));

/** The lines a file holds (a repaired file ends with a whole line). */
async function lineCount(path: string): Promise<number> {
  let count = 0;
  for await (const chunk of createReadStream(path)) {
    for (let at = (chunk as Buffer).indexOf(10); at !== -1; at = (chunk as Buffer).indexOf(10, at + 1)) count++;
  }
  return count;
}

interface Chunk {
  path: string;
  rows: number;
  /** It held rows before this run (a resumed run appends to it). */
  existed: boolean;
}

interface Leaf {
  chunks: Chunk[];
  /** Chunks before this one are full. */
  fill: number;
  /** The index the next new file gets. */
  next: number;
  current?: { chunk: Chunk; sink: OpeningSink };
}

export function toChunkedFiles(dir: string, { chunkSize, extension, make, stem = baseName, resumable = false }: ChunkedFilesOptions): Sink {
  if (!Number.isInteger(chunkSize) || chunkSize < 1)
    throw new SluiceConfigError(`Expected \`chunkSize\` to be an integer from 1 and up, got \`${String(chunkSize)}\``);
  const leaves = new Map<string, Leaf>();
  /** What a resumed run found: each stem's files, in order. */
  const found = new Map<string, Chunk[]>();
  const closing: Promise<void>[] = [];
  const chunkFile = new RegExp(`^(.+)-(\\d{5})(-of-\\d{5})?${escaped(extension)}$`);
  /** The chunk files in `dir` and its subfolders (a dataset folder's `<config>/`), with their stem and index. */
  const chunkFiles = () =>
    (readdirSync(dir, { recursive: true }) as string[]).flatMap((file) => {
      const match = chunkFile.exec(file);
      return match && file.split(/[\\/]/).length <= 2 ? [{ file, stem: match[1]!, n: Number(match[2]), final: match[3] !== undefined }] : [];
    });

  const leafOf = (leaf: string): Leaf => {
    const name = stem(leaf);
    let state = leaves.get(name);
    if (!state) {
      const chunks = found.get(name) ?? [];
      leaves.set(name, (state = { chunks, fill: 0, next: chunks.length === 0 ? 0 : Number(/-(\d{5})[^/]*$/.exec(chunks.at(-1)!.path)![1]) + 1 }));
    }
    while (state.fill < state.chunks.length && state.chunks[state.fill]!.rows >= chunkSize) state.fill++;
    return state;
  };
  /** The chunk the next row of `state` goes to: the first with room, else a new file (not yet added). */
  const target = (name: string, state: Leaf): Chunk =>
    state.chunks[state.fill] ?? { path: join(dir, `${name}-${index(state.next)}${extension}`), rows: 0, existed: false };

  return {
    name: dir,
    failedPath: join(dir, 'failed.jsonl'),
    ...(resumable ? { pathFor: (leaf: string) => target(stem(leaf), leafOf(leaf)).path } : {}),
    async open(options) {
      mkdirSync(dir, { recursive: true });
      for (const { file, stem: name, final } of chunkFiles().sort((a, b) => a.n - b.n)) {
        const path = join(dir, file);
        if (options?.append && resumable && !final) {
          const chunks = found.get(name) ?? [];
          found.set(name, chunks);
          chunks.push({ path, rows: await lineCount(path), existed: true });
        } else {
          // A fresh run: files an earlier run left here would mix with this run's.
          rmSync(path);
          const folder = dirname(path);
          if (resolve(folder) !== resolve(dir) && readdirSync(folder).length === 0) rmSync(folder, { recursive: true });
        }
      }
      // `pathFor` may have been asked before the files were found (to record the outputs).
      leaves.clear();
    },
    write(row, leaf, done) {
      const name = stem(leaf);
      const state = leafOf(leaf);
      const chunk = target(name, state);
      if (state.current?.chunk !== chunk) {
        // Its chunk is full: close it (its rows' dones come from its own writes).
        if (state.current) closing.push(state.current.sink.close());
        if (!chunk.existed && state.chunks[state.fill] !== chunk) {
          state.chunks.push(chunk);
          state.next++;
        }
        // A leaf's files may sit in a folder of their own (`<config>/train-00000.parquet`).
        const prepare = state.current === undefined ? () => mkdir(dirname(chunk.path), { recursive: true }) : undefined;
        state.current = { chunk, sink: new OpeningSink(make(chunk.path), { prepare, append: chunk.existed }) };
      }
      chunk.rows++;
      state.current.sink.write(row, leaf, done);
    },
    async close() {
      for (const state of leaves.values()) {
        if (state.current) closing.push(state.current.sink.close());
      }
      const results = await Promise.allSettled(closing);
      const failure = results.find((result) => result.status === 'rejected');
      if (failure) throw failure.reason;
      if (resumable) return; // Streaming names for good: a resume finds its files by them.
      // The count is known: name each file with it.
      for (const state of leaves.values()) {
        const count = index(state.chunks.length);
        for (const [i, { path }] of state.chunks.entries()) {
          // A file whose open failed (its rows were told) was never made.
          if (!existsSync(path)) continue;
          renameSync(path, path.replace(new RegExp(`-${index(i)}${escaped(extension)}$`), `-${index(i)}-of-${count}${extension}`));
        }
      }
    },
  };
}
