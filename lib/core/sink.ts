/**
 * The contract every sink meets. `write` queues a row; `done` is called once the row has been
 * handed to the OS (after the stream's write callback, honouring `drain`). The pipeline releases
 * the row's permit in `done`, so a slow sink slows the source and memory stays bounded.
 * @module
 */
import type { Row } from './row.ts';

export interface SinkOpenOptions {
  append?: boolean;
  staging?: string;
}

export interface Sink {
  readonly name: string;
  /** The sink writes files into the folder `name` (one per leaf, or chunks), not one file. */
  readonly folder?: boolean;
  /**
   * Called once before the first write. `append`: keep what the files already hold (a resumed run).
   * `staging`: the run directory's staging folder (see `stagingPaths`), given whenever a run
   * directory records the run: a sink whose files cannot be repaired line by line keeps a line copy
   * of each file there, and names that copy in `pathFor`.
   */
  open?(options?: SinkOpenOptions): Promise<void>;
  /** The line file a leaf's next row goes to, for sinks that write files (resume repairs those files, line by line). */
  pathFor?(leaf: string): string | undefined;
  /** Where this sink's failed rows go unless told otherwise: beside its file (`out.failed.jsonl`), or in its folder. */
  readonly failedPath?: string;
  /** Queues one row for the leaf (named output) `leaf`. Must not throw for I/O errors: pass them to `done`. */
  write(row: Row, leaf: string, done: (error?: Error | null) => void): void;
  /** Flushes, waits for every pending `done`, and releases the underlying resource. */
  close(): Promise<void>;
}
