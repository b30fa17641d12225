/**
 * `pipeline` in definitions: another pipeline used as one step: a definition (`.yaml`, `.json`)
 * or a module whose default export is a pipeline (`.ts`, `.js`), relative to this definition's
 * folder. `- pipeline: ./judging.yaml`, or `- pipeline: { path: ./judging.ts, name: judge }`.
 * @module
 */
import { z } from 'zod';
import { identity } from 'rxjs';
import { defineStep } from '../../core/define-step.ts';
import { SluiceConfigError } from '../../core/errors.ts';
import type { AnyStep } from '../../core/step.ts';
import { pipelineStep } from '../../operators/pipeline-step.ts';
import { field, stepOptions } from '../fields.ts';
import { defineKind } from '../step-kind.ts';

const pathField = field.nonEmpty(
  "The pipeline: a definition (`./judging.yaml`) or a module whose default export is a pipeline (`./judging.ts`), relative to this definition's folder.",
);

/** The file each nested pipeline came from, for saving. */
const nestedFrom = new WeakMap<AnyStep, string>();

export const pipelineKind = defineKind({
  description: 'Another pipeline (a definition or a module) used as one step; its steps are named under it.',
  schema: z.union([pathField.transform((path) => ({ path })), z.strictObject({ ...stepOptions, path: pathField }, { error: 'a map with `path`' })], {
    error: 'a path, or a map with `path`',
  }),
  build(params: { path: string; name?: string; onError?: 'skip' | 'fail' }, ctx) {
    const loaded = ctx.importModule(params.path, ['path']);
    // First pass: not loaded yet. The loader loads it (a definition is parsed, a module imported) and builds again.
    if (!loaded) return defineStep({ kind: 'pipeline', ownsPermits: true, operator: () => identity });
    const inner = loaded.exports.default as { steps?: unknown; name?: unknown } | undefined;
    if (!inner || typeof inner !== 'object' || !Array.isArray(inner.steps)) {
      throw new SluiceConfigError(
        `Expected \`${params.path}\` to be a definition, or a module whose default export is a pipeline, such as \`pipeline('judging').pipe(…)\``,
      );
    }
    const step = pipelineStep(inner as never, {
      ...(params.name !== undefined ? { name: params.name } : {}),
      ...(params.onError !== undefined ? { onError: params.onError } : {}),
    });
    nestedFrom.set(step, loaded.file);
    return step;
  },
  paramsOf(step, ctx) {
    const file = nestedFrom.get(step);
    return file === undefined ? undefined : { path: ctx.moduleSpecifier(file) };
  },
});
