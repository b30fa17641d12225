/**
 * Errors of the LLM layer. Each has a stable `code`, the LLM's name, and how many attempts
 * were made, so a failed row can say what happened without keeping the SDK's error.
 *
 * SDK errors are never passed on as they are: their messages and bodies can echo request
 * headers, so the client builds these from status, code and a scrubbed message, and keeps
 * only a scrubbed copy as `cause` (see `redact.ts`).
 * @module
 */
import type { SluiceErrorCode } from '../core/error-codes.ts';
import { SluiceError } from '../core/errors.ts';

/** What every LLM error carries besides its message. */
export interface LlmErrorDetails {
  /** The LLM's name (`LlmOptions.name`). */
  llm: string;
  /** HTTP attempts made for the call, retries included. */
  attempts?: number;
  /** HTTP status of the last attempt, when the server answered. */
  status?: number;
  /** The server's request id (`x-request-id`), for support tickets. */
  requestId?: string;
  cause?: unknown;
}

/** Base of the LLM errors. */
export class LlmError extends SluiceError {
  static override readonly brand: symbol = Symbol.for('sluice.error.LlmError');
  override name = 'LlmError';
  override readonly code: SluiceErrorCode = 'SLUICE_LLM';
  readonly llm: string;
  attempts: number;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  /** True when no later call can succeed either (see `isRunFatal`): the run stops rather than failing rows. */
  readonly fatal: boolean = false;
  constructor(message: string, details: LlmErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.llm = details.llm;
    this.attempts = details.attempts ?? 1;
    this.status = details.status;
    this.requestId = details.requestId;
  }
}

/** A 429 as one attempt saw it. Retried without limit of attempts or budget: it never fails a row on its own. */
export class LlmRateLimitError extends LlmError {
  static override readonly brand: symbol = Symbol.for('sluice.error.LlmRateLimitError');
  override name = 'LlmRateLimitError';
  override readonly code = 'SLUICE_LLM_RATE_LIMIT';
}

/**
 * The LLM has answered nothing but 429 for `maxRateLimitedMs`: its quota looks spent (a daily
 * limit, an empty balance). Stops the run; resume it later with the same command.
 */
export class LlmQuotaError extends LlmError {
  static override readonly brand: symbol = Symbol.for('sluice.error.LlmQuotaError');
  override name = 'LlmQuotaError';
  override readonly code = 'SLUICE_LLM_QUOTA';
  override readonly fatal = true;
}

/** The server refused the key (401 or 403). Stops the run: no other row would fare better. */
export class LlmAuthError extends LlmError {
  static override readonly brand: symbol = Symbol.for('sluice.error.LlmAuthError');
  override name = 'LlmAuthError';
  override readonly code = 'SLUICE_LLM_AUTH';
  override readonly fatal = true;
}

/** Nothing has answered at the LLM's address for `unreachableAfterMs` (connection refused, no such host). Stops the run. */
export class LlmUnavailableError extends LlmError {
  static override readonly brand: symbol = Symbol.for('sluice.error.LlmUnavailableError');
  override name = 'LlmUnavailableError';
  override readonly code = 'SLUICE_LLM_UNAVAILABLE';
  override readonly fatal = true;
}

/** A 200 that is not a usable answer: not JSON, cut off, or without `choices`. Retried like a 5xx. */
export class LlmBadResponseError extends LlmError {
  static override readonly brand: symbol = Symbol.for('sluice.error.LlmBadResponseError');
  override name = 'LlmBadResponseError';
  override readonly code = 'SLUICE_LLM_BAD_RESPONSE';
}

/** An attempt took longer than `timeoutMs`. */
export class LlmTimeoutError extends LlmError {
  static override readonly brand: symbol = Symbol.for('sluice.error.LlmTimeoutError');
  override name = 'LlmTimeoutError';
  override readonly code = 'SLUICE_LLM_TIMEOUT';
}

/** The server answered with an error status (other than 429). */
export class LlmHttpError extends LlmError {
  static override readonly brand: symbol = Symbol.for('sluice.error.LlmHttpError');
  override name = 'LlmHttpError';
  override readonly code = 'SLUICE_LLM_HTTP';
}

/** No answer: the connection was refused, reset or closed. */
export class LlmConnectionError extends LlmError {
  static override readonly brand: symbol = Symbol.for('sluice.error.LlmConnectionError');
  override name = 'LlmConnectionError';
  override readonly code = 'SLUICE_LLM_CONNECTION';
}

/** The error was retryable, but the LLM's retry budget is spent: the server is failing too often. */
export class LlmRetryBudgetError extends LlmError {
  static override readonly brand: symbol = Symbol.for('sluice.error.LlmRetryBudgetError');
  override name = 'LlmRetryBudgetError';
  override readonly code = 'SLUICE_LLM_RETRY_BUDGET';
}

/** The reply finished for a reason listed in `failOnFinishReasons` (e.g. `length`: cut off at `max_tokens`). */
export class LlmFinishReasonError extends LlmError {
  static override readonly brand: symbol = Symbol.for('sluice.error.LlmFinishReasonError');
  override name = 'LlmFinishReasonError';
  override readonly code = 'SLUICE_LLM_FINISH_REASON';
  readonly finishReason: string;
  /** The reply that was cut off, kept so a failed row can hold the raw text. */
  readonly response: unknown;
  constructor(message: string, details: LlmErrorDetails & { finishReason: string; response: unknown }) {
    super(message, details);
    this.finishReason = details.finishReason;
    this.response = details.response;
  }
}

/** The caller aborted the call (its `signal`), or the LLM was closed. */
export class LlmAbortError extends LlmError {
  static override readonly brand: symbol = Symbol.for('sluice.error.LlmAbortError');
  override name = 'LlmAbortError';
  override readonly code = 'SLUICE_LLM_ABORTED';
}

/** A request the batch API did not answer (failed inside a batch, expired, cancelled) after every resubmission; the message has the provider's reason. */
export class LlmBatchError extends LlmError {
  static override readonly brand: symbol = Symbol.for('sluice.error.LlmBatchError');
  override name = 'LlmBatchError';
  override readonly code = 'SLUICE_LLM_BATCH';
}

/** Neither a base URL nor an API key could be found. Thrown by `createLlm`. */
export class LlmNotConfiguredError extends SluiceError {
  static override readonly brand: symbol = Symbol.for('sluice.error.LlmNotConfiguredError');
  override name = 'LlmNotConfiguredError';
  override readonly code = 'SLUICE_LLM_NOT_CONFIGURED';
}
