/**
 * Validates a part of a definition with zod and turns the first issue into a `DefinitionError`
 * that says where (line and column), what was expected and what was got. Wording lives here
 * only; schemas say what they expect (see `fields.ts`), the way zod keeps issues apart from locales.
 * @module
 */
import type { z } from 'zod';
import { DefinitionError } from './definition-error.ts';
import { didYouMean, quoteList } from './names.ts';
import { keysOf, schemaAt } from './schema-at.ts';
import { atPosition, type DefinitionPath, type SourcePositions } from './source-positions.ts';

export interface ValueScope {
  /** Where the validated value sits in the document. */
  readonly base: DefinitionPath;
  /** Says whose value it is, in parentheses after the position: "step `question`". */
  readonly label?: string | undefined;
  readonly positions?: SourcePositions | undefined;
  readonly file?: string | undefined;
  /** Ends the message when there is no position: "(from `--set question.n=x`)". */
  readonly hint?: string | undefined;
  /** Names the value itself when an issue is about all of it. Default: the last key of `base`. */
  readonly rootKey?: string | undefined;
}

type Issue = z.core.$ZodIssue;

const TYPE_PHRASES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: '`true` or `false`',
  object: 'a map',
  record: 'a map',
  array: 'a list',
  null: '`null`',
};

/** The expectation an issue stands for, when the schema did not word it: "a number from 1 and up". */
function phrase(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return TYPE_PHRASES[issue.expected] ?? `a ${issue.expected}`;
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string') return min === 1 ? 'a non-empty string' : `a string of at least ${min} characters`;
      if (issue.origin === 'array') return `a list of at least ${min} item${min === 1 ? '' : 's'}`;
      return issue.inclusive ? `a number from ${min} and up` : `a number above ${min}`;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string') return `a string of at most ${max} characters`;
      if (issue.origin === 'array') return `a list of at most ${max} item${max === 1 ? '' : 's'}`;
      return issue.inclusive ? `a number up to ${max}` : `a number below ${max}`;
    }
    case 'invalid_value':
      return quoteList(issue.values.map((value) => show(value)));
    case 'invalid_format':
      return issue.format === 'regex' ? `text matching \`${String((issue as { pattern?: unknown }).pattern)}\`` : `a valid ${issue.format}`;
    case 'invalid_union':
      return 'one of the forms this key accepts';
    default:
      return issue.message ?? 'something else';
  }
}

/** A value as the user would write it, cut to a readable length. */
export function show(value: unknown): string {
  if (value === Number.POSITIVE_INFINITY) return '.inf';
  if (value === Number.NEGATIVE_INFINITY) return '-.inf';
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): { found: boolean; value: unknown; parentIsObject: boolean } {
  let current: unknown = data;
  let parentIsObject = true;
  for (const key of path) {
    parentIsObject = current !== null && typeof current === 'object';
    if (!parentIsObject || !Object.hasOwn(current as object, key as string)) return { found: false, value: undefined, parentIsObject };
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return { found: true, value: current, parentIsObject };
}

/** `params.temperature`, `fewShot[0].user`. */
export function keyPath(path: readonly PropertyKey[], rootKey: string): string {
  if (path.length === 0) return rootKey;
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`)).join('');
}

function sentenceOf(description: string): string {
  const text = description.trim().replace(/\.$/, '');
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/**
 * Parses `data` with `schema`, or throws a `DefinitionError` (`SLUICE_DEFINITION_INVALID`) for
 * the first issue.
 * @example
 * const params = validateValue(generateKind.schema, raw, { base: ['steps', 2, 'generate'], label: 'step `question`', positions });
 */
export function validateValue<S extends z.ZodType>(schema: S, data: unknown, scope: ValueScope): z.output<S> {
  const result = schema.safeParse(data, { error: (issue) => phrase(issue) });
  if (result.success) return result.data;
  // A misspelt key explains the missing one it was meant to be: report it first.
  const issues = result.error.issues;
  throw issueError(issues.find((issue) => issue.code === 'unrecognized_keys') ?? issues[0]!, schema, data, scope);
}

function issueError(issue: Issue, schema: z.ZodType, data: unknown, scope: ValueScope): DefinitionError {
  const rootKey = scope.rootKey ?? String(scope.base.at(-1) ?? 'definition');
  const fail = (message: string, path: readonly PropertyKey[], key = false): DefinitionError => {
    const full = [...scope.base, ...(path as (string | number)[])];
    const position = scope.positions?.of(full, { key });
    const where = [atPosition(position), scope.label ? `(${scope.label})` : ''].filter(Boolean).join(' ');
    // "got `x`, at line 3, column 5 (step `s`)", but "got `x` (step `s`)" without a position.
    const text =
      message.replace(/,?\{where\}/, (mark) => (where === '' ? '' : `${mark.startsWith(',') && position ? ',' : ''} ${where}`)) +
      (position || !scope.hint ? '' : ` ${scope.hint}`);
    return new DefinitionError('SLUICE_DEFINITION_INVALID', text.endsWith('.') || text.endsWith('?') ? text : `${text}.`, {
      file: scope.file,
      line: position?.line,
      column: position?.column,
      path: full,
    });
  };

  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const allowed = keysOf(schemaAt(schema, issue.path as (string | number)[])?.schema ?? schema);
    const suggestion = didYouMean(key, allowed, (all) => `Keys here: ${quoteList(all, 'and')}.`);
    return fail(`Unknown key \`${key}\`{where}.${suggestion}`, [...issue.path, key], true);
  }
  const { found, value, parentIsObject } = valueAt(data, issue.path);
  const key = keyPath(issue.path, rootKey);
  if (!found && parentIsObject && issue.code === 'invalid_type') {
    const description = schemaAt(schema, issue.path as (string | number)[])?.description;
    return fail(`Missing \`${key}\`{where}${description ? `: ${sentenceOf(description)}.` : '.'}`, issue.path);
  }
  if (issue.code === 'custom') return fail(`${issue.message},{where}`, issue.path);
  const got = value === undefined || (value === null && issue.path.length === 0 && scope.base.length === 0) ? 'nothing' : `\`${show(value)}\``;
  return fail(`Expected \`${key}\` to be ${issue.message}, got ${got},{where}`, issue.path);
}
