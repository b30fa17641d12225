/**
 * The version of a pipeline that a work queue serves: its steps (names, kinds, versions, params)
 * and, for a module, the fingerprint of its code. A worker whose pipeline differs is refused
 * before it takes a task, so no row is ever handled by other code than the run's.
 * @module
 */
import { createHash } from 'node:crypto';
import { describeSteps } from '../core/describe-steps.ts';
import type { AnyStep } from '../core/step.ts';

export function pipelineVersion(steps: readonly AnyStep[], codeFingerprint?: string): string {
  return createHash('sha256')
    .update(JSON.stringify({ steps: describeSteps(steps), code: codeFingerprint ?? null }))
    .digest('hex')
    .slice(0, 16);
}
