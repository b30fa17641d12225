/**
 * Per-step counters. At every step, once the run is over: `in = out + filtered + failed`, plus
 * `abandoned` when a run-stopping error cut rows short (they stay not done, for resume).
 * `emitted` is what the step handed downstream: equal to `out` for 1:1 steps, the children
 * for `scatter`, the groups for `aggregate`, the merged rows for `join`.
 * @module
 */
export interface StepStats {
  in: number;
  out: number;
  filtered: number;
  failed: number;
  emitted: number;
  /** Rows cut short by a run-stopping error (`isRunFatal`): not failed, not done; a resume redoes them. Absent when none. */
  abandoned?: number;
  /** Epoch ms of the first row in, and of the step's completion. */
  firstAt: number;
  lastAt: number;
}

export function newStepStats(): StepStats {
  return { in: 0, out: 0, filtered: 0, failed: 0, emitted: 0, firstAt: 0, lastAt: 0 };
}

/** Counts one row into a step (and notes when the first one came). */
export function enter(stats: StepStats): void {
  stats.in++;
  if (stats.firstAt === 0) stats.firstAt = Date.now();
}
