/**
 * `${ENV}` interpolation in a definition's string values, done on the parsed YAML document so
 * that errors can say where: `${NAME}`, `${NAME:-default}` (the default also when NAME is set
 * but empty, as in the shell), and `$${` for a literal `${`. Keys are never interpolated.
 * @module
 */
import { type Document, parse, type Scalar, visit } from 'yaml';
import { DefinitionError } from './definition-error.ts';
import { atPosition, type SourcePositions } from './source-positions.ts';

export interface InterpolateOptions {
  /** Variables to read. */
  env: Readonly<Record<string, string | undefined>>;
  /** Where values sit in the text, for error messages. */
  positions?: SourcePositions;
  /** The definition's text (to point at the `${` itself rather than at the start of the value). */
  text?: string;
  /** The definition file, for errors. */
  file?: string;
  /** Variables whose values must never be written into a definition (keys, tokens): see `isSecretVariable`. */
  isSecret?: (name: string) => boolean;
}

// Names that hold credentials by convention: *_API_KEY, *_APIKEY, *_TOKEN, *_SECRET, *_PASSWORD.
const SECRET_NAME = /(^|_)(API_?KEY|TOKEN|SECRET|PASSWORD|PASSWD)$/i;

/**
 * Whether `${name}` must be refused: OPENAI_API_KEY, a name that holds credentials by convention
 * (`HF_TOKEN`, `TOGETHER_API_KEY`, `DB_PASSWORD`…), one listed in `extra` (an LLM's `apiKeyEnv`),
 * or one listed, comma-separated, in SLUICE_SECRET_VARS.
 */
export function isSecretVariable(name: string, env: Readonly<Record<string, string | undefined>>, extra: readonly string[] = []): boolean {
  if (name === 'OPENAI_API_KEY' || SECRET_NAME.test(name) || extra.includes(name)) return true;
  return (env.SLUICE_SECRET_VARS ?? '')
    .split(',')
    .map((v) => v.trim())
    .includes(name);
}

const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;
const WHOLE_REFERENCE = /^\$\{[^}]*\}$/;

/**
 * Replaces every `${…}` in the string values of `doc`, in place. A value written without quotes
 * that is exactly one reference (`rpm: ${SLUICE_RPM:-500}`) takes the type of what it expands
 * to, as if that had been written there: a number, `true`/`false`, `null`, `.inf`. Anywhere else
 * the result is text. An unset variable without a default, or a malformed reference, is a
 * `DefinitionError` (`SLUICE_DEFINITION_ENV`) naming the variable, the line and the column.
 * @example
 * // model: "${SLUICE_MODEL:-gpt-4o-mini}"  →  model: gpt-4o-mini when SLUICE_MODEL is unset
 * interpolate(doc, { env: process.env, positions });
 */
export function interpolate(doc: Document, options: InterpolateOptions): void {
  visit(doc, {
    Scalar(key, node) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('${')) return;
      const text = node.value;
      const expanded = expand(text, options, node);
      node.value = node.type === 'PLAIN' && WHOLE_REFERENCE.test(text) ? typed(expanded) : expanded;
    },
  });
}

/** What a plain YAML scalar reading `text` would be: a number, a boolean or null; else the text. */
function typed(text: string): unknown {
  if (text.trim() === '') return text;
  try {
    const value: unknown = parse(text, { schema: 'core' });
    return typeof value === 'number' || typeof value === 'boolean' || value === null ? value : text;
  } catch {
    return text;
  }
}

function expand(text: string, options: InterpolateOptions, node: Scalar): string {
  let out = '';
  let nth = 0;
  for (let i = 0; i < text.length; ) {
    if (text.startsWith('$${', i)) {
      out += '${';
      i += 3;
      continue;
    }
    if (!text.startsWith('${', i)) {
      out += text[i];
      i++;
      continue;
    }
    const end = text.indexOf('}', i + 2);
    const body = end === -1 ? text.slice(i + 2) : text.slice(i + 2, end);
    const match = end === -1 ? null : REFERENCE.exec(body);
    if (!match) {
      const shown = end === -1 ? text.slice(i) : text.slice(i, end + 1);
      throw envError(
        `Malformed \`${shown}\` ${where(options, node, nth)}: expected \`\${NAME}\` or \`\${NAME:-default}\`. Write \`$\${\` for a literal \`\${\`.`,
        options,
        node,
        nth,
      );
    }
    const [, name, fallback] = match as unknown as [string, string, string | undefined];
    if (options.isSecret?.(name)) {
      const offset = referenceOffset(options, node, nth);
      const position = offset === undefined ? undefined : options.positions?.offset(offset);
      throw new DefinitionError(
        'SLUICE_DEFINITION_SECRET',
        `\`\${${name}}\` ${where(options, node, nth)} would write a secret into the pipeline: into its outputs, run.json and the request cache. ` +
          'LLM keys come from the environment by themselves (OPENAI_API_KEY, or the variable an LLM names in `apiKeyEnv`); remove the reference.',
        { file: options.file, line: position?.line, column: position?.column },
      );
    }
    let value = options.env[name];
    if (fallback !== undefined && (value === undefined || value === '')) value = fallback;
    if (value === undefined) {
      throw envError(
        `Environment variable \`${name}\` is not set (\`\${${name}}\` ${where(options, node, nth)}). Set it, or give a default: \`\${${name}:-value}\`.`,
        options,
        node,
        nth,
      );
    }
    out += value;
    nth++;
    i = end + 1;
  }
  return out;
}

/** The offset of the `nth` reference of a scalar in the text, when it can be found there. */
function referenceOffset(options: InterpolateOptions, node: Scalar, nth: number): number | undefined {
  const range = node.range;
  if (!range) return undefined;
  const raw = options.text?.slice(range[0], range[1]);
  if (raw === undefined) return range[0];
  let found = -1;
  for (let from = 0, seen = -1; seen < nth; ) {
    found = raw.indexOf('${', from);
    if (found === -1) return range[0];
    from = found + 2;
    if (found > 0 && raw[found - 1] === '$') continue; // `$${` is an escape, not a reference.
    seen++;
  }
  return range[0] + found;
}

function where(options: InterpolateOptions, node: Scalar, nth: number): string {
  const offset = referenceOffset(options, node, nth);
  return offset === undefined || !options.positions ? 'in the definition' : atPosition(options.positions.offset(offset));
}

function envError(message: string, options: InterpolateOptions, node: Scalar, nth: number): DefinitionError {
  const offset = referenceOffset(options, node, nth);
  const position = offset === undefined ? undefined : options.positions?.offset(offset);
  return new DefinitionError('SLUICE_DEFINITION_ENV', message, { file: options.file, line: position?.line, column: position?.column });
}
