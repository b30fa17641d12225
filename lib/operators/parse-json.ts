/**
 * `parseJson`: reads the JSON an LLM wrote into a text column, leniently: the first JSON object or
 * array in the text, inside a ```json fence or among prose, with trailing commas forgiven. A text
 * with none, or whose JSON does not match `schema`, fails the row with the text kept.
 * @module
 */
import type { z } from 'zod';
import { type Columns, withColumns } from '../core/columns.ts';
import { SluiceConfigError, SluiceError } from '../core/errors.ts';
import type { Adds, Step, StepOptions } from '../core/step.ts';
import { map } from './map.ts';

export interface ParseJsonOptions<As extends string, S extends z.ZodType = z.ZodType<unknown>> extends StepOptions {
  /** The text column to read. */
  column: string;
  /** The column to write the parsed value to. Default: `column` itself. */
  as?: As;
  /** Checks (and types) the parsed value: `z.array(z.string())`. */
  schema?: S;
}

/** The text held no JSON that could be read, or it did not match the schema. */
export class JsonNotFoundError extends SluiceError {
  static override readonly brand: symbol = Symbol.for('sluice.error.JsonNotFoundError');
  override name = 'JsonNotFoundError';
  override readonly code = 'SLUICE_JSON_NOT_FOUND';
}

/**
 * @example
 * pipeline('p').from(topics).pipe(
 *   generate({ llm, prompt: 'List 5 subtopics of {{ topic }} as a JSON list.', as: 'raw' }),
 *   parseJson({ column: 'raw', as: 'subtopics', schema: z.array(z.string()) }),
 *   scatter('subtopics', { as: 'subtopic' }),
 * )
 */
export function parseJson<R, As extends string = string, S extends z.ZodType = z.ZodType<unknown>>(
  options: ParseJsonOptions<As, S>,
): Step<R, Adds<{ [K in As]: z.infer<S> }>> {
  const { column, as = column as As, schema, ...stepOptions } = options ?? ({} as ParseJsonOptions<As, S>);
  if (typeof column !== 'string' || column === '') throw new SluiceConfigError(`Expected \`column\` to be a column name, got \`${String(column)}\``);
  if (typeof as !== 'string' || as === '') throw new SluiceConfigError(`Expected \`as\` to be a column name, got \`${String(as)}\``);
  const step = map(
    (row: Record<string, unknown>) => {
      const text = row[column];
      if (typeof text !== 'string')
        throw new JsonNotFoundError(`Column \`${column}\` holds ${text === undefined ? 'nothing' : typeof text}, not text with JSON in it.`);
      const found = jsonIn(text);
      if (found === undefined) throw new JsonNotFoundError(`Column \`${column}\` holds no JSON object or array: ${JSON.stringify(text.slice(0, 200))}.`);
      if (schema) {
        const checked = schema.safeParse(found);
        if (!checked.success) {
          const issue = checked.error.issues[0];
          throw new JsonNotFoundError(
            `The JSON in column \`${column}\` does not match the schema: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}.`,
          );
        }
        return { ...row, [as]: checked.data };
      }
      return { ...row, [as]: found };
    },
    { ...(stepOptions.name !== undefined ? { name: stepOptions.name } : {}), ...(stepOptions.onError ? { onError: stepOptions.onError } : {}) },
  );
  return {
    ...step,
    kind: 'parseJson',
    name: stepOptions.name ?? 'parseJson',
    named: stepOptions.name !== undefined,
    needs: [column],
    params: { column, as, ...(schema ? { schema: true } : {}) },
    columnsAfter: (input: Columns) => withColumns(input, [as]),
  } as unknown as Step<R, Adds<{ [K in As]: z.infer<S> }>>;
}

/** The first JSON object or array in `text` that parses (leniently), or undefined. */
function jsonIn(text: string): unknown {
  const fenced = /```(?:json|JSON)?\s*\n([\s\S]*?)```/.exec(text);
  const candidates = fenced ? [fenced[1]!, text] : [text];
  for (const candidate of candidates) {
    for (let start = firstOpen(candidate, 0); start !== -1; start = firstOpen(candidate, start + 1)) {
      const end = matchingClose(candidate, start);
      if (end === -1) continue;
      const slice = candidate.slice(start, end + 1);
      for (const attempt of [slice, slice.replace(/,\s*([}\]])/g, '$1')]) {
        try {
          return JSON.parse(attempt);
        } catch {
          // Not JSON from here: try the lenient form, then the next opening bracket.
        }
      }
    }
  }
  return undefined;
}

function firstOpen(text: string, from: number): number {
  const brace = text.indexOf('{', from);
  const bracket = text.indexOf('[', from);
  if (brace === -1) return bracket;
  if (bracket === -1) return brace;
  return Math.min(brace, bracket);
}

/** The index of the bracket that closes the one at `start`, strings skipped; -1 when it never closes. */
function matchingClose(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      if (--depth === 0) return i;
    }
  }
  return -1;
}
