/**
 * `batch` in definitions: hands `size` rows at a time to a function a local module exports
 * (`async (rows) => rows`), as a model server or a bulk API wants them, and gives each row back
 * its result. Like `import:`, it runs your code, so the module must sit in the definition's folder.
 * `- batch: { size: 64, module: ./embedder.ts, export: embedRows }`
 * @module
 */
import { identity } from 'rxjs';
import { z } from 'zod';
import { defineStep } from '../../core/define-step.ts';
import { SluiceConfigError } from '../../core/errors.ts';
import type { AnyStep } from '../../core/step.ts';
import { batch } from '../../operators/batch.ts';
import { field, stepOptions } from '../fields.ts';
import { defineKind } from '../step-kind.ts';
import { threadBatch } from '../../workers/thread-batch.ts';

/** What each batch step was built from, for saving it back. */
const declared = new WeakMap<AnyStep, Record<string, unknown>>();

export const batchKind = defineKind({
  description: 'Hands `size` rows at a time to a function your module exports, `(rows) => rows`, and gives each row its result.',
  schema: z.strictObject(
    {
      ...stepOptions,
      module: field.nonEmpty("The module, relative to the definition's folder: `./my-steps.ts`."),
      export: field.nonEmpty('The function to call with each batch of rows; it returns one row per row. Default `default`.').optional(),
      size: field.count('Rows per batch. Default 32.').optional(),
      maxWaitMs: field.natural('How long a partial batch waits for more rows, in milliseconds. Default 50.').optional(),
      concurrency: field.concurrency('Batches in flight at once. Default 1.').optional(),
      threads: field.count('Run the function on this many worker threads (CPU-bound work); `concurrency` is then two batches per thread.').optional(),
    },
    { error: 'a map with `module`' },
  ),
  build(params, ctx) {
    const { module, export: exportName = 'default', size, maxWaitMs, concurrency, threads, name, onError } = params;
    const loaded = ctx.importModule(module, ['module']);
    // First pass: the module is not loaded yet. The loader loads it and builds again.
    if (!loaded) return defineStep({ kind: 'batch', ownsPermits: true, operator: () => identity });
    const fn = loaded.exports[exportName];
    if (typeof fn !== 'function') {
      throw new SluiceConfigError(
        `Expected export \`${exportName}\` of \`${module}\` to be a function \`(rows) => rows\`, got ${fn === undefined ? 'nothing' : fn === null ? 'null' : typeof fn}`,
      );
    }
    const shape = {
      ...(size !== undefined ? { size } : {}),
      ...(maxWaitMs !== undefined ? { maxWaitMs } : {}),
      ...(name ? { name } : {}),
      ...(onError ? { onError } : {}),
    };
    if (threads !== undefined && concurrency !== undefined)
      throw new SluiceConfigError('Give `threads` or `concurrency`, not both: with threads, two batches per thread are in flight');
    const step = (
      threads !== undefined
        ? threadBatch({ module: loaded.file, export: exportName, threads, ...shape })
        : batch(fn as (rows: object[]) => object[], { ...shape, ...(concurrency !== undefined ? { concurrency } : {}) })
    ) as AnyStep;
    declared.set(step, {
      module,
      ...(params.export ? { export: exportName } : {}),
      ...(size !== undefined ? { size } : {}),
      ...(maxWaitMs !== undefined ? { maxWaitMs } : {}),
      ...(concurrency !== undefined ? { concurrency } : {}),
      ...(threads !== undefined ? { threads } : {}),
    });
    return step;
  },
  paramsOf(step) {
    return declared.get(step);
  },
});
