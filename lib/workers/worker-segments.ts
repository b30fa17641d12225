/**
 * Which steps a run with workers hands to them: every longest run of row-wise top-level steps
 * (`map`, `filter`, `scatter`, the LLM steps, `threadMap`…), each a segment. A row's result in a
 * row-wise step depends on that row alone, so it is the same in any process. Steps that see
 * several rows at once (`batch`, `aggregate`, `join`) and steps that hold branches (`broadcast`,
 * `route`) stay with the coordinator, which sees every row, so they keep their meaning.
 * @module
 */
import type { AnyStep } from '../core/step.ts';

export interface WorkerSegment {
  /** Index of the segment's first step among the pipeline's steps. */
  readonly start: number;
  readonly steps: readonly AnyStep[];
}

export function workerSegments(steps: readonly AnyStep[]): WorkerSegment[] {
  const segments: WorkerSegment[] = [];
  let start = -1;
  steps.forEach((step, i) => {
    if (step.rowWise === true && !step.branches) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      segments.push({ start, steps: steps.slice(start, i) });
      start = -1;
    }
  });
  if (start >= 0) segments.push({ start, steps: steps.slice(start) });
  return segments;
}
