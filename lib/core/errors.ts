/**
 * One error base with stable codes, in the manner of undici's `lib/core/errors.js`.
 * Messages say what to do next; data (code, details) is kept apart from wording.
 * @module
 */

/** Base class of every error Sluice throws or records in a failed row. */
export class SluiceError extends Error {
  override name = 'SluiceError';
  readonly code: string = 'SLUICE_ERROR';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
  /** True for any Sluice error, across module copies (duck-typed on `code`). */
  static is(value: unknown): value is SluiceError {
    return value instanceof SluiceError
      || (value instanceof Error && String((value as { code?: unknown }).code ?? '').startsWith('SLUICE_'));
  }
}

/** A pipeline, step or option is set up wrongly. Raised when the pipeline is built or validated. */
export class SluiceConfigError extends SluiceError {
  override name = 'SluiceConfigError';
  override readonly code: string = 'SLUICE_CONFIG';
}

/** A step needs columns that nothing upstream produces. */
export class MissingColumnsError extends SluiceConfigError {
  override name = 'MissingColumnsError';
  override readonly code = 'SLUICE_MISSING_COLUMNS';
  readonly step: string;
  readonly missing: readonly string[];
  readonly available: readonly string[];
  constructor(step: string, missing: readonly string[], available: readonly string[]) {
    const list = (cols: readonly string[]) => (cols.length ? cols.map((c) => `\`${c}\``).join(', ') : 'no columns');
    const suggestion = missing.length === 1 && available.length > 0
      ? ` Map it with \`inputs: { ${missing[0]}: '${available[0]}' }\`, or add a step that produces it.`
      : ' Add a step that produces them, or map them with `inputs: { column: \'upstreamColumn\' }`.';
    super(`Step \`${step}\` needs column${missing.length > 1 ? 's' : ''} ${list(missing)}, but upstream produces ${list(available)}.${suggestion}`);
    this.step = step;
    this.missing = missing;
    this.available = available;
  }
}

/** An input line could not be read as a JSON object. Recorded on the failed row; never thrown at the run. */
export class InputError extends SluiceError {
  override name = 'InputError';
  override readonly code: InputErrorCode;
  readonly line: number | undefined;
  constructor(code: InputErrorCode, message: string, line?: number) {
    super(message);
    this.code = code;
    this.line = line;
  }
}
export type InputErrorCode =
  | 'SLUICE_INPUT_INVALID_JSON'
  | 'SLUICE_INPUT_NOT_OBJECT'
  | 'SLUICE_INPUT_INVALID_UTF8'
  | 'SLUICE_INPUT_LINE_TOO_LONG'
  | 'SLUICE_INPUT_TOO_DEEP'
  | 'SLUICE_INPUT_SCHEMA';

/** An input file does not exist or cannot be opened. */
export class InputNotFoundError extends SluiceError {
  override name = 'InputNotFoundError';
  override readonly code = 'SLUICE_INPUT_NOT_FOUND';
}

/** A row could not be written as JSON (a BigInt, a circular reference). Recorded on the failed row. */
export class OutputNotJsonError extends SluiceError {
  override name = 'OutputNotJsonError';
  override readonly code = 'SLUICE_OUTPUT_NOT_JSON';
}

/** A row's leaf maps to a file that another leaf, or the failed rows, already write. Recorded on the failed row. */
export class LeafConflictError extends SluiceError {
  override name = 'LeafConflictError';
  override readonly code = 'SLUICE_SINK_LEAF_CONFLICT';
}

/** A sink could not write (a full disk, a closed pipe, no permission): the run stops. */
export class SinkWriteError extends SluiceError {
  override name = 'SinkWriteError';
  override readonly code = 'SLUICE_SINK_WRITE';
}

/** A row came to a sink after it was closed. */
export class SinkClosedError extends SluiceError {
  override name = 'SinkClosedError';
  override readonly code = 'SLUICE_SINK_CLOSED';
}

/** A step's own code threw on a row. Wraps the cause, keeps the step name. */
export class StepError extends SluiceError {
  override name = 'StepError';
  override readonly code = 'SLUICE_STEP_FAILED';
  readonly step: string;
  constructor(step: string, cause: unknown) {
    super(`Step \`${step}\` failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.step = step;
  }
}

/** The run stopped because failures went over the policy (`onError: 'fail'` or `maxFailureRate`). */
export class FailurePolicyError extends SluiceError {
  override name = 'FailurePolicyError';
  override readonly code = 'SLUICE_FAILURE_POLICY';
}

/** The run could make no progress: rows were in flight and nothing was left to happen (a sink holding rows). */
export class NoProgressError extends SluiceError {
  override name = 'NoProgressError';
  override readonly code = 'SLUICE_NO_PROGRESS';
}

/** The run was interrupted (SIGINT or `stop()`); work in flight was drained and flushed. */
export class InterruptedError extends SluiceError {
  override name = 'InterruptedError';
  override readonly code = 'SLUICE_INTERRUPTED';
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
  override name = 'RowAbandonedError';
  override readonly code = 'SLUICE_ROW_ABANDONED';
  readonly abandoned = true;
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
