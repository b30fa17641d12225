/**
 * How hard one LLM is pushed, learnt from a server that does not announce its limits: how many
 * requests are in flight (a concurrency limit) and how many start per second (a pacing rate).
 *
 * **Evidence first.** A sporadic 429 says nothing about capacity: it only delays its own
 * request. A 429 counts as evidence of a limit when 429s come in a run (`run` in a row with no
 * answer between) or make up half of the recent answers. Random 429s at 20% are neither.
 *
 * **On evidence** (at most once per episode: not again within the server's `retry-after`, nor
 * for an attempt sent before the last cut, because 429s come back far faster than answers):
 * - the pacing rate drops to the answers per second measured over the last `retry-after`
 *   (1 s to 60 s), or the best such figure of the last ten spans (right after a burst filled the
 *   server's window, one span measures little though the limit has not moved): what the server
 *   really lets through, so pacing at it keeps every window of a sliding-window limit busy
 *   without a storm of rejections;
 * - the concurrency drops to `decrease ×` what was in flight (multiplicative decrease).
 *
 * **On answers**, while no 429 came within the last episode's span: the rate climbs back (+1
 * per answer below the last cut, about doubling per second; +0.5 above it, about +50% per
 * second; a limit reached again shows as a few 429s, which hold it there) and the
 * concurrency grows by `1/limit` per answer (additive increase) up to the configured ceiling.
 * Latency gates that growth: while the recent latency is well above its long-run average (the
 * server is queueing), neither grows.
 *
 * **Exhausted**: more 429s in a row than `burst` and than twice the concurrency (every request of
 * two rounds refused) mean the server's budget is spent for everyone: the caller pauses the LLM.
 *
 * Waiters for a slot are served in arrival order, except retries, which go first: a row that has
 * already waited out a 429 should not queue behind rows that have not started.
 * @module
 */
import type { Clock } from './rate-limiter.ts';

export interface AdaptiveLimitsOptions {
  /** The ceiling of the concurrency: the configured one. `Infinity` for none. */
  max: number;
  /** The floor of the concurrency. Default 1. */
  min?: number;
  /** `false` keeps the concurrency at `max` and never paces. Default true. */
  adaptive?: boolean;
  /** Factor of the multiplicative decrease of the concurrency. Default 0.7. */
  decrease?: number;
  /** 429s in a row that count as evidence of a limit. Default 6. */
  run?: number;
  /** Fewest 429s in a row, with no answer between, that can mean the budget is spent (also at least twice the concurrency). Default 8. */
  burst?: number;
  /** Lowest pacing rate, in requests per second. Default 0.5. */
  minRate?: number;
  clock?: Pick<Clock, 'now'>;
}

export interface AdaptiveLimitsSnapshot {
  /** Requests allowed in flight now. */
  limit: number;
  inFlight: number;
  waiting: number;
  /** Requests per second the LLM is paced at (`Infinity` when not paced). */
  rate: number;
  /** Cuts so far (episodes of evidence). */
  decreases: number;
  /** Lowest concurrency reached. */
  lowest: number;
}

/** What one 429 meant. */
export interface RateLimitVerdict {
  /** It was evidence of a limit (the limits were cut, or had just been). */
  limited: boolean;
  /** The server's budget is spent for every request: pause the LLM. */
  exhausted: boolean;
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
// Answers and 429s are counted in slots of this many ms, over the longest span.
const SLOT_MS = 100;
const MIN_SPAN_MS = 1_000;
const MAX_SPAN_MS = 60_000;
const SLOTS = MAX_SPAN_MS / SLOT_MS;
// Share of 429s among recent answers that is evidence of a limit, once there are enough of them.
const LIMITED_SHARE = 0.5;
const MIN_SAMPLES = 10;
const RATE_BACKOFF = 1;
// How far back (in spans) the busiest window is looked for.
const LOOK_BACK_SPANS = 10;
// Growth of the rate per answer above the last cut: about +50% per second.
const RATE_PROBE = 0.5;

/**
 * @example
 * ```ts
 * const limits = new AdaptiveLimits({ max: 64 });
 * await limits.acquire(signal);
 * const startedAt = performance.now();
 * try { await send(); limits.answered(performance.now() - startedAt); }
 * catch (error) { if (is429(error)) limits.rateLimited(startedAt, retryAfterMs); }
 * finally { limits.release(); }
 * limiter.adaptRequests(limits.rate * 60);
 * ```
 */
export class AdaptiveLimits {
  readonly max: number;
  readonly min: number;
  readonly adaptive: boolean;
  readonly #decrease: number;
  readonly #run: number;
  readonly #burst: number;
  readonly #minRate: number;
  readonly #clock: Pick<Clock, 'now'>;
  #limit: number;
  #inFlight = 0;
  readonly #queue: Waiter[] = [];
  #rate = Infinity;
  #slowStartBelow = Infinity;
  #lastCutAt = -Infinity;
  #quietUntil = -Infinity;
  #span = MIN_SPAN_MS;
  #lastRateLimitedAt = -Infinity;
  #decreases = 0;
  #lowest: number;
  #longLatency: number | undefined;
  #shortLatency: number | undefined;
  #inARow = 0;
  // Ring of per-slot counts of answers and 429s over the last MAX_SPAN_MS.
  readonly #answers = new Float64Array(SLOTS);
  readonly #limited = new Float64Array(SLOTS);
  #slot = -1;
  #checkedSlot = -1;

  constructor({
    max,
    min = 1,
    adaptive = true,
    decrease = 0.7,
    run = 6,
    burst = 8,
    minRate = 0.5,
    clock = { now: () => performance.now() },
  }: AdaptiveLimitsOptions) {
    this.max = max;
    this.min = Math.min(min, max);
    this.adaptive = adaptive;
    this.#decrease = decrease;
    this.#run = run;
    this.#burst = burst;
    this.#minRate = minRate;
    this.#clock = clock;
    this.#limit = max;
    this.#lowest = max;
  }

  /** Requests allowed in flight now. */
  get limit(): number {
    return this.#limit === Infinity ? Infinity : Math.max(this.min, Math.floor(this.#limit));
  }

  /** Requests per second to pace at; `Infinity` when not paced. */
  get rate(): number {
    return this.#rate;
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

  /** An answer (not a 429) came after `latencyMs`. Grows the limits unless 429s or latency say not to. */
  answered(latencyMs: number): void {
    const now = this.#clock.now();
    this.#count(this.#answers, now);
    this.#inARow = 0;
    this.#longLatency = this.#longLatency === undefined ? latencyMs : this.#longLatency + LONG_WEIGHT * (latencyMs - this.#longLatency);
    this.#shortLatency = this.#shortLatency === undefined ? latencyMs : this.#shortLatency + SHORT_WEIGHT * (latencyMs - this.#shortLatency);
    if (!this.adaptive) return;
    if (this.#rate !== Infinity && this.#slot !== this.#checkedSlot) {
      // Never pace below what the server has shown it lets through (answers counted after a cut still arrive).
      this.#checkedSlot = this.#slot;
      const shown = this.#busiestWindow(this.#answers, this.#span, now) / (this.#span / 1000);
      if (shown > this.#rate) this.#rate = shown;
    }
    if (this.#shortLatency > this.#longLatency * LATENCY_TOLERANCE) return;
    // Still being refused now and then: hold where we are, just above what the server takes.
    if (now - this.#lastRateLimitedAt < this.#span) return;
    if (this.#rate !== Infinity) this.#rate += this.#rate < this.#slowStartBelow ? 1 : RATE_PROBE;
    if (this.#limit < this.max) {
      this.#limit = Math.min(this.max, this.#limit + 1 / Math.max(1, this.#limit));
      this.#dispatch();
    }
  }

  /**
   * A 429 came for an attempt started at `startedAt` (clock time), with the server's `retry-after`
   * when it gave one. Cuts the limits when it is evidence of a limit, once per episode.
   */
  rateLimited(startedAt: number, retryAfterMs?: number): RateLimitVerdict {
    const now = this.#clock.now();
    this.#count(this.#limited, now);
    this.#inARow++;
    // Refusals of attempts sent before the last cut say nothing about the rate since.
    if (startedAt >= this.#lastCutAt) this.#lastRateLimitedAt = now;
    const exhausted = this.#inARow >= Math.max(this.#burst, 2 * Math.min(this.limit, this.max));
    if (!this.adaptive) return { limited: false, exhausted };
    const span = Math.min(MAX_SPAN_MS, Math.max(MIN_SPAN_MS, retryAfterMs ?? MIN_SPAN_MS));
    const answers = this.#sum(this.#answers, span, now);
    const limitedCount = this.#sum(this.#limited, span, now);
    const evidence = this.#inARow >= this.#run || (answers + limitedCount >= MIN_SAMPLES && limitedCount / (answers + limitedCount) >= LIMITED_SHARE);
    if (!evidence) return { limited: false, exhausted };
    if (startedAt >= this.#lastCutAt && now >= this.#quietUntil) {
      this.#span = span;
      // The most answers any span-long window of the last ten spans held: what the server lets
      // through at least. Not just the last span: right after a burst filled the server's window,
      // the next span holds little, though the limit has not moved.
      const best = this.#busiestWindow(this.#answers, span, now) / (span / 1000);
      if (best > 0) {
        this.#rate = Math.max(this.#minRate, Math.min(this.#rate, best) * RATE_BACKOFF);
        this.#slowStartBelow = this.#rate;
      } else {
        // Nothing got through: start slow and double until the next refusal.
        this.#rate = this.#minRate;
        this.#slowStartBelow = Infinity;
      }
      // Cut from what was really in flight: with a limit far above use, cutting the limit itself would do nothing.
      const base = Math.min(this.#limit, this.#inFlight + 1);
      this.#limit = Math.max(this.min, base * this.#decrease);
      this.#lastCutAt = now;
      this.#quietUntil = now + span;
      this.#decreases++;
      this.#lowest = Math.min(this.#lowest, this.limit);
    }
    return { limited: true, exhausted };
  }

  snapshot(): AdaptiveLimitsSnapshot {
    return { limit: this.limit, inFlight: this.#inFlight, waiting: this.#queue.length, rate: this.#rate, decreases: this.#decreases, lowest: this.#lowest };
  }

  #dispatch(): void {
    while (this.#queue.length > 0 && this.#inFlight < this.limit) {
      const next = this.#queue.shift()!;
      next.signal.removeEventListener('abort', next.onAbort);
      this.#inFlight++;
      next.resolve();
    }
  }

  /** Adds one to the slot of `now` in `ring`, clearing the slots passed since the last count. */
  #count(ring: Float64Array, now: number): void {
    this.#advance(now);
    const index = this.#slot % SLOTS;
    ring[index] = (ring[index] ?? 0) + 1;
  }

  #advance(now: number): void {
    const slot = Math.floor(now / SLOT_MS);
    if (this.#slot < 0) this.#slot = slot;
    if (slot <= this.#slot) return;
    for (let s = Math.max(this.#slot + 1, slot - SLOTS + 1); s <= slot; s++) {
      this.#answers[s % SLOTS] = 0;
      this.#limited[s % SLOTS] = 0;
    }
    this.#slot = slot;
  }

  /** The largest count in `ring` over any `spanMs`-long window of the last ten spans (or of the whole ring). */
  #busiestWindow(ring: Float64Array, spanMs: number, now: number): number {
    this.#advance(now);
    const width = Math.min(SLOTS, Math.ceil(spanMs / SLOT_MS));
    const back = Math.min(SLOTS, width * LOOK_BACK_SPANS);
    const at = (i: number) => ring[(this.#slot - i + SLOTS * 2) % SLOTS]!;
    let sum = 0;
    for (let i = 0; i < width; i++) sum += at(i);
    let best = sum;
    for (let i = width; i < back; i++) {
      sum += at(i) - at(i - width);
      if (sum > best) best = sum;
    }
    return best;
  }

  /** Counts in `ring` over the last `spanMs`. */
  #sum(ring: Float64Array, spanMs: number, now: number): number {
    this.#advance(now);
    const slots = Math.min(SLOTS, Math.ceil(spanMs / SLOT_MS));
    let total = 0;
    for (let i = 0; i < slots; i++) total += ring[(this.#slot - i + SLOTS * 2) % SLOTS]!;
    return total;
  }
}
