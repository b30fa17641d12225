/**
 * Where a run directory keeps a step's output rows: `steps/<name>.jsonl`, a step in a branch
 * (`a/b`) as `a__b`, so that every kept step is one file in one folder.
 * @module
 */
export function keptFileName(step: string): string {
  return step.replaceAll('/', '__');
}
