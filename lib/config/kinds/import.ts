/**
 * `import` in definitions: the one way a definition runs your code. It names a local module
 * (relative to the definition's folder) and one of its exports: a step, or a function that
 * makes one from `params`.
 * `- import: { module: ./my-steps.ts, export: tagger, params: { tag: x } }`
 * @module
 */
import { identity } from 'rxjs';
import { z } from 'zod';
import { defineStep } from '../../core/define-step.ts';
import { SluiceConfigError } from '../../core/errors.ts';
import type { AnyStep } from '../../core/step.ts';
import { quoteList } from '../names.ts';
import { field, stepOptions } from '../fields.ts';
import { isStep } from '../step-builder.ts';
import { defineKind } from '../step-kind.ts';
import { threadMap } from '../../workers/thread-map.ts';

/** The module file each imported step came from, for saving. */
const importedFrom = new WeakMap<AnyStep, string>();

export const importKind = defineKind({
  description: 'Runs your code: a step exported by a local module, or made by an exported function from `params`.',
  schema: z.strictObject(
    {
      ...stepOptions,
      module: field.nonEmpty("The module, relative to the definition's folder: `./my-steps.ts`."),
      export: field.nonEmpty('The export to use: a step, or a function `(params) => step`. Default `default`.').optional(),
      params: field.jsonMap('What the exported function is called with.').optional(),
      threads: field
        .count('Run the export as a `map` on this many worker threads: it is then a row function `(row, { id, params }) => row`, for CPU-bound work.')
        .optional(),
    },
    { error: 'a map with `module`' },
  ),
  build(params, ctx) {
    const { module, export: exportName = 'default', params: args, name, onError, threads } = params;
    const loaded = ctx.importModule(module, ['module']);
    // First pass: the module is not loaded yet. The loader loads it and builds again.
    if (!loaded) return defineStep({ kind: 'import', ownsPermits: true, operator: () => identity });
    if (!Object.hasOwn(loaded.exports, exportName)) {
      const names = Object.keys(loaded.exports);
      throw new SluiceConfigError(`Module \`${module}\` has no export \`${exportName}\`; it exports ${names.length ? quoteList(names, 'and') : 'nothing'}`);
    }
    const value = loaded.exports[exportName];
    let step: unknown;
    if (threads !== undefined) {
      // On threads the export is a row function, loaded again by each thread from the same file.
      if (typeof value !== 'function' || isStep(value)) {
        throw new SluiceConfigError(
          `With \`threads\`, export \`${exportName}\` of \`${module}\` must be a row function \`(row, { id, params }) => row\`, got ${isStep(value) ? 'a step' : typeof value}`,
        );
      }
      step = threadMap({ module: loaded.file, export: exportName, threads, ...(args ? { params: args } : {}) });
    } else if (isStep(value)) {
      if (args !== undefined) {
        throw new SluiceConfigError(
          `Export \`${exportName}\` of \`${module}\` is a step, not a function that makes one: remove \`params\`, or export a function`,
        );
      }
      step = value;
    } else if (typeof value === 'function') {
      step = (value as (args: Record<string, unknown>) => unknown)(args ?? {});
      if (!isStep(step)) {
        const got = step instanceof Promise ? 'a promise' : step === null ? 'null' : typeof step;
        throw new SluiceConfigError(`Expected export \`${exportName}\` of \`${module}\` to return a step (such as \`map(…)\`), got ${got}`);
      }
    } else {
      throw new SluiceConfigError(
        `Expected export \`${exportName}\` of \`${module}\` to be a step or a function that makes one, got ${value === null ? 'null' : typeof value}`,
      );
    }
    const built: AnyStep =
      name || onError ? { ...(step as AnyStep), ...(name ? { name, named: true } : {}), ...(onError ? { onError } : {}) } : (step as AnyStep);
    importedFrom.set(built, loaded.file);
    return built;
  },
  paramsOf(step, ctx, recorded) {
    if (!recorded) return undefined;
    const file = importedFrom.get(step);
    return { ...recorded, ...(file ? { module: ctx.moduleSpecifier(file) } : {}) };
  },
});
