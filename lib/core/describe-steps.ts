/**
 * A plain, JSON-safe description of a pipeline's steps: the run directory's definition, the
 * graph view, and the check that a resumed run is the same pipeline.
 * @module
 */
import type { AnyStep } from './step.ts';

export interface StepDescription {
  name: string;
  kind: string;
  version: number;
  params: unknown;
  branches?: Record<string, StepDescription[]>;
}

function jsonSafe(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, v: unknown) => (typeof v === 'function' ? `[function ${(v as { name?: string }).name || 'anonymous'}]` : v)) ?? 'null',
  );
}

export function describeSteps(steps: readonly AnyStep[]): StepDescription[] {
  return steps.map((step) => ({
    name: step.name,
    kind: step.kind,
    version: step.version,
    params: jsonSafe(step.params),
    ...(step.branches ? { branches: Object.fromEntries(Object.entries(step.branches).map(([name, branch]) => [name, describeSteps(branch)])) } : {}),
  }));
}
