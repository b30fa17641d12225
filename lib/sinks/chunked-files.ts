/**
 * A folder sink that starts a new file every `chunkSize` rows of a leaf, as datasets are shared.
 * A leaf's files are `<name>-00000<ext>`, `<name>-00001<ext>`…; files written whole (Parquet, a
 * JSON array) are renamed `<name>-00000-of-00004<ext>` at the end, when their count is known.
 * NDJSON files keep their streaming names and can be resumed from a run directory: a resumed run
 * fills each leaf's short files (the repair of a killed run may have shortened any of them) before
 * it starts a new one, so every file but the last holds exactly `chunkSize` rows.
 *
 * Files written whole resume the same way through their line copies in the run directory's
 * staging folder (see `stagedFile`): the copies are what a resume counts and refills. A chunk
 * whose copy is full keeps its file; one whose copy the repair shortened (or whose file was never
 * renamed into place) is written again from its copy, then filled; a file with no copy left
 * belongs to records the repair gave back to the run, and is removed.
 * @module
 */
import { createReadStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { SluiceConfigError } from '../core/errors.ts';
import type { Sink } from '../core/sink.ts';
import { stagingPaths } from '../core/staging-paths.ts';
import { leafFileName } from './leaf-folder.ts';
import { OpeningSink } from './opening-sink.ts';
import { stagedFile } from './staged-file.ts';

export interface ChunkedFilesOptions {
  /** Rows per file. */
  chunkSize: number;
  /** The files' extension (`.jsonl`, `.parquet`, `.csv.gz`). */
  extension: string;
  /** Makes the sink of one file. */
  make: (path: string) => Sink;
  /** A leaf's files' path in the folder, before `-00000`: default `part` for the unnamed leaf, else the leaf's name. */
  stem?: (leaf: string) => string;
  /** The files are lines that a run directory can repair and append to (uncompressed NDJSON); else they are staged (`stagedFile`). */
  resumable?: boolean;
}

const index = (n: number) => String(n).padStart(5, '0');
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The unnamed leaf's files are `part-…`; a leaf `a/b`'s are `a__b-…`. */
const baseName = (leaf: string) => (leaf === '' || leaf === 'default' ? 'part' : leafFileName(leaf));

/** The lines a file holds (a repaired file ends with a whole line); none when it is not there. */
async function lineCount(path: string): Promise<number> {
  if (!existsSync(path)) return 0;
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
  /** This run made its sink. */
  opened?: boolean;
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
  /** The run directory's staging folder, when the files are staged (written whole, with a run directory). */
  let staging: string | undefined;
  const chunkFile = new RegExp(`^(.+)-(\\d{5})(-of-\\d{5})?${escaped(extension)}$`);
  /** The chunk files in `dir` and its subfolders (a dataset folder's `<config>/`), with their stem and index; hidden files are not chunks. */
  const chunkFiles = () =>
    (readdirSync(dir, { recursive: true }) as string[]).flatMap((file) => {
      const match = chunkFile.exec(file);
      const parts = file.split(/[\\/]/);
      return match && parts.length <= 2 && !parts.at(-1)!.startsWith('.')
        ? [{ file, stem: match[1]!.replaceAll('\\', '/'), n: Number(match[2]), final: match[3] !== undefined }]
        : [];
    });
  /** The file a chunk's rows are counted in: the chunk itself (NDJSON), or its staged copy. */
  const linesOf = (path: string) => (staging === undefined ? path : stagingPaths.file(staging, path));
  /** A chunk's streaming name, from any of its names. */
  const streamingName = (file: string) => file.replace(new RegExp(`-of-\\d{5}${escaped(extension)}$`), extension);

  const stateOf = (name: string): Leaf => {
    let state = leaves.get(name);
    if (!state) {
      const chunks = found.get(name) ?? [];
      leaves.set(name, (state = { chunks, fill: 0, next: chunks.length === 0 ? 0 : Number(/-(\d{5})[^/]*$/.exec(chunks.at(-1)!.path)![1]) + 1 }));
    }
    while (state.fill < state.chunks.length && state.chunks[state.fill]!.rows >= chunkSize) state.fill++;
    return state;
  };
  const leafOf = (leaf: string): Leaf => stateOf(stem(leaf));
  /** The chunk the next row of `state` goes to: the first with room, else a new file (not yet added). */
  const target = (name: string, state: Leaf): Chunk =>
    state.chunks[state.fill] ?? { path: join(dir, `${name}-${index(state.next)}${extension}`), rows: 0, existed: false };
  /** The sink of one chunk file, opened (to add to what it held, for a resumed run) as it is made. */
  const chunkSink = (chunk: Chunk, prepare?: () => Promise<unknown>) =>
    new OpeningSink(resumable ? make(chunk.path) : stagedFile(chunk.path, make), {
      prepare,
      append: chunk.existed,
      ...(staging !== undefined ? { staging } : {}),
    });

  /**
   * A resumed run of staged files: its chunks are the copies in the staging folder. A full copy
   * keeps its file (renamed back to its streaming name); any other file is removed, to be written
   * again from its copy.
   */
  async function findStaged(copies: string): Promise<void> {
    const onDisk = new Map(chunkFiles().map(({ file }) => [streamingName(file), file]));
    const folders = [
      dir,
      ...readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
        .map((entry) => join(dir, entry.name)),
    ];
    const staged: { file: string; stem: string; n: number }[] = [];
    for (const folder of folders) {
      const held = stagingPaths.folder(copies, folder);
      if (!existsSync(held)) continue;
      for (const name of readdirSync(held)) {
        const file = relative(dir, join(folder, name.replace(/\.jsonl$/, '')));
        const match = chunkFile.exec(file);
        if (name.endsWith('.jsonl') && match && match[3] === undefined) staged.push({ file, stem: match[1]!.replaceAll('\\', '/'), n: Number(match[2]) });
      }
    }
    for (const { file, stem: name } of staged.sort((a, b) => a.n - b.n)) {
      const path = join(dir, file);
      const rows = await lineCount(stagingPaths.file(copies, path));
      const present = onDisk.get(file);
      onDisk.delete(file);
      if (present !== undefined && rows >= chunkSize) {
        if (present !== file) renameSync(join(dir, present), path);
      } else if (present !== undefined) {
        rmSync(join(dir, present));
      }
      const chunks = found.get(name) ?? [];
      found.set(name, chunks);
      chunks.push({ path, rows, existed: true });
    }
    // No copy: the repair gave its records back to the run, which writes their rows again.
    for (const file of onDisk.values()) rmSync(join(dir, file));
    for (const folder of folders) {
      for (const name of readdirSync(folder)) if (name.startsWith('.writing-')) rmSync(join(folder, name), { force: true });
    }
  }

  return {
    name: dir,
    folder: true,
    failedPath: join(dir, 'failed.jsonl'),
    // Where the leaf's next row goes: its chunk, or the chunk's staged copy (what the run directory repairs).
    pathFor: (leaf: string) => linesOf(target(stem(leaf), leafOf(leaf)).path),
    async open(options) {
      mkdirSync(dir, { recursive: true });
      staging = resumable ? undefined : options?.staging;
      if (options?.append && staging !== undefined) await findStaged(staging);
      else
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
        state.current = { chunk, sink: chunkSink(chunk, prepare) };
        chunk.opened = true;
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
      if (staging !== undefined) {
        // Chunks a resumed run found but wrote no row to: those whose file was removed are written again from their copies.
        for (const name of found.keys()) stateOf(name);
        for (const state of leaves.values()) {
          for (const chunk of state.chunks) if (!chunk.opened && chunk.rows > 0 && !existsSync(chunk.path)) await chunkSink(chunk).close();
        }
      }
      // The count is known: name each file with it (a last chunk left with no row has no file, and does not count).
      for (const state of leaves.values()) {
        while (state.chunks.length > 0 && state.chunks.at(-1)!.rows === 0 && !existsSync(state.chunks.at(-1)!.path)) state.chunks.pop();
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
