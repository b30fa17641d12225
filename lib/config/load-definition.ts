/**
 * `loadDefinition`: a pipeline from a YAML or JSON definition file.
 * @module
 */
import { readFile } from 'node:fs/promises';
import type { Pipeline } from '../pipeline/pipeline.ts';
import { DefinitionError } from './definition-error.ts';
import { type ParseDefinitionOptions, parseDefinition } from './parse-definition.ts';

export type LoadDefinitionOptions = Omit<ParseDefinitionOptions, 'path'>;

/**
 * Reads `path` and builds the pipeline it defines (see `parseDefinition`). Relative `input` and
 * `output` paths are relative to the current directory; `import:` paths to the file's folder.
 * @example
 * const qa = await loadDefinition('examples/qa-pairs.yaml');
 * await qa.run();
 * // validate or draw it with no endpoint configured:
 * const shape = await loadDefinition('examples/qa-pairs.yaml', { llms: 'lazy' });
 */
export async function loadDefinition(path: string, options: LoadDefinitionOptions = {}): Promise<Pipeline<any>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'there is no such file' : (error as Error).message;
    throw new DefinitionError('SLUICE_DEFINITION_SYNTAX', `Cannot read the definition \`${path}\`: ${reason}. Check the path.`, { file: path, cause: error });
  }
  return parseDefinition(text, { ...options, path });
}
