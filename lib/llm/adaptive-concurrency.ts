/**
 * How many requests an LLM has in flight, adapted to what its server can take.
 *
 * A counting semaphore whose size (`limit`) follows an AIMD rule, the way TCP finds a link's
 * capacity without being told it:
 * - **Multiplicative decrease on a 429**: the limit drops to `decrease ×` what was in flight.
 *   Only once per round trip: a 429 for an attempt sent before the last decrease says nothing
 *   new (a burst of 64 rejections from one overshoot cuts once, not 64 times).
 * - **Additive increase on success**: `+1/limit` per answer, so about +1 per round of answers,
 *   up to the configured concurrency. Latency gates it: while the recent latency is well above
 *   its long-run average (the server is queueing), the limit does not grow.
 *
 * It also judges when the evidence says the server's budget is spent for everyone (`burst` 429s
 * in a row with no answer between): then the caller pauses the whole LLM. A sporadic 429 only
 * delays its own request.
 *
 * Waiters are served in arrival order, except retries, which go first: a row that has already
 * waited out a 429 should not queue behind rows that have not started.
 * @module
 */
import type { Clock } from './rate-limiter.ts';

export interface AdaptiveConcurrencyOptions {
  /** The ceiling: the configured concurrency. `Infinity` for none. */
  max: number;
  /** The floor. Default 1. */
  min?: number;
  /** `false` keeps the limit at `max` (a fixed semaphore). Default true. */
  adaptive?: boolean;
  /** Factor of the multiplicative decrease. Default 0.7. */
  decrease?: number;
  /** 429s in a row, with no answer between, that mean the server's budget is spent. Default 8. */
  burst?: number;
  clock?: Pick<Clock, 'now'>;
}

export interface AdaptiveConcurrencySnapshot {
  limit: number;
  inFlight: number;
  waiting: number;
  /** Multiplicative decreases so far. */
  decreases: number;
  /** Lowest limit reached. */
  lowest: number;
}

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

// Long-run and recent latency averages; recent above long-run × this stops growth.
const LATENCY_TOLERANCE = 1.5;
const LONG_WEIGHT = 0.02;
const SHORT_WEIGHT = 0.2;

/**
 * @example
 * ```ts
 * const slots = new AdaptiveConcurrency({ max: 64 });
 * await slots.acquire(signal);
 * const startedAt = performance.now();
 * try { await send(); slots.succeeded(performance.now() - startedAt); }
 * catch (error) { if (is429(error)) slots.rateLimited(startedAt); }
 * finally { slots.release(); }
 * ```
 */
export class AdaptiveConcurrency {
  readonly max: number;
  readonly min: number;
  readonly adaptive: boolean;
  readonly #decrease: number;
  readonly #burst: number;
  readonly #clock: Pick<Clock, 'now'>;
  #limit: number;
  #inFlight = 0;
  readonly #queue: Waiter[] = [];
  #lastDecreaseAt = -Infinity;
  #decreases = 0;
  #lowest: number;
  #longLatency: number | undefined;
  #shortLatency: number | undefined;
  #rateLimitedInARow = 0;

  constructor({ max, min = 1, adaptive = true, decrease = 0.7, burst = 8, clock = { now: () => performance.now() } }: AdaptiveConcurrencyOptions) {
    this.max = max;
    this.min = Math.min(min, max);
    this.adaptive = adaptive;
    this.#decrease = decrease;
    this.#burst = burst;
    this.#clock = clock;
    this.#limit = max;
    this.#lowest = max;
  }

  /** Requests allowed in flight now. */
  get limit(): number {
    return this.#limit === Infinity ? Infinity : Math.max(this.min, Math.floor(this.#limit));
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Waits for a free slot. `retry` puts the caller ahead of first attempts. Rejects with `signal.reason` on abort. */
  acquire(signal: AbortSignal, retry = false): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.#queue.length === 0 && this.#inFlight < this.limit) {
      this.#inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.#queue.indexOf(waiter);
          if (index !== -1) this.#queue.splice(index, 1);
          reject(signal.reason);
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      if (retry) this.#queue.unshift(waiter);
      else this.#queue.push(waiter);
    });
  }

  /** Gives a slot back and lets waiters in while the limit allows. */
  release(): void {
    this.#inFlight--;
    this.#dispatch();
  }

  /** An answer (not a 429) came after `latencyMs`: grows the limit unless latency says the server is queueing. */
  succeeded(latencyMs: number): void {
    this.#rateLimitedInARow = 0;
    this.#longLatency = this.#longLatency === undefined ? latencyMs : this.#longLatency + LONG_WEIGHT * (latencyMs - this.#longLatency);
    this.#shortLatency = this.#shortLatency === undefined ? latencyMs : this.#shortLatency + SHORT_WEIGHT * (latencyMs - this.#shortLatency);
    if (!this.adaptive || this.#limit >= this.max) return;
    if (this.#shortLatency > this.#longLatency * LATENCY_TOLERANCE) return;
    this.#limit = Math.min(this.max, this.#limit + 1 / Math.max(1, this.#limit));
    this.#dispatch();
  }

  /**
   * A 429 came for an attempt started at `startedAt` (clock time). Cuts the limit once per round
   * trip. Returns true when the 429s in a row say the server's budget is spent for every request.
   */
  rateLimited(startedAt: number): boolean {
    this.#rateLimitedInARow++;
    if (this.adaptive && startedAt >= this.#lastDecreaseAt) {
      // Cut from what was really in flight: with a limit of Infinity, or one far above use, cutting the limit itself would do nothing.
      const base = Math.min(this.#limit, this.#inFlight + 1);
      this.#limit = Math.max(this.min, base * this.#decrease);
      this.#lastDecreaseAt = this.#clock.now();
      this.#decreases++;
      this.#lowest = Math.min(this.#lowest, this.limit);
    }
    return this.#rateLimitedInARow >= this.#burst;
  }

  snapshot(): AdaptiveConcurrencySnapshot {
    return { limit: this.limit, inFlight: this.#inFlight, waiting: this.#queue.length, decreases: this.#decreases, lowest: this.#lowest };
  }

  #dispatch(): void {
    while (this.#queue.length > 0 && this.#inFlight < this.limit) {
      const next = this.#queue.shift()!;
      next.signal.removeEventListener('abort', next.onAbort);
      this.#inFlight++;
      next.resolve();
    }
  }
}
