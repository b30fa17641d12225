/**
 * A failed row: what the failed-rows sink writes, one per row that could not be read or processed.
 * @module
 */
/** One line of the failed-rows file. */
export type FailedRow = {
  /** The row id (`source:position`, children `.i`). */
  id: string;
  /** The step that failed it (`source` for input that could not be read). */
  step: string;
  error: { code: string; message: string };
  /** Tries made, when the step retries. */
  attempts?: number;
  /** The input line number, for NDJSON input. */
  line?: number;
  /** Item index, for sources that count items rather than lines (arrays, iterables). */
  index?: number;
  /** The raw input, cut to a few hundred characters, when the row could not be parsed. */
  raw?: string;
  /** The row as the failing step received it. */
  row?: unknown;
  /** When it failed (ISO 8601). */
  at: string;
};
