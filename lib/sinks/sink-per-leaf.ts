/**
 * A folder sink made of one sink per leaf (`<dir>/<leaf><extension>`), for formats whose files are
 * not a stream of records (Parquet): each leaf's sink is made and opened on its first row.
 * @module
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LeafConflictError } from '../core/errors.ts';
import type { Sink } from '../core/sink.ts';
import { leafFileName } from './leaf-folder.ts';
import { OpeningSink } from './opening-sink.ts';

export function toSinkPerLeaf(dir: string, extension: string, make: (path: string) => Sink): Sink {
  const sinks = new Map<string, OpeningSink>();
  /** The leaf that owns each file: leaves that flatten to one name (`a/b`, `a__b`) may not mix their rows. */
  const owners = new Map<string, string>();
  return {
    name: dir,
    failedPath: join(dir, 'failed.jsonl'),
    async open() {
      mkdirSync(dir, { recursive: true });
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
      let sink = sinks.get(file);
      if (!sink) sinks.set(file, (sink = new OpeningSink(make(join(dir, file)))));
      sink.write(row, leaf, done);
    },
    async close() {
      const results = await Promise.allSettled([...sinks.values()].map((sink) => sink.close()));
      const failure = results.find((result) => result.status === 'rejected');
      if (failure) throw failure.reason;
    },
  };
}
