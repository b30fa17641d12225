/**
 * A folder sink made of one sink per leaf (`<dir>/<leaf><extension>`), for formats whose files are
 * not a stream of records (Parquet, CSV, JSON arrays, compressed files): each leaf's sink is made
 * and opened on its first row. With a run directory, make each leaf's sink a `stagedFile`: a
 * resumed run then rebuilds every leaf's file from its line copy, whether or not the leaf gets new
 * rows, and removes the files that have no copy (their records are done again).
 * @module
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LeafConflictError } from '../core/errors.ts';
import type { Sink, SinkOpenOptions } from '../core/sink.ts';
import { stagingPaths } from '../core/staging-paths.ts';
import { leafFileName } from './leaf-folder.ts';
import { OpeningSink } from './opening-sink.ts';

export function toSinkPerLeaf(dir: string, extension: string, make: (path: string) => Sink): Sink {
  const sinks = new Map<string, OpeningSink>();
  /** The leaf that owns each file: leaves that flatten to one name (`a/b`, `a__b`) may not mix their rows. */
  const owners = new Map<string, string>();
  let opening: SinkOpenOptions = {};
  const sinkOf = (file: string) => {
    let sink = sinks.get(file);
    if (!sink) sinks.set(file, (sink = new OpeningSink(make(join(dir, file)), opening)));
    return sink;
  };
  /** The leaf files a resumed run found copies of: rebuilt at the end if no row comes for them. */
  const copied: string[] = [];
  return {
    name: dir,
    folder: true,
    failedPath: join(dir, 'failed.jsonl'),
    // With a run directory, a leaf's rows are counted in its file's line copy.
    pathFor: (leaf) => {
      const path = join(dir, `${leafFileName(leaf)}${extension}`);
      return opening.staging === undefined ? path : stagingPaths.file(opening.staging, path);
    },
    async open(options) {
      mkdirSync(dir, { recursive: true });
      opening = { ...(options?.append ? { append: true } : {}), ...(options?.staging !== undefined ? { staging: options.staging } : {}) };
      if (!opening.append || opening.staging === undefined) return;
      const copies = stagingPaths.folder(opening.staging, dir);
      const held = existsSync(copies) ? readdirSync(copies).map((name) => name.replace(/\.jsonl$/, '')) : [];
      copied.push(...held.filter((file) => file.endsWith(extension)));
      for (const file of readdirSync(dir)) {
        if (file.startsWith('.writing-') || (file.endsWith(extension) && !held.includes(file))) rmSync(join(dir, file), { force: true });
      }
    },
    write(row, leaf, done) {
      const file = `${leafFileName(leaf)}${extension}`;
      const owner = owners.get(file);
      if (owner !== undefined && owner !== leaf) {
        process.nextTick(
          done,
          new LeafConflictError(`Leaf \`${leaf}\` would write to ${join(dir, file)}, which holds the rows of leaf \`${owner}\`. Give the branch another name.`),
        );
        return;
      }
      owners.set(file, leaf);
      sinkOf(file).write(row, leaf, done);
    },
    async close() {
      for (const file of copied) sinkOf(file);
      const results = await Promise.allSettled([...sinks.values()].map((sink) => sink.close()));
      const failure = results.find((result) => result.status === 'rejected');
      if (failure) throw failure.reason;
    },
  };
}
