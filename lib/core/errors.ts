/**
 * One error base with stable codes, in the manner of undici's `lib/core/errors.js`.
 * Messages say what to do next; data (code, details) is kept apart from wording.
 * @module
 */

import type { SluiceErrorCode } from './error-codes.ts';

/**
 * Base class of every error Sluice throws or records in a failed row.
 *
 * `instanceof` and `isInstance` work across two copies of the package (an app and a library each
 * bundling Sluice), as undici's errors do: each class has a brand, `Symbol.for('sluice.error.<Name>')`,
 * which its instances carry, and checks look for the brand rather than the prototype.
 */
export class SluiceError extends Error {
  /** The brand of this class; every class with its own `brand` gets a cross-copy `instanceof`. */
  static readonly brand: symbol = Symbol.for('sluice.error.SluiceError');
  override name = 'SluiceError';
  readonly code: SluiceErrorCode = 'SLUICE_ERROR';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    for (let c = new.target as unknown; typeof c === 'function' && c !== Error; c = Object.getPrototypeOf(c)) {
      if (Object.hasOwn(c, 'brand')) Object.defineProperty(this, (c as typeof SluiceError).brand, { value: true });
    }
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    // A subclass without its own brand (a private error class) falls back to the prototype chain.
    if (!Object.hasOwn(this, 'brand')) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[this.brand] === true;
  }

  /** True for an instance of this class, made by any copy of the package. */
  static isInstance<T>(this: abstract new (...args: never[]) => T, value: unknown): value is T {
    return value instanceof this;
  }

  /** True for any Sluice error, across module copies (`isInstance`, or an error whose `code` starts with `SLUICE_`). */
  static is(value: unknown): value is SluiceError {
    return SluiceError.isInstance(value) || (value instanceof Error && String((value as { code?: unknown }).code ?? '').startsWith('SLUICE_'));
  }
}

/** Which option was wrong, what it should have been, and what it was. */
export interface ConfigErrorData {
  /** The option, as the user wrote it (`concurrency`, `steps[2].generate.prompt`). */
  readonly option?: string;
  /** What it should have been, in words (`an integer from 1 and up`). */
  readonly expected?: string;
  /** What it was: the value itself when the thrower had it, else the text the message shows. */
  readonly received?: unknown;
}

/** `Expected \`option\` to be …, got \`…\``: the form of configuration messages, read back into data. */
const EXPECTED = /^Expected `([^`]+)` to be (.+?), got `([^`]*)`\.?$/s;

/** A pipeline, step or option is set up wrongly. Raised when the pipeline is built or validated. */
export class SluiceConfigError extends SluiceError {
  static override readonly brand: symbol = Symbol.for('sluice.error.SluiceConfigError');
  override name = 'SluiceConfigError';
  override readonly code: SluiceErrorCode = 'SLUICE_CONFIG';
  readonly option: string | undefined;
  readonly expected: string | undefined;
  readonly received: unknown;
  constructor(message: string, data: ConfigErrorData & ErrorOptions = {}) {
    super(message, data.cause === undefined ? undefined : { cause: data.cause });
    // Messages of the house form say it all: "Expected `option` to be what, got `this`".
    const said = data.option === undefined ? EXPECTED.exec(message) : null;
    this.option = data.option ?? said?.[1];
    this.expected = data.expected ?? said?.[2];
    this.received = 'received' in data ? data.received : said?.[3];
  }
}

/** A step needs columns that nothing upstream produces. */
export class MissingColumnsError extends SluiceConfigError {
  static override readonly brand: symbol = Symbol.for('sluice.error.MissingColumnsError');
  override name = 'MissingColumnsError';
  override readonly code = 'SLUICE_MISSING_COLUMNS';
  readonly step: string;
  readonly missing: readonly string[];
  readonly available: readonly string[];
  constructor(step: string, missing: readonly string[], available: readonly string[]) {
    const list = (cols: readonly string[]) => (cols.length ? cols.map((c) => `\`${c}\``).join(', ') : 'no columns');
    const suggestion =
      missing.length === 1 && available.length > 0
        ? ` Map it with \`inputs: { ${missing[0]}: '${available[0]}' }\`, or add a step that produces it.`
        : " Add a step that produces them, or map them with `inputs: { column: 'upstreamColumn' }`.";
    super(`Step \`${step}\` needs column${missing.length > 1 ? 's' : ''} ${list(missing)}, but upstream produces ${list(available)}.${suggestion}`);
    this.step = step;
    this.missing = missing;
    this.available = available;
  }
}

/** An input line could not be read as a JSON object. Recorded on the failed row; never thrown at the run. */
export class InputError extends SluiceError {
  static override readonly brand: symbol = Symbol.for('sluice.error.InputError');
  override name = 'InputError';
  override readonly code: InputErrorCode;
  readonly line: number | undefined;
  constructor(code: InputErrorCode, message: string, line?: number) {
    super(message);
    this.code = code;
    this.line = line;
  }
}
/** The codes of records that could not be read: the catalogue's input codes, less those of a whole input. */
export type InputErrorCode = Exclude<Extract<SluiceErrorCode, `SLUICE_INPUT_${string}`>, 'SLUICE_INPUT_NOT_FOUND' | 'SLUICE_INPUT_HTTP'>;

/** An input file does not exist or cannot be opened. */
export class InputNotFoundError extends SluiceError {
  static override readonly brand: symbol = Symbol.for('sluice.error.InputNotFoundError');
  override name = 'InputNotFoundError';
  override readonly code = 'SLUICE_INPUT_NOT_FOUND';
}

/** A row could not be written as JSON (a BigInt, a circular reference). Recorded on the failed row. */
export class OutputNotJsonError extends SluiceError {
  static override readonly brand: symbol = Symbol.for('sluice.error.OutputNotJsonError');
  override name = 'OutputNotJsonError';
  override readonly code = 'SLUICE_OUTPUT_NOT_JSON';
}

/** A row's leaf maps to a file that another leaf, or the failed rows, already write. Recorded on the failed row. */
export class LeafConflictError extends SluiceError {
  static override readonly brand: symbol = Symbol.for('sluice.error.LeafConflictError');
  override name = 'LeafConflictError';
  override readonly code = 'SLUICE_SINK_LEAF_CONFLICT';
}

/** A sink could not write (a full disk, a closed pipe, no permission): the run stops. */
export class SinkWriteError extends SluiceError {
  static override readonly brand: symbol = Symbol.for('sluice.error.SinkWriteError');
  override name = 'SinkWriteError';
  override readonly code = 'SLUICE_SINK_WRITE';
}

/** A row came to a sink after it was closed. */
export class SinkClosedError extends SluiceError {
  static override readonly brand: symbol = Symbol.for('sluice.error.SinkClosedError');
  override name = 'SinkClosedError';
  override readonly code = 'SLUICE_SINK_CLOSED';
}

/** The run stopped because failures went over the policy (`onError: 'fail'` or `maxFailureRate`). */
export class FailurePolicyError extends SluiceError {
  static override readonly brand: symbol = Symbol.for('sluice.error.FailurePolicyError');
  override name = 'FailurePolicyError';
  override readonly code = 'SLUICE_FAILURE_POLICY';
}

/** The run could make no progress: rows were in flight and nothing was left to happen (a sink holding rows). */
export class NoProgressError extends SluiceError {
  static override readonly brand: symbol = Symbol.for('sluice.error.NoProgressError');
  override name = 'NoProgressError';
  override readonly code = 'SLUICE_NO_PROGRESS';
}

/**
 * True for an error that no row can outlive: the LLM refuses the key, its server is gone, its
 * quota is spent. Steps do not turn such an error into a failed row; the run stops on it, and
 * the rows it touched stay not done, so a resume redoes them once the cause is fixed.
 */
export function isRunFatal(error: unknown): boolean {
  return error instanceof Error && (error as { fatal?: unknown }).fatal === true;
}

/**
 * A row cut short without being judged: the run stopped (a signal, a fatal error) before the row's
 * work was done. It is neither failed nor done; a resume redoes it.
 */
export class RowAbandonedError extends SluiceError {
  static override readonly brand: symbol = Symbol.for('sluice.error.RowAbandonedError');
  override name = 'RowAbandonedError';
  override readonly code = 'SLUICE_ROW_ABANDONED';
  readonly abandoned = true;
}

/** A row that a step built from a raw operator neither emitted, failed nor dropped. */
export class RowLostError extends SluiceError {
  static override readonly brand: symbol = Symbol.for('sluice.error.RowLostError');
  override name = 'RowLostError';
  override readonly code = 'SLUICE_ROW_LOST';
}

/** True for errors that leave their row not done rather than failed: `RowAbandonedError` and run-stopping ones. */
export function isAbandoning(error: unknown): boolean {
  return isRunFatal(error) || (error instanceof Error && (error as { abandoned?: unknown }).abandoned === true);
}

/** Turns anything thrown into the `{ code, message }` pair stored in failed rows. */
export function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : error.name || 'Error', message: error.message };
  }
  return { code: 'Error', message: String(error) };
}
