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
// Limits: a template is data from a definition, and must not loop for minutes or fill memory
// (`{% for i in (1..30000000) %}`): 1 s of rendering, 64 MB of output, 1 MB of template text.
const engine = new Liquid({
  strictVariables: true,
  strictFilters: true,
  ownPropertyOnly: true,
  cache: false,
  fs: noFiles,
  relativeReference: false,
  renderLimit: 1_000,
  memoryLimit: 64 * 1024 * 1024,
  parseLimit: 1024 * 1024,
});

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
  const fast = plainSubstitution(text);
  return {
    source: text,
    variables: [...new Set(variables)],
    render(row) {
      // Most prompts only fill in columns: do that directly when every value is a plain scalar,
      // and leave everything else (filters, tags, objects, missing columns) to liquid.
      if (fast) {
        const out = fast.fill(row);
        if (out !== undefined) return out;
      }
      return engine.renderSync(parsed, row) as string;
    },
  };
}

/**
 * A template made only of text and `{{ column }}` tags, split into its pieces; undefined for
 * anything else. `fill` gives up (undefined) unless every column is a string, number or boolean,
 * which liquid would print the same way.
 */
function plainSubstitution(text: string): { fill(row: Readonly<Record<string, unknown>>): string | undefined } | undefined {
  if (text.includes('{%') || text.includes('{{-') || text.includes('-}}')) return undefined;
  const pieces: string[] = [];
  const names: string[] = [];
  let last = 0;
  for (const match of text.matchAll(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)) {
    pieces.push(text.slice(last, match.index));
    names.push(match[1]!);
    last = match.index + match[0].length;
  }
  const tail = text.slice(last);
  // Any other `{{` (a filter, a property path) means liquid must do it.
  if ([...pieces, tail].some((piece) => piece.includes('{{') || piece.includes('}}'))) return undefined;
  return {
    fill(row) {
      let out = '';
      for (let i = 0; i < names.length; i++) {
        const value = Object.hasOwn(row, names[i]!) ? row[names[i]!] : undefined;
        if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return undefined;
        out += pieces[i]! + String(value);
      }
      return out + tail;
    },
  };
}
