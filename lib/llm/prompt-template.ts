/**
 * Prompt templates over row columns, rendered with liquidjs: no HTML escaping, strict variables
 * (a typo in a column name is an error, not an empty string), no access to inherited properties.
 * @module
 */
import { Liquid, type Template } from 'liquidjs';
import { SluiceConfigError } from '../core/errors.ts';

// Templates come from definitions that may not be trusted: `{% include %}` and `{% render %}`
// must not read local files into prompts, so the template file system has no files at all.
const noFiles = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (file: string): Promise<string> => {
    throw new SluiceConfigError(`Prompt templates cannot read files (\`${file}\`): put the text in the prompt, or in a row column.`);
  },
  readFileSync: (file: string): string => {
    throw new SluiceConfigError(`Prompt templates cannot read files (\`${file}\`): put the text in the prompt, or in a row column.`);
  },
  resolve: (_dir: string, file: string) => file,
};
const engine = new Liquid({ strictVariables: true, strictFilters: true, ownPropertyOnly: true, cache: false, fs: noFiles, relativeReference: false });

export interface PromptTemplate {
  /** The template text, as written. */
  readonly source: string;
  /** Top-level row columns the template reads. */
  readonly variables: readonly string[];
  render(row: Readonly<Record<string, unknown>>): string;
}

/**
 * Compiles `text` once; `render` then fills it from a row.
 * @example
 * promptTemplate('Ask one question about {{ subtopic }}.').render({ subtopic: 'tides' })
 */
export function promptTemplate(text: string, what = 'prompt'): PromptTemplate {
  if (typeof text !== 'string') {
    throw new SluiceConfigError(`Expected \`${what}\` to be a template string, got \`${typeof text}\``);
  }
  let parsed: Template[];
  let variables: string[];
  try {
    parsed = engine.parse(text);
    variables = engine.globalVariablesSync(parsed);
  } catch (error) {
    throw new SluiceConfigError(`The ${what} template does not parse: ${(error as Error).message}`, { cause: error });
  }
  return {
    source: text,
    variables: [...new Set(variables)],
    render(row) {
      return engine.renderSync(parsed, row) as string;
    },
  };
}
