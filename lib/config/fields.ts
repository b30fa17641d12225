/**
 * The field types definitions are made of, as zod schemas whose error text is the expectation
 * itself (`an integer from 1 and up`): `describeIssue` turns it into "Expected `concurrency` to
 * be an integer from 1 and up, got `"many"`". Each field carries a description, for messages
 * about missing keys and for docs.
 * @module
 */
import { z } from 'zod';

const CONCURRENCY = 'an integer from 1 and up or `.inf`';
const POSITIVE = 'a number above 0 or `.inf`';
const NAME = 'a non-empty name without `/`';

/** Field builders: `field.text('The user message…')`. Each returns a required schema; add `.optional()`. */
export const field = {
  /** Any string. */
  text: (description: string) => z.string({ error: 'a string' }).describe(description),
  /** A non-empty string. */
  nonEmpty: (description: string) => z.string({ error: 'a non-empty string' }).min(1, { error: 'a non-empty string' }).describe(description),
  /** A step, branch or leaf name: non-empty, without `/` (which separates branch paths). */
  name: (description: string) =>
    z
      .string({ error: NAME })
      .min(1, { error: NAME })
      .regex(/^[^/]+$/, { error: NAME })
      .describe(description),
  /** An integer from 1 and up. */
  count: (description: string) => z.int({ error: 'an integer from 1 and up' }).min(1, { error: 'an integer from 1 and up' }).describe(description),
  /** An integer from 0 and up. */
  natural: (description: string) => z.int({ error: 'an integer from 0 and up' }).min(0, { error: 'an integer from 0 and up' }).describe(description),
  /** An integer from 1 and up, or `.inf` (unbounded). */
  concurrency: (description: string) =>
    z.union([z.int({ error: CONCURRENCY }).min(1, { error: CONCURRENCY }), z.literal(Number.POSITIVE_INFINITY)], { error: CONCURRENCY }).describe(description),
  /** A number above 0, or `.inf`. */
  positive: (description: string) =>
    z.union([z.number({ error: POSITIVE }).positive({ error: POSITIVE }), z.literal(Number.POSITIVE_INFINITY)], { error: POSITIVE }).describe(description),
  /** A finite number. */
  number: (description: string) => z.number({ error: 'a number' }).describe(description),
  /** `true` or `false`. */
  flag: (description: string) => z.boolean({ error: '`true` or `false`' }).describe(description),
  /** One of a few words. */
  oneOf: <const T extends readonly [string, ...string[]]>(values: T, description: string) =>
    z.enum(values, { error: values.map((v) => `\`${v}\``).join(' or ') }).describe(description),
  /** A list of names (columns, leaves). */
  names: (description: string) =>
    z.array(z.string({ error: 'a non-empty string' }).min(1, { error: 'a non-empty string' }), { error: 'a list of names' }).describe(description),
  /** A map of strings to strings (`{ question: prompt }`). */
  stringMap: (description: string) => z.record(z.string(), z.string({ error: 'a string' }), { error: 'a map of names to strings' }).describe(description),
  /** A map of free-form JSON values. */
  jsonMap: (description: string) => z.record(z.string(), z.unknown(), { error: 'a map' }).describe(description),
  /** A JSON scalar: string, number, boolean or null. */
  scalar: (description: string) =>
    z.union([z.string(), z.number(), z.boolean(), z.null()], { error: 'a string, a number, `true`, `false` or `null`' }).describe(description),
} as const;

/** Options every step has. */
export const stepOptions = {
  name: field.name('Unique step name (default: the kind). `--set name.param=…` and the run summary use it.').optional(),
  onError: field.oneOf(['skip', 'fail'], 'What a row failing in this step does: `skip` records it and goes on (default), `fail` stops the run.').optional(),
};
