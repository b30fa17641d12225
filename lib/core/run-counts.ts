/**
 * The counters of a run's source records, as they go.
 * @module
 */
export interface RunCounts {
  read: number;
  invalid: number;
  skipped: number;
  done: number;
  failed: number;
}
