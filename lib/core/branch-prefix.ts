/**
 * The prefix of the names of the steps inside a branch: `broadcast/a/` for branch `a`, and
 * `judging/` for the one unnamed branch of a nested pipeline (`pipelineStep`).
 * @module
 */
export function branchPrefix(step: string, branch: string): string {
  return branch === '' ? `${step}/` : `${step}/${branch}/`;
}
