/**
 * A folder sink made of one sink per leaf (`<dir>/<leaf><extension>`), for formats whose files are
 * not a stream of records (Parquet): each leaf's sink is made and opened on its first row.
 * @module
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Sink } from '../core/sink.ts';
import { leafFileName } from './leaf-folder.ts';

export function toSinkPerLeaf(dir: string, extension: string, make: (path: string) => Sink): Sink {
  const sinks = new Map<string, { sink: Sink; opened: Promise<void> }>();
  return {
    name: dir,
    failedPath: join(dir, 'failed.jsonl'),
    async open() {
      mkdirSync(dir, { recursive: true });
    },
    write(row, leaf, done) {
      const file = `${leafFileName(leaf)}${extension}`;
      let entry = sinks.get(file);
      if (!entry) {
        const sink = make(join(dir, file));
        entry = { sink, opened: sink.open ? sink.open() : Promise.resolve() };
        sinks.set(file, entry);
      }
      const { sink, opened } = entry;
      opened.then(
        () => sink.write(row, leaf, done),
        (error: Error) => done(error),
      );
    },
    async close() {
      const results = await Promise.allSettled(
        [...sinks.values()].map(async ({ sink, opened }) => {
          await opened.catch(() => {});
          await sink.close();
        }),
      );
      const failure = results.find((result) => result.status === 'rejected');
      if (failure) throw failure.reason;
    },
  };
}
