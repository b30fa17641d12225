/**
 * Declarative row tests, shared by `filter` and `route` in definitions: a column (or a path
 * into one) and one test, with no code: `{ column: text, nonEmpty: true }`,
 * `{ column: lang, in: [en, fr] }`, `{ column: text, matches: '^Q:', flags: i }`,
 * `{ column: words, min: 5 }`, `{ column: label, exists: true, not: true }`.
 * @module
 */
import { z } from 'zod';
import { SluiceConfigError } from '../core/errors.ts';
import { readPath } from './column-path.ts';
import { field } from './fields.ts';

const TESTS = ['nonEmpty', 'exists', 'equals', 'in', 'matches', 'min', 'max'] as const;

/** The zod shape of a condition, for steps that embed one (`filter`) or hold several (`route.when`). */
export const conditionShape = {
  column: field.nonEmpty('The column to test, or a path into one: `plan.level`.'),
  nonEmpty: z
    .literal(true, { error: '`true`' })
    .optional()
    .describe('Passes when the value is a string with something besides spaces, a non-empty list, or a non-empty map.'),
  exists: z.literal(true, { error: '`true`' }).optional().describe('Passes when the column is there and not `null`.'),
  equals: field.scalar('Passes when the value equals this (strictly: `1` is not `"1"`).').optional(),
  in: z
    .array(z.union([z.string(), z.number(), z.boolean(), z.null()]), { error: 'a list of strings, numbers, `true`, `false` or `null`' })
    .describe('Passes when the value equals one of these.')
    .optional(),
  matches: field.text('Passes when the value is a string matching this regular expression (JavaScript syntax).').optional(),
  flags: z
    .string({ error: 'regular expression flags such as `i`' })
    .regex(/^[dgimsuvy]*$/, { error: 'regular expression flags such as `i`' })
    .describe('Flags of `matches`: `i` ignores case, `s` lets `.` match newlines, `u` for Unicode.')
    .optional(),
  min: field.number('Passes when the value is a number at least this (or a string or list at least this long).').optional(),
  max: field.number('Passes when the value is a number at most this (or a string or list at most this long).').optional(),
  not: field.flag('Inverts the test.').optional(),
};

export type RowCondition = {
  column: string;
  nonEmpty?: true | undefined;
  exists?: true | undefined;
  equals?: string | number | boolean | null | undefined;
  in?: Array<string | number | boolean | null> | undefined;
  matches?: string | undefined;
  flags?: string | undefined;
  min?: number | undefined;
  max?: number | undefined;
  not?: boolean | undefined;
};

/** Checks that a condition has exactly one test (`min` and `max` together count as one). For `superRefine`. */
export function checkOneTest(condition: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const present = TESTS.filter((test) => condition[test] !== undefined);
  const groups = new Set(present.map((test) => (test === 'max' ? 'min' : test)));
  if (groups.size !== 1) {
    ctx.addIssue({
      code: 'custom',
      message: `Expected one test of \`nonEmpty\`, \`exists\`, \`equals\`, \`in\`, \`matches\` or \`min\`/\`max\` on \`${String(condition.column)}\`, got ${present.length === 0 ? 'none' : present.map((t) => `\`${t}\``).join(' and ')}`,
    });
  }
  if (condition.flags !== undefined && condition.matches === undefined) {
    ctx.addIssue({ code: 'custom', path: ['flags'], message: 'Expected `flags` only with `matches`, got it without' });
  }
  if (typeof condition.matches === 'string') {
    try {
      new RegExp(condition.matches, typeof condition.flags === 'string' ? condition.flags : '');
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        path: ['matches'],
        message: `Expected \`matches\` to be a regular expression, got \`${condition.matches}\` (${(error as Error).message})`,
      });
    }
  }
}

/** The zod schema of a standalone condition (a `route.when` entry). */
export const conditionSchema = z.strictObject(conditionShape, { error: 'a map with `column` and one test' }).superRefine(checkOneTest);

function sizeOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  return undefined;
}

/**
 * Compiles a condition into a predicate over rows. A missing column fails every test but
 * `exists: true, not: true`.
 * @example
 * const short = rowCondition({ column: 'text', max: 200 });
 * short({ text: 'hello' }) // true
 */
export function rowCondition(condition: RowCondition): (row: unknown) => boolean {
  const { column } = condition;
  let test: (value: unknown, found: boolean) => boolean;
  if (condition.nonEmpty) {
    test = (value) =>
      typeof value === 'string'
        ? value.trim() !== ''
        : Array.isArray(value)
          ? value.length > 0
          : value !== null && typeof value === 'object'
            ? Object.keys(value).length > 0
            : false;
  } else if (condition.exists) {
    test = (value, found) => found && value !== null;
  } else if (condition.equals !== undefined) {
    const expected = condition.equals;
    test = (value) => value === expected;
  } else if (condition.in !== undefined) {
    const allowed = new Set<unknown>(condition.in);
    test = (value) => allowed.has(value);
  } else if (condition.matches !== undefined) {
    const pattern = new RegExp(condition.matches, (condition.flags ?? '').replace(/[gy]/g, ''));
    test = (value) => typeof value === 'string' && pattern.test(value);
  } else if (condition.min !== undefined || condition.max !== undefined) {
    const { min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY } = condition;
    test = (value) => {
      const size = sizeOf(value);
      return size !== undefined && size >= min && size <= max;
    };
  } else {
    throw new SluiceConfigError(`Expected one test on \`${column}\` (\`nonEmpty\`, \`exists\`, \`equals\`, \`in\`, \`matches\`, \`min\`/\`max\`), got none`);
  }
  const negate = condition.not === true;
  return function testRow(row) {
    const { found, value } = readPath(row, column);
    return test(value, found) !== negate;
  };
}
