/**
 * The contract every source meets. Sources read lazily and in order; the pipeline pulls
 * the next batch only when permits are free, so the OS pipe or file read applies backpressure.
 * @module
 */
import type { SluiceError } from './errors.ts';
import type { Row } from './row.ts';

/** One record read from a source: a row, or a reason it could not be read. */
export type SourceItem<R = Row> =
  | {
      readonly ok: true;
      readonly row: R;
      readonly position: number;
      /** The record's id in place of its position, when the source names records itself (`contentIds`). */
      readonly key?: string;
    }
  | {
      readonly ok: false;
      /** Where it was (the line number for NDJSON). */
      readonly position: number;
      readonly key?: string;
      readonly error: SluiceError;
      /** The raw text, cut to a few hundred characters. */
      readonly raw?: string;
    };

export interface Source<R = Row> {
  /** Names the source in row ids (`name:position`) and in the summary. */
  readonly name: string;
  /** Columns every row has, when known before reading; validation uses them. */
  readonly columns?: readonly string[];
  /** The file it reads, when it reads one: resume fingerprints it, to notice an input that changed. */
  readonly path?: string;
  /**
   * How records are named in row ids and the done-ledger: by `position` (default), or by a hash of
   * their `content` (`contentIds`), so a resume still finds them after the input was edited.
   */
  readonly ids?: 'position' | 'content';
  /** What `position` counts: `line` numbers (NDJSON, 1-based) or item `index` (arrays, iterables, 0-based). Default `line`. */
  readonly positions?: 'line' | 'index';
  /**
   * Yields items in batches, in order. When `signal` aborts, the read ends quietly (no error)
   * and releases its file or stream. The consumer awaits between batches, so a batch is
   * the most a source reads ahead (keep batches to a chunk of input, not the whole of it).
   */
  read(signal: AbortSignal): AsyncIterable<readonly SourceItem<R>[]>;
  /**
   * Called once a record is done: every row it became is written, or failed and recorded (also a
   * record a resumed run skips as done before). A queue acknowledges the record here; a record
   * cut short by a stop is never done, so the queue delivers it again. A source with `done` keeps
   * its own record of what is done, so it cannot be used with a run directory.
   */
  done?(position: number): void;
  /**
   * What resume compares of an input that is not a local file (a Hub dataset: its files and their
   * ids): a `sha256` that changes when the rows may have. Files are fingerprinted by `path`.
   */
  fingerprint?(): Promise<{ location: string; size: number; sha256: string } | undefined>;
}
