/**
 * `keep(step)`: the step's output rows are kept in the run directory as they pass
 * (`<run-dir>/steps/<step>.jsonl`), as `--keep <step>` does; `sluice inspect <dir> --step <name>`
 * reads them back. Without a run directory nothing is kept, and the summary says so.
 * @module
 */
import type { Step } from './step.ts';

/** @example pipeline('p').from(rows).pipe(keep(map(train, { name: 'train' })), aggregate(…)) */
export function keep<In, Out>(step: Step<In, Out>): Step<In, Out> {
  return { ...step, keep: true };
}
