/**
 * Whether an LLM's endpoint can still answer anyone: the evidence that turns per-request
 * failures into one run-stopping error instead of a failed row per input row.
 *
 * - A 401 or 403 means the key is refused: no other request will fare better.
 * - Connection refused (or no such host) from the first such failure on, with no answer of any
 *   kind since, for `unreachableAfterMs`: the server is down. Shorter outages (a restart) are
 *   waited out, and rows do not fail for them.
 * - Nothing but 429s for `maxRateLimitedMs`: the quota is spent (a daily limit, an empty balance).
 *
 * Once tripped it stays tripped: every later call fails at once with the same error, without a request.
 * @module
 */
import type { Clock } from './rate-limiter.ts';
import type { LlmError } from './llm-errors.ts';

export interface EndpointHealthOptions {
  /** How long nothing may answer before the server counts as down. Default 10 000 ms. */
  unreachableAfterMs?: number;
  /** How long nothing but 429s may come before the quota counts as spent. Default 900 000 ms (15 min). */
  maxRateLimitedMs?: number;
  clock?: Pick<Clock, 'now'>;
}

/** Tracks the endpoint's answers; `fatal` is set once the evidence says no call can succeed. */
export class EndpointHealth {
  readonly unreachableAfterMs: number;
  readonly maxRateLimitedMs: number;
  readonly #clock: Pick<Clock, 'now'>;
  #unreachableSince: number | undefined;
  #rateLimitedSince: number | undefined;
  #fatal: LlmError | undefined;

  constructor({ unreachableAfterMs = 10_000, maxRateLimitedMs = 900_000, clock = { now: () => performance.now() } }: EndpointHealthOptions = {}) {
    this.unreachableAfterMs = unreachableAfterMs;
    this.maxRateLimitedMs = maxRateLimitedMs;
    this.#clock = clock;
  }

  /** The error that stopped this endpoint, once one has. */
  get fatal(): LlmError | undefined {
    return this.#fatal;
  }

  /** The server answered with this HTTP status (any status: it is up). */
  answered(status: number): void {
    this.#unreachableSince = undefined;
    if (status !== 429) this.#rateLimitedSince = undefined;
  }

  /** A connection could not be made. True when the server has now been unreachable for too long. */
  unreachable(): boolean {
    const now = this.#clock.now();
    this.#unreachableSince ??= now;
    return now - this.#unreachableSince >= this.unreachableAfterMs;
  }

  /** How long until an unreachable server counts as down (0 when it already does, or is not unreachable). */
  unreachableMsLeft(): number {
    if (this.#unreachableSince === undefined) return 0;
    return Math.max(0, this.#unreachableSince + this.unreachableAfterMs - this.#clock.now());
  }

  /** A 429 came. True when nothing but 429s has come for too long. */
  rateLimited(): boolean {
    const now = this.#clock.now();
    this.answered(429);
    this.#rateLimitedSince ??= now;
    return now - this.#rateLimitedSince >= this.maxRateLimitedMs;
  }

  /** Marks the endpoint as stopped by `error`; the first error wins. */
  trip(error: LlmError): LlmError {
    this.#fatal ??= error;
    return this.#fatal;
  }
}
