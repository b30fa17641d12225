/**
 * Sliding-window request and token limits, with OpenAI's `x-ratelimit-*` headers.
 * @module
 */
import { formatResetDuration } from './format-reset-duration.ts';

/** Limits for one window. An absent limit is not enforced and gets no headers. */
export interface RateLimits {
  /** Requests allowed in any window. */
  readonly rpm?: number | undefined;
  /** Tokens (prompt + completion estimate) allowed in any window. */
  readonly tpm?: number | undefined;
  /** Window length in milliseconds; 60,000 for per-minute limits. */
  readonly windowMs: number;
}

/** What `admit` decided. */
export type RateLimitVerdict =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** The limit that was hit; requests are checked first. */
      readonly kind: 'requests' | 'tokens';
      readonly limit: number;
      /** Requests or tokens already used in the window. */
      readonly used: number;
      /** 1 for requests; this request's tokens for tokens. */
      readonly requested: number;
      /** When the request would fit; the whole window if it can never fit. */
      readonly retryAfterMs: number;
    };

/**
 * Counts admitted requests and their tokens over a sliding window. A request is admitted at time `t`
 * only if the requests (and tokens) admitted in `(t - windowMs, t]` stay within the limits, so no
 * window of that length ever holds more than `rpm` admitted requests.
 *
 * Cost per request: amortised O(1) pruning, plus a walk of the window only when a token limit is hit.
 *
 * @example
 * ```ts
 * const window = new RateLimitWindow({ rpm: 30, windowMs: 1000 });
 * const verdict = window.admit(Date.now(), 120);
 * if (!verdict.ok) console.log(`retry in ${verdict.retryAfterMs} ms`);
 * ```
 */
export class RateLimitWindow {
  #limits: RateLimits;
  // Two parallel queues with a moving head: cheaper than an array of objects and `shift()`.
  #times: number[] = [];
  #tokens: number[] = [];
  #head = 0;
  #tokenSum = 0;

  constructor(limits: RateLimits) {
    this.#limits = limits;
  }

  /** Changes the limits; requests already counted stay counted. */
  configure(limits: RateLimits): void {
    this.#limits = limits;
  }

  /** True when at least one limit is set. */
  get enforcing(): boolean {
    return this.#limits.rpm !== undefined || this.#limits.tpm !== undefined;
  }

  /** Forgets every counted request. */
  clear(): void {
    this.#times = [];
    this.#tokens = [];
    this.#head = 0;
    this.#tokenSum = 0;
  }

  /** Counts the request at `now` with `tokens` if it fits, or says which limit it hits and when it would fit. */
  admit(now: number, tokens: number): RateLimitVerdict {
    this.#prune(now);
    const { rpm, tpm, windowMs } = this.#limits;
    const count = this.#times.length - this.#head;
    if (rpm !== undefined && count + 1 > rpm) {
      // The request fits once all but rpm - 1 of the counted ones have left the window.
      const oldest = this.#times[this.#head + count - rpm];
      const retryAfterMs = oldest === undefined ? windowMs : oldest + windowMs - now;
      return { ok: false, kind: 'requests', limit: rpm, used: count, requested: 1, retryAfterMs };
    }
    if (tpm !== undefined && this.#tokenSum + tokens > tpm) {
      return { ok: false, kind: 'tokens', limit: tpm, used: this.#tokenSum, requested: tokens, retryAfterMs: this.#tokenWait(now, tokens, tpm) };
    }
    this.#times.push(now);
    this.#tokens.push(tokens);
    this.#tokenSum += tokens;
    return { ok: true };
  }

  /**
   * The `x-ratelimit-*` headers for the state at `now`, in OpenAI's names and formats. The reset headers
   * give the time until the window is empty again (OpenAI: "resets to its initial state").
   */
  headers(now: number): Record<string, string> {
    this.#prune(now);
    const { rpm, tpm, windowMs } = this.#limits;
    const headers: Record<string, string> = {};
    const newest = this.#times[this.#times.length - 1];
    const reset = formatResetDuration(newest === undefined || this.#head === this.#times.length ? 0 : newest + windowMs - now);
    if (rpm !== undefined) {
      headers['x-ratelimit-limit-requests'] = String(rpm);
      headers['x-ratelimit-remaining-requests'] = String(Math.max(0, rpm - (this.#times.length - this.#head)));
      headers['x-ratelimit-reset-requests'] = reset;
    }
    if (tpm !== undefined) {
      headers['x-ratelimit-limit-tokens'] = String(tpm);
      headers['x-ratelimit-remaining-tokens'] = String(Math.max(0, tpm - this.#tokenSum));
      headers['x-ratelimit-reset-tokens'] = reset;
    }
    return headers;
  }

  /** Drops the requests that left the window, i.e. admitted at or before `now - windowMs`. */
  #prune(now: number): void {
    const edge = now - this.#limits.windowMs;
    const times = this.#times;
    while (this.#head < times.length && times[this.#head]! <= edge) {
      this.#tokenSum -= this.#tokens[this.#head]!;
      this.#head++;
    }
    if (this.#head === times.length) {
      this.clear();
    } else if (this.#head >= 1024 && this.#head * 2 >= times.length) {
      this.#times = times.slice(this.#head);
      this.#tokens = this.#tokens.slice(this.#head);
      this.#head = 0;
    }
  }

  /** How long until `tokens` more fit under `tpm`, as the oldest counted requests leave the window. */
  #tokenWait(now: number, tokens: number, tpm: number): number {
    const { windowMs } = this.#limits;
    if (tokens > tpm) return windowMs;
    let sum = this.#tokenSum;
    for (let i = this.#head; i < this.#times.length; i++) {
      sum -= this.#tokens[i]!;
      if (sum + tokens <= tpm) return this.#times[i]! + windowMs - now;
    }
    return windowMs;
  }
}
