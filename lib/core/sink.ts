/**
 * The contract every sink meets. `write` queues a row; `done` is called once the row has been
 * handed to the OS (after the stream's write callback, honouring `drain`). The pipeline releases
 * the row's permit in `done`, so a slow sink slows the source and memory stays bounded.
 * @module
 */
import type { Row } from './row.ts';

export interface Sink {
  readonly name: string;
  /** Called once before the first write. `append`: keep what the files already hold (a resumed run). */
  open?(options?: { append?: boolean }): Promise<void>;
  /** The file a leaf's rows go to, for sinks that write files (resume repairs those files). */
  pathFor?(leaf: string): string | undefined;
  /** Where this sink's failed rows go unless told otherwise: beside its file (`out.failed.jsonl`), or in its folder. */
  readonly failedPath?: string;
  /** Queues one row for the leaf (named output) `leaf`. Must not throw for I/O errors: pass them to `done`. */
  write(row: Row, leaf: string, done: (error?: Error | null) => void): void;
  /** Flushes, waits for every pending `done`, and releases the underlying resource. */
  close(): Promise<void>;
}
