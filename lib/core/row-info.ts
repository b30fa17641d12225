/**
 * What a user's function gets besides the row: never the envelope, whose permit is the run's.
 * @module
 */
export interface RowInfo {
  /** The row's stable id (`source:position`, children append `.i`). */
  readonly id: string;
  /** Aborted when the run is stopped hard or its consumer went away: pass it to I/O. */
  readonly signal: AbortSignal;
  /**
   * The run directory, when the run has one (`--run-dir`): where a step saves files of its own
   * (a report, a chart) beside the run's record. Not set on workers or threads.
   */
  readonly runDir?: string;
}
