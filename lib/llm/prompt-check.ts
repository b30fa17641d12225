/**
 * Prompt templates checked against the row type at compile time. A template literal type reads the
 * `{{ … }}` expressions of a literal prompt, takes each variable's root (before `.`, `[` or a
 * `|` filter), and requires it to be a column of the row, or a name mapped by `inputs`:
 * `generate({ prompt: 'Answer {{ questoin }}' })` after a step that produced `question` fails
 * `tsc` with "prompt reads column `questoin`, which the rows do not have".
 *
 * No check is made when it could be wrong rather than helpful: a prompt that is a `string` (not a
 * literal), a template with `{% … %}` tags (they can define variables), or rows whose columns are
 * not known (`Record<string, unknown>`).
 * @module
 */

type Trim<S extends string> = S extends ` ${infer T}` | `\n${infer T}` ? Trim<T> : S extends `${infer T} ` | `${infer T}\n` ? Trim<T> : S;

/** The variable an expression starts from: `a` in `a.b | upcase`. */
type Root<S extends string> = S extends `${infer H}|${string}`
  ? Root<Trim<H>>
  : S extends `${infer H}.${string}`
    ? H
    : S extends `${infer H}[${string}`
      ? H
      : S;

/** The variables a liquid template reads in its `{{ … }}` expressions. */
export type TemplateVariables<S extends string> = S extends `${string}{{${infer Inner}}}${infer Rest}` ? Root<Trim<Inner>> | TemplateVariables<Rest> : never;

/** Variables of `P` that are neither a column of `R` nor a name in `inputs` (`I`). */
type UnknownVariables<P extends string, R, I> = string extends P
  ? never
  : P extends `${string}{%${string}`
    ? never
    : unknown extends R
      ? never
      : string extends keyof R
        ? never
        : Exclude<TemplateVariables<P>, Extract<keyof R, string> | Extract<keyof I, string>>;

/** `unknown` when the template reads only known columns; else a required property whose name says which column is wrong. */
export type PromptCheck<P extends string, R, I> = [UnknownVariables<P, R, I>] extends [never]
  ? unknown
  : { [K in `prompt reads column \`${UnknownVariables<P, R, I>}\`, which the rows do not have`]: never };

/** The `inputs` type when none are given. */
export type NoInputs = Readonly<Record<never, string>>;
