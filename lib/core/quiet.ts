/**
 * `quiet(step)`: what the step's own code writes with `console.log` (`info`, `warn`, `error`,
 * `debug`) goes to the run directory's `console.log`, not the terminal, as a job tool hides a
 * noisy job's output. Without a run directory the lines are counted and dropped. Output written
 * straight to `process.stdout` is not captured, nor the console of steps run on workers or threads.
 * @module
 */
import type { Step } from './step.ts';

/** @example pipeline('p').from(rows).pipe(quiet(map(noisyTraining, { name: 'train' }))) */
export function quiet<In, Out>(step: Step<In, Out>): Step<In, Out> {
  return { ...step, quiet: true };
}
