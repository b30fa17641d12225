/**
 * Column validation: every step's inputs must be produced upstream, checked before any row moves.
 * @module
 */
import type { Columns } from './columns.ts';
import { MissingColumnsError } from './errors.ts';
import type { AnyStep } from './step.ts';
import { nameSteps } from './step-names.ts';
import { branchPrefix } from './branch-prefix.ts';

/** Checks that every step's inputs are produced upstream. Returns the columns at the end. */
export function validateSteps(steps: readonly AnyStep[], columns: Columns, prefix = '', taken = new Set<string>()): Columns {
  const names = nameSteps(steps, prefix, taken);
  let current = columns;
  steps.forEach((step, i) => {
    const missing = step.needs.filter((column) => !current.known.has(column));
    if (missing.length > 0 && !current.open) {
      throw new MissingColumnsError(names[i]!, missing, [...current.known]);
    }
    let branchOutputs: Record<string, Columns> | undefined;
    if (step.branches) {
      branchOutputs = {};
      for (const [branch, branchSteps] of Object.entries(step.branches)) {
        branchOutputs[branch] = validateSteps(branchSteps, current, branchPrefix(names[i]!, branch), taken);
      }
    }
    current = step.columnsAfter(current, branchOutputs);
  });
  return current;
}
