/**
 * Loads the pipeline a command runs, routed by file extension: a `.ts`/`.js` module (its default
 * export, a pipeline or a function returning one), or a `.yaml`/`.yml`/`.json` definition read by
 * `lib/config`. `--set step.param=value` overrides are applied here, for both kinds.
 *
 * `lib/config` is imported only when needed, so `sluice run x.ts` never loads the YAML parser.
 * @module
 */
import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Pipeline } from '../pipeline/pipeline.ts';
import { SluiceConfigError } from '../core/errors.ts';
import { resolvePipelinePath } from './pipeline-registry.ts';

const MODULES = new Set(['.ts', '.mts', '.js', '.mjs']);
const DEFINITIONS = new Set(['.yaml', '.yml', '.json']);

export interface LoadPipelineOptions {
  /** `--set` overrides: `{ 'step.param': 'value' }`, typed by each step's param schema. */
  sets?: Readonly<Record<string, string>>;
  /**
   * How a definition's LLMs are made: `eager` (for run and dry-run: a missing endpoint is one
   * clear error before any row is read) or `lazy` (for graph and validate: no endpoint needed).
   */
  llms?: 'eager' | 'lazy';
}

function isPipeline(value: unknown): value is Pipeline<any> {
  return typeof value === 'object' && value !== null && Array.isArray((value as Pipeline).steps) && typeof (value as Pipeline).start === 'function';
}

async function loadModule(path: string, absolute: string, llms: 'eager' | 'lazy'): Promise<Pipeline<any>> {
  // Commands that send nothing (validate, graph) let a module's createLlm() go without an endpoint:
  // a call would fail, and none is made.
  if (llms === 'lazy') process.env.SLUICE_LLM_DEFER_CONFIG = '1';
  const loaded = (await import(pathToFileURL(absolute).href)) as { default?: unknown };
  let exported = loaded.default;
  if (typeof exported === 'function') exported = await (exported as () => unknown)();
  if (!isPipeline(exported)) {
    throw new SluiceConfigError(
      `\`${path}\` has no pipeline as its default export. Add \`export default pipeline('name').pipe(…)\`, or export a function that returns one.`,
    );
  }
  return exported;
}

async function loadDefinitionFile(absolute: string, llms: 'eager' | 'lazy'): Promise<Pipeline<any>> {
  const { loadDefinition } = await import('../config/load-definition.ts');
  return loadDefinition(absolute, { llms });
}

/**
 * Loads `path` and applies `sets`.
 * @example
 * const p = await loadPipeline('pipelines/clean.yaml', { sets: { 'trim.columns': 'text' } });
 */
export async function loadPipeline(pathOrName: string, { sets = {}, llms = 'eager' }: LoadPipelineOptions = {}): Promise<Pipeline<any>> {
  const path = resolvePipelinePath(pathOrName);
  const absolute = resolve(path);
  const ext = extname(path).toLowerCase();
  if (!MODULES.has(ext) && !DEFINITIONS.has(ext)) {
    throw new SluiceConfigError(`Expected a pipeline module (.ts, .js) or definition (.yaml, .yml, .json), got \`${path}\`.`);
  }
  if (!existsSync(absolute)) {
    throw new SluiceConfigError(
      `Cannot find the pipeline ${DEFINITIONS.has(ext) ? 'definition' : 'module'} \`${path}\`. Check the path; it should be a .ts or .js file whose default export is a pipeline, or a .yaml or .json definition.`,
    );
  }
  let loaded = DEFINITIONS.has(ext) ? await loadDefinitionFile(absolute, llms) : await loadModule(path, absolute, llms);
  if (Object.keys(sets).length > 0) {
    const { withParams } = await import('../config/with-params.ts');
    loaded = withParams(loaded, { ...sets });
  }
  return loaded;
}
