/**
 * Loads the pipeline a module exports: its default export, a pipeline or a function returning one.
 * @module
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Pipeline } from '../core/pipeline.ts';
import { SluiceConfigError } from '../core/errors.ts';

function isPipeline(value: unknown): value is Pipeline<any> {
  return typeof value === 'object' && value !== null
    && Array.isArray((value as Pipeline).steps) && typeof (value as Pipeline).start === 'function';
}

export async function loadPipeline(modulePath: string): Promise<Pipeline<any>> {
  const absolute = resolve(modulePath);
  if (!existsSync(absolute)) {
    throw new SluiceConfigError(`Cannot find the pipeline module \`${modulePath}\`. Check the path; it should be a .ts or .js file whose default export is a pipeline.`);
  }
  const loaded = (await import(pathToFileURL(absolute).href)) as { default?: unknown };
  let exported = loaded.default;
  if (typeof exported === 'function') exported = await (exported as () => unknown)();
  if (!isPipeline(exported)) {
    throw new SluiceConfigError(
      `\`${modulePath}\` has no pipeline as its default export. Add \`export default pipeline('name').pipe(…)\`, or export a function that returns one.`,
    );
  }
  return exported;
}
