/**
 * One LLM call, from queue to answer: a slot from the adaptive concurrency, a pass from the
 * RPM/TPM limiter, one attempt, and on failure the verdict of the retry policy and the
 * endpoint's health. This is where the throttling rules live:
 *
 * - a **429** delays its own request by the server's `retry-after` (capped, plus jitter so the
 *   delayed requests do not return in one burst) and never spends the retry budget or the
 *   attempts. When 429s are evidence of a limit, the adaptive limits pace and narrow the LLM
 *   (`adaptive-limits.ts`). The whole LLM pauses only when 429s come in long runs (the server's
 *   budget is spent for everyone) or the headers say nothing remains;
 * - a **5xx, reset, timeout or bad body** is retried with backoff, within the attempts and the
 *   retry budget, which exists to fail a broken server's rows fast;
 * - **401/403**, a server **unreachable** for `unreachableAfterMs`, or **only 429s** for
 *   `maxRateLimitedMs` stop the endpoint: this call and every later one fail with one fatal error.
 * @module
 */
import type { Subject } from 'rxjs';
import type { AdaptiveLimits } from './adaptive-limits.ts';
import { describeLlmFailure, type FailureContext } from './describe-llm-failure.ts';
import type { EndpointHealth } from './endpoint-health.ts';
import { LlmAbortError, type LlmError, LlmFinishReasonError, LlmQuotaError, LlmRetryBudgetError, LlmUnavailableError } from './llm-errors.ts';
import type { LlmEvent } from './llm-event.ts';
import type { Clock, RateLimiter } from './rate-limiter.ts';
import type { SharedRateLimit } from './shared-rate-limit.ts';
import type { RetryDecision, RetryPolicy } from './retry-policy.ts';
import { sendAttempt, type LlmCallKind, type SentResponse } from './send-attempt.ts';
import type { EstimableRequest, TokenEstimate, TokenEstimator } from './token-estimate.ts';
import type { Usage } from './usage.ts';

/** The parts of one LLM that every call shares. */
export interface CallRuntime extends FailureContext {
  slots: AdaptiveLimits;
  rateLimiter: RateLimiter;
  estimator: TokenEstimator;
  retryPolicy: RetryPolicy;
  health: EndpointHealth;
  usage: Usage;
  events: Subject<LlmEvent>;
  clock: Clock;
  timeoutMs: number;
  maxRetryAfterMs: number;
  /** Jitter source in [0, 1). */
  random: () => number;
  /** `rpm`/`tpm` held in Redis for every process, after this process's own limiter. */
  sharedLimit?: SharedRateLimit;
}

/** What a successful attempt hands to the caller's bookkeeping. */
export interface Answer<T> {
  sent: SentResponse<T>;
  attempt: number;
  estimate: TokenEstimate;
  durationMs: number;
}

// A server that refuses connections is polled at least this often, to notice it coming back.
const MAX_UNREACHABLE_DELAY_MS = 2_000;
// A 429's wait is retry-after × (1 + up to this): delayed requests spread out instead of returning at once.
const RATE_LIMIT_JITTER = 0.25;

/**
 * Runs one call to its answer or its final error. `signal` aborts it wherever it is.
 * `onAnswer` does the accounting of a successful attempt and may throw (a finish reason the user
 * fails on); what it throws ends the call as it is.
 */
export async function callWithRetries<T, R>(
  runtime: CallRuntime,
  call: { kind: LlmCallKind; number: number; body: EstimableRequest; signal: AbortSignal; drain?: AbortSignal },
  send: (signal: AbortSignal) => Promise<SentResponse<T>>,
  onAnswer: (answer: Answer<T>) => R,
): Promise<R> {
  const { llm: name, slots, rateLimiter, estimator, retryPolicy, health, usage, events, clock } = runtime;
  const { kind, signal, drain } = call;
  // Waits (for a slot, a pass, a retry delay) end on either signal; an attempt in flight only on `signal`.
  const waits = drain ? AbortSignal.any([signal, drain]) : signal;
  const base = { llm: name, kind, call: call.number };
  // An abort whose reason is the endpoint's fatal error (another call tripped it) ends this call with that error.
  const stopped = (attempts: number) =>
    health.fatal && signal.reason === health.fatal ? health.fatal : abortedError(name, call.number, attempts, signal.aborted ? signal.reason : drain?.reason);
  let failures = 0;
  let rateLimits = 0;
  for (let attempt = 1; ; attempt++) {
    if (health.fatal) throw health.fatal;
    // After the run's stop (`drain`), no new attempt starts.
    if (waits.aborted) throw stopped(attempt - 1);
    try {
      await slots.acquire(waits, attempt > 1);
    } catch {
      throw stopped(attempt - 1);
    }
    let estimate: TokenEstimate | undefined;
    let startedAt = clock.now();
    let failure: LlmError;
    let raw: unknown;
    let sent = false;
    try {
      if (health.fatal) throw health.fatal;
      estimate = estimator.estimate(call.body);
      await rateLimiter.acquire(estimate.total, waits);
      if (runtime.sharedLimit) await runtime.sharedLimit.take(estimate.total, waits);
      if (waits.aborted) throw waits.reason;
      usage.recordRequest();
      sent = true;
      if (events.observed) events.next({ ...base, type: 'request', attempt, estimatedTokens: estimate.total });
      startedAt = clock.now();
      const answer = await sendAttempt(send, { llm: name, kind, timeoutMs: runtime.timeoutMs, signal, timers: clock, attempt });
      const durationMs = clock.now() - startedAt;
      health.answered(answer.response.status);
      slots.answered(durationMs);
      pace(runtime);
      return onAnswer({ sent: answer, attempt, estimate, durationMs });
    } catch (error) {
      if (error instanceof LlmFinishReasonError || error === health.fatal) throw error;
      if (waits.aborted && (!sent || signal.aborted)) throw stopped(sent ? attempt : attempt - 1);
      raw = error;
      failure = describeLlmFailure(error, attempt, runtime);
    } finally {
      slots.release();
    }

    const status = failure.status;
    const headers = (raw as { headers?: Headers }).headers;
    if (headers && typeof headers.get === 'function') rateLimiter.learn(headers);
    // The server answered with an error: it did not spend the tokens we charged.
    if (status !== undefined && estimate) rateLimiter.settle(estimate.total, 0);
    if (status !== undefined) health.answered(status);

    const decision: RetryDecision = retryPolicy.decide(raw, status === 429 ? ++rateLimits : ++failures);
    let delayMs = decision.delayMs;
    if (decision.reason === 'auth') {
      throw health.trip(failure);
    } else if (decision.reason === 'unreachable') {
      if (health.unreachable()) {
        throw health.trip(
          new LlmUnavailableError(
            `${failure.message}. Nothing has answered there for ${duration(health.unreachableAfterMs)}, so the run stops. ` +
              'Start the server (or fix `baseURL` / OPENAI_BASE_URL), then run the same command again: done rows are kept.',
            { llm: name, attempts: attempt, cause: failure },
          ),
        );
      }
      delayMs = Math.min(delayMs, MAX_UNREACHABLE_DELAY_MS, Math.max(1, health.unreachableMsLeft()));
    } else if (decision.reason === 'rate-limit') {
      usage.recordRateLimited();
      const verdict = slots.rateLimited(startedAt, decision.retryAfterMs === undefined ? undefined : Math.min(decision.retryAfterMs, runtime.maxRetryAfterMs));
      if (verdict.limited) pace(runtime);
      if (health.rateLimited()) {
        throw health.trip(
          new LlmQuotaError(
            `LLM \`${name}\` has answered nothing but 429 for ${duration(health.maxRateLimitedMs)}: its quota looks spent. ` +
              'The run stops; run the same command again later (done rows are kept), or raise the limit with your provider.',
            { llm: name, attempts: attempt, status: 429, cause: failure },
          ),
        );
      }
      if (decision.retryAfterMs !== undefined) {
        const wait = Math.min(decision.retryAfterMs, runtime.maxRetryAfterMs);
        // The server's budget is spent for every request, not just this one: hold them all.
        if (verdict.exhausted) rateLimiter.pause(wait);
        delayMs = wait * (1 + RATE_LIMIT_JITTER * runtime.random());
      }
      events.next({ ...base, type: 'rate-limited', attempt, status: 429, delayMs: Math.round(delayMs) });
    }

    if (!decision.retry) {
      failure.attempts = attempt;
      if (decision.stop === 'attempts' && attempt > 1) failure.message += ` (gave up after ${attempt} attempts)`;
      if (decision.stop === 'budget') {
        throw new LlmRetryBudgetError(
          `${failure.message}. Not retried: the retry budget of LLM \`${name}\` is spent (${retryPolicy.snapshot().retries} retries so far): ` +
            'the server fails too many requests (5xx, resets, bad bodies; 429s do not count). Rows fail fast until it recovers.',
          {
            llm: name,
            attempts: attempt,
            ...(status === undefined ? {} : { status }),
            ...(failure.requestId ? { requestId: failure.requestId } : {}),
            cause: failure,
          },
        );
      }
      throw failure;
    }
    usage.recordRetry();
    events.next({ ...base, type: 'retry', attempt, status, delayMs: Math.round(delayMs), reason: decision.reason, code: failure.code });
    if (delayMs > 0) {
      try {
        await sleep(delayMs, waits, clock);
      } catch {
        throw stopped(attempt);
      }
    }
  }
}

/** Hands the learnt pacing rate to the limiter. */
function pace(runtime: CallRuntime): void {
  runtime.rateLimiter.adaptRequests(runtime.slots.rate * 60);
}

/** The abort reason `close()` uses, told apart from a caller's abort. */
export class LlmClosed extends Error {
  override name = 'LlmClosed';
}

export function abortedError(llm: string, call: number, attempts: number, reason: unknown): LlmAbortError {
  const closed = reason === 'closed' || reason instanceof LlmClosed;
  const message = closed ? `LLM \`${llm}\` was closed; call ${call} did not finish` : `LLM \`${llm}\` call ${call} was aborted`;
  return new LlmAbortError(message, { llm, attempts, ...(closed || reason === undefined ? {} : { cause: reason }) });
}

function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;
}

function sleep(ms: number, signal: AbortSignal, timers: Pick<Clock, 'setTimeout' | 'clearTimeout'>): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      timers.clearTimeout(handle);
      reject(signal.reason);
    };
    const handle = timers.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
