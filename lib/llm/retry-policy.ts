/**
 * When to retry an LLM call, and after how long.
 *
 * `classify` is a pure function from an error to a verdict; `RetryPolicy` adds the two limits
 * that need state: the number of attempts per call, and a retry budget shared by all calls of
 * one LLM, so that a *broken* server (5xx storms, resets, bodies that are not answers) is not hit
 * with five times the traffic and its rows fail fast.
 *
 * Retried: 408, 409, 429, 5xx, connection failures, timeouts, and 200s that are not answers
 * (not JSON, cut off, no `choices`). A server's `x-should-retry` header is obeyed when present.
 * Not retried: 401/403 (`auth`: the caller stops everything), other 4xx (the request itself is
 * wrong), aborts, and anything unrecognised (more likely a bug than a transient failure).
 *
 * Two reasons are outside the attempt limit and the budget, because they say nothing about the
 * request or a broken server: `rate-limit` (a 429 means "slow down") and `unreachable` (nothing
 * listens: the caller waits a bounded time for the server, then stops the run).
 * @module
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { SluiceConfigError } from '../core/errors.ts';
import { LlmAbortError, LlmBadResponseError, LlmError, LlmFinishReasonError } from './llm-errors.ts';

export type RetryReason =
  | 'rate-limit'
  | 'server-error'
  | 'request-timeout'
  | 'conflict'
  | 'timeout'
  | 'connection'
  | 'unreachable'
  | 'bad-response'
  | 'auth'
  | 'server-says-retry'
  | 'client-error'
  | 'server-says-no-retry'
  | 'aborted'
  | 'finish-reason'
  | 'unknown';

/** The verdict on one failed attempt. */
export interface Classification {
  retry: boolean;
  /** How long to wait before the next attempt (0 when not retried). */
  delayMs: number;
  reason: RetryReason;
  /** HTTP status, when the server answered. */
  status?: number;
  /** The server's own delay from `retry-after-ms` / `retry-after`, before capping. */
  retryAfterMs?: number;
}

export interface BackoffOptions {
  /** Delay scale of the first retry. Default 500 ms. */
  baseDelayMs?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
  /** Upper bound of the backoff (not of `retry-after`). Default 30 s. */
  maxDelayMs?: number;
  /** Upper bound of a server's `retry-after`. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Source of jitter in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Wall-clock time in ms, for `retry-after` HTTP dates. Default `Date.now`. */
  now?: () => number;
}

export interface RetryBudgetOptions {
  /** Retries allowed per call made. Default 0.2. */
  ratio?: number;
  /** Retries allowed on top, so a few early failures are retried. Default 10. */
  minRetries?: number;
}

export interface RetryPolicyOptions extends BackoffOptions {
  /** Attempts per call, the first included. Default 6. */
  maxAttempts?: number;
  /** `false` turns the budget off. Default `{ ratio: 0.2, minRetries: 10 }`. */
  budget?: RetryBudgetOptions | false;
}

/** A `Classification` after the policy's limits: `stop` says which limit ended the retries. */
export interface RetryDecision extends Classification {
  stop?: 'attempts' | 'budget';
}

// The connection was made, then lost: the server (or a proxy) is failing.
const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
// No connection at all: nothing listens there (yet).
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'SLUICE_LLM_TIMEOUT']);

/**
 * Decides whether an error is worth retrying and how long to wait first, with full-jitter
 * exponential backoff (`random() × min(maxDelayMs, baseDelayMs × factor^(attempt-1))`), or the
 * server's `retry-after-ms` / `retry-after` (seconds or an HTTP date) capped at `maxRetryAfterMs`.
 *
 * @param error - what the attempt threw (an SDK error, a Sluice LLM error, a network error).
 * @param attempt - which attempt failed, from 1.
 * @example
 * ```ts
 * classify(new RateLimitError(429, undefined, 'slow down', new Headers({ 'retry-after': '2' })), 1);
 * // { retry: true, delayMs: 2000, reason: 'rate-limit', status: 429, retryAfterMs: 2000 }
 * ```
 */
export function classify(error: unknown, attempt = 1, options: BackoffOptions = {}): Classification {
  const { baseDelayMs = 500, factor = 2, maxDelayMs = 30_000, maxRetryAfterMs = 60_000, random = Math.random, now = Date.now } = options;
  const backoff = () => Math.floor(random() * Math.min(maxDelayMs, baseDelayMs * factor ** Math.max(0, attempt - 1)));
  const verdict = (retry: boolean, reason: RetryReason, status?: number, headers?: unknown): Classification => {
    if (!retry) return { retry, delayMs: 0, reason, ...(status === undefined ? {} : { status }) };
    const retryAfterMs = retryAfter(headers, now);
    const delayMs = retryAfterMs === undefined ? backoff() : Math.min(retryAfterMs, maxRetryAfterMs);
    return { retry, delayMs, reason, ...(status === undefined ? {} : { status }), ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  };

  // SDK errors first: their classes say the most.
  if (error instanceof APIUserAbortError || error instanceof LlmAbortError) return verdict(false, 'aborted');
  if (error instanceof LlmFinishReasonError) return verdict(false, 'finish-reason');
  if (error instanceof LlmBadResponseError || error instanceof SyntaxError) return verdict(true, 'bad-response');
  if (error instanceof APIConnectionTimeoutError) return verdict(true, 'timeout');
  if (error instanceof APIConnectionError) return verdict(true, UNREACHABLE_CODES.has(networkCode(error) ?? '') ? 'unreachable' : 'connection');

  const status = statusOf(error);
  if (status !== undefined) {
    const headers = (error as { headers?: unknown }).headers;
    const shouldRetry = headerValue(headers, 'x-should-retry');
    if (status === 401 || status === 403) return verdict(false, 'auth', status);
    if (shouldRetry === 'false') return verdict(false, 'server-says-no-retry', status);
    if (status === 429) return verdict(true, 'rate-limit', status, headers);
    if (status === 408) return verdict(true, 'request-timeout', status, headers);
    if (status === 409) return verdict(true, 'conflict', status, headers);
    if (status >= 500) return verdict(true, 'server-error', status, headers);
    if (shouldRetry === 'true') return verdict(true, 'server-says-retry', status, headers);
    return verdict(false, 'client-error', status);
  }

  if (error instanceof Error && error.name === 'TimeoutError') return verdict(true, 'timeout');
  if (error instanceof Error && error.name === 'AbortError') return verdict(false, 'aborted');
  const code = networkCode(error);
  if (code !== undefined && TIMEOUT_CODES.has(code)) return verdict(true, 'timeout');
  if (code !== undefined && UNREACHABLE_CODES.has(code)) return verdict(true, 'unreachable');
  if (code !== undefined && (RETRYABLE_CODES.has(code) || code === 'SLUICE_LLM_CONNECTION')) return verdict(true, 'connection');
  return verdict(false, 'unknown');
}

/**
 * The retry rules of one LLM: `classify`, plus a limit on attempts per call and a retry
 * budget (retries may not exceed `ratio × calls + minRetries`) shared by its calls.
 * The budget counts over the LLM's lifetime. `rate-limit` and `unreachable` verdicts are
 * always retried here: neither spends the budget or the attempts (see the module comment).
 *
 * @example
 * ```ts
 * const policy = new RetryPolicy({ maxAttempts: 4 });
 * policy.recordCall();
 * const decision = policy.decide(error, attempt);
 * if (decision.retry) await sleep(decision.delayMs);
 * ```
 */
export class RetryPolicy {
  readonly maxAttempts: number;
  readonly #backoff: BackoffOptions;
  readonly #ratio: number;
  readonly #minRetries: number;
  #calls = 0;
  #retries = 0;

  constructor(options: RetryPolicyOptions = {}) {
    const {
      maxAttempts = 6,
      budget = {},
      baseDelayMs = 500,
      factor = 2,
      maxDelayMs = 30_000,
      maxRetryAfterMs = 60_000,
      random = Math.random,
      now = Date.now,
    } = options;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
      throw new SluiceConfigError(`Expected \`maxAttempts\` to be an integer from 1 and up, got \`${maxAttempts}\``);
    }
    for (const [name, value] of [
      ['baseDelayMs', baseDelayMs],
      ['maxDelayMs', maxDelayMs],
      ['maxRetryAfterMs', maxRetryAfterMs],
    ] as const) {
      if (!(value >= 0)) throw new SluiceConfigError(`Expected \`${name}\` to be a number from 0 and up, got \`${value}\``);
    }
    if (!(factor >= 1)) throw new SluiceConfigError(`Expected \`factor\` to be a number from 1 and up, got \`${factor}\``);
    const ratio = budget === false ? Infinity : (budget.ratio ?? 0.2);
    const minRetries = budget === false ? Infinity : (budget.minRetries ?? 10);
    if (!(ratio >= 0)) throw new SluiceConfigError(`Expected \`budget.ratio\` to be a number from 0 and up, got \`${ratio}\``);
    if (!(minRetries >= 0)) throw new SluiceConfigError(`Expected \`budget.minRetries\` to be a number from 0 and up, got \`${minRetries}\``);
    this.maxAttempts = maxAttempts;
    this.#backoff = { baseDelayMs, factor, maxDelayMs, maxRetryAfterMs, random, now };
    this.#ratio = ratio;
    this.#minRetries = minRetries;
  }

  /** Counts one call (not attempt) against which the budget grows. */
  recordCall(): void {
    this.#calls++;
  }

  /**
   * Classifies a failed attempt and applies the attempt limit and the budget. A retry it allows
   * is counted. `attempt` is the how-many-th failure of its kind this is, from 1: the caller
   * counts 429s apart from the other failures, so that 429s neither grow the backoff of a 5xx
   * nor use up the attempts.
   */
  decide(error: unknown, attempt: number): RetryDecision {
    const verdict = classify(error, attempt, this.#backoff);
    if (!verdict.retry || verdict.reason === 'rate-limit' || verdict.reason === 'unreachable') return verdict;
    if (attempt >= this.maxAttempts) return { ...verdict, retry: false, delayMs: 0, stop: 'attempts' };
    if (this.#retries + 1 > this.#ratio * this.#calls + this.#minRetries) return { ...verdict, retry: false, delayMs: 0, stop: 'budget' };
    this.#retries++;
    return verdict;
  }

  snapshot(): { calls: number; retries: number; budgetLeft: number } {
    return { calls: this.#calls, retries: this.#retries, budgetLeft: Math.max(0, Math.floor(this.#ratio * this.#calls + this.#minRetries - this.#retries)) };
  }
}

function statusOf(error: unknown): number | undefined {
  if (error instanceof APIError && typeof error.status === 'number') return error.status;
  if (error instanceof LlmError) return error.status;
  return undefined;
}

function networkCode(error: unknown): string | undefined {
  // fetch wraps network failures in TypeError('fetch failed', { cause }); look down the chain.
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (TIMEOUT_CODES.has(code) || RETRYABLE_CODES.has(code) || UNREACHABLE_CODES.has(code) || code === 'SLUICE_LLM_CONNECTION'))
      return code;
    current = current.cause;
  }
  return undefined;
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined;
}

/** The server's requested delay in ms, from `retry-after-ms`, or `retry-after` as seconds or an HTTP date. */
function retryAfter(headers: unknown, now: () => number): number | undefined {
  const ms = Number.parseFloat(headerValue(headers, 'retry-after-ms') ?? '');
  if (ms >= 0) return ms;
  const value = headerValue(headers, 'retry-after');
  if (value === undefined) return undefined;
  const seconds = Number(value.trim());
  if (value.trim() !== '' && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now());
}
