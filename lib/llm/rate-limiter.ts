/**
 * Requests-per-minute and tokens-per-minute limits for one LLM, as two token buckets.
 *
 * Each bucket holds up to its per-minute limit and refills continuously, so a fresh limiter
 * allows a burst of one minute's worth and then the steady rate. Callers wait in one FIFO
 * queue until both buckets allow their request; the queue is strict, so a large request at
 * the head is not starved by small ones behind it.
 *
 * A 429 pauses the whole limiter (`pause`) rather than each request sleeping on its own:
 * the server said "slow down" to the client, not to one request. Limits the server announces
 * in `x-ratelimit-*` headers lower ours (`learn`), and the TPM bucket is charged an estimate
 * up front and corrected when `usage` arrives (`settle`).
 * @module
 */
import { SluiceConfigError } from '../core/errors.ts';

/** Time and timers, injectable so tests can move time by hand. */
export interface Clock {
  /** Milliseconds from any fixed origin; must not go backwards. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface RateLimiterOptions {
  /** Requests per minute, spaced evenly (`60 000 / rpm` ms apart, no bursts). Default `Infinity`. */
  rpm?: number;
  /** Tokens (prompt + completion) per minute. Default `Infinity`. */
  tpm?: number;
  /** Default: `performance.now()` and the global timers. */
  clock?: Clock;
}

/** Headers in any shape the client has them: a `Headers`, or a plain record. */
export type HeaderSource = { get(name: string): string | null | undefined } | Record<string, string | string[] | undefined>;

/** A plain view of the limiter's state, for summaries and tests. */
export interface RateLimiterSnapshot {
  rpm: number;
  tpm: number;
  /** Requests the RPM bucket would allow now. */
  requestsAvailable: number;
  /** Tokens the TPM bucket would allow now. */
  tokensAvailable: number;
  /** Clock time until which the limiter is paused (0 when never paused). */
  pausedUntil: number;
  /** How many times `pause` was called. */
  pauses: number;
  /** Callers waiting in the queue. */
  waiting: number;
}

const MS_PER_MINUTE = 60_000;
// Float refill arithmetic can leave a bucket a hair short of a whole token at the due time.
const EPSILON = 1e-9;

const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * One continuously refilling bucket: `limit` per minute, holding at most `capacity` (default: a
 * whole minute's worth). Its level may go below zero: that is debt from `settle`.
 */
class Bucket {
  // The limit is the lower of the configured one (lowered by what the server announces) and the
  // adaptive one (what the client learnt from unannounced 429s), which may rise again.
  #ceiling: number;
  #adaptive = Infinity;
  readonly #capacity: number | undefined;
  #level: number;
  #at: number;

  constructor(limit: number, now: number, capacity?: number) {
    this.#ceiling = limit;
    this.#capacity = capacity;
    this.#level = this.capacity;
    this.#at = now;
  }

  get limit(): number {
    return Math.min(this.#ceiling, this.#adaptive);
  }

  /** The adaptive limit alone (`Infinity` when none). */
  get adaptive(): number {
    return this.#adaptive;
  }

  /** The configured or announced limit, without the adaptive one. */
  get ceiling(): number {
    return this.#ceiling;
  }

  get capacity(): number {
    return Math.min(this.limit, this.#capacity ?? Infinity);
  }

  level(now: number): number {
    if (this.limit === Infinity) return Infinity;
    return Math.min(this.capacity, this.#level + ((now - this.#at) * this.limit) / MS_PER_MINUTE);
  }

  set(level: number, now: number): void {
    this.#level = Math.min(this.capacity, level);
    this.#at = now;
  }

  /** Milliseconds until `cost` is available (0 when it is). */
  waitFor(cost: number, now: number): number {
    const deficit = cost - this.level(now);
    if (deficit <= EPSILON) return 0;
    return Math.ceil((deficit * MS_PER_MINUTE) / this.limit);
  }

  /** Lowers the ceiling; the level never stays above the limit. */
  lower(limit: number, now: number): void {
    const level = this.level(now);
    this.#ceiling = limit;
    this.set(level === Infinity ? this.capacity : level, now);
  }

  /** Sets the adaptive limit (`Infinity` for none); the ceiling still applies. */
  adapt(limit: number, now: number): void {
    const level = this.level(now);
    this.#adaptive = limit;
    this.set(level === Infinity ? this.capacity : level, now);
  }
}

interface Waiter {
  tokens: number;
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * Per-LLM RPM and TPM token buckets with a FIFO queue, a shared pause, and limits learnt
 * from response headers.
 *
 * @example
 * ```ts
 * const limiter = new RateLimiter({ rpm: 500, tpm: 200_000 });
 * const { total } = estimator.estimate(request);
 * await limiter.acquire(total, signal);
 * const response = await send(request);
 * limiter.learn(response.headers);
 * limiter.settle(total, response.usage.total_tokens);
 * ```
 */
export class RateLimiter {
  readonly #clock: Clock;
  readonly #requests: Bucket;
  readonly #tokens: Bucket;
  readonly #queue: Waiter[] = [];
  #pausedUntil = 0;
  #pauses = 0;
  #timer: unknown = undefined;
  #timerAt = Infinity;

  constructor({ rpm = Infinity, tpm = Infinity, clock = systemClock }: RateLimiterOptions = {}) {
    checkLimit('rpm', rpm);
    checkLimit('tpm', tpm);
    this.#clock = clock;
    const now = clock.now();
    // Requests are spaced evenly (a bucket of one): with a minute's worth of burst on top of the
    // refill, a 60-second window could hold up to twice the RPM; spaced, it never holds more.
    this.#requests = new Bucket(rpm, now, 1);
    this.#tokens = new Bucket(tpm, now);
  }

  /** The current RPM limit (lowered by `learn` when the server announces less). */
  get rpm(): number {
    return this.#requests.limit;
  }

  /** The current TPM limit (lowered by `learn` when the server announces less). */
  get tpm(): number {
    return this.#tokens.limit;
  }

  /**
   * Waits, in FIFO order, until one request and `tokens` tokens are available, and takes them.
   * A request estimated above the whole TPM limit waits for a full bucket instead of forever.
   * Rejects with `signal.reason` if the signal aborts first.
   */
  acquire(tokens = 0, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const cost = Math.min(Math.max(0, tokens), this.#tokens.limit);
    const now = this.#clock.now();
    if (this.#queue.length === 0 && now >= this.#pausedUntil && this.#canTake(cost, now)) {
      this.#take(cost, now);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { tokens: cost, resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const index = this.#queue.indexOf(waiter);
          if (index !== -1) this.#queue.splice(index, 1);
          reject(signal.reason);
          // The head may have changed, or the queue emptied: its timer is stale either way.
          this.#drain();
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#queue.push(waiter);
      this.#drain();
    });
  }

  /**
   * Corrects the TPM bucket once the real usage is known: gives back what was over-estimated,
   * or takes what was under-estimated (the bucket may go into debt).
   */
  settle(estimatedTokens: number, actualTokens: number): void {
    if (this.#tokens.limit === Infinity) return;
    const now = this.#clock.now();
    this.#tokens.set(this.#tokens.level(now) + estimatedTokens - actualTokens, now);
    this.#drain();
  }

  /** Pauses every caller, waiting and new, for `ms` (a 429's retry-after). Pauses do not shorten. */
  pause(ms: number): void {
    this.#pauses++;
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#clock.now() + Math.max(0, ms));
    this.#drain();
  }

  /**
   * Paces requests at `perMinute` below the configured and announced RPM (`Infinity` lifts it):
   * the rate an adaptive controller learnt from a server that does not announce its limits.
   */
  adaptRequests(perMinute: number): void {
    // Called on every answer: a change under 1% is not worth re-pacing the queue for.
    const current = this.#requests.adaptive;
    if (perMinute === current || (perMinute !== Infinity && current !== Infinity && Math.abs(perMinute - current) < current * 0.01)) return;
    const now = this.#clock.now();
    this.#requests.adapt(perMinute, now);
    this.#drain();
  }

  /**
   * Lowers limits and levels to what the server announces in OpenAI-style headers:
   * `x-ratelimit-limit-{requests,tokens}`, `x-ratelimit-remaining-{requests,tokens}` and
   * `x-ratelimit-reset-{requests,tokens}` (durations such as `6m0s`, `1s`, `20ms`; used only
   * when nothing remains, and capped at a minute). It never raises a limit or a level.
   */
  learn(headers: HeaderSource): void {
    const now = this.#clock.now();
    learnBucket(this.#requests, headers, 'requests', now);
    learnBucket(this.#tokens, headers, 'tokens', now);
    this.#drain();
  }

  snapshot(): RateLimiterSnapshot {
    const now = this.#clock.now();
    return {
      rpm: this.#requests.limit,
      tpm: this.#tokens.limit,
      requestsAvailable: this.#requests.level(now),
      tokensAvailable: this.#tokens.level(now),
      pausedUntil: this.#pausedUntil,
      pauses: this.#pauses,
      waiting: this.#queue.length,
    };
  }

  #canTake(tokens: number, now: number): boolean {
    return this.#requests.waitFor(1, now) === 0 && this.#tokens.waitFor(tokens, now) === 0;
  }

  #take(tokens: number, now: number): void {
    if (this.#requests.limit !== Infinity) this.#requests.set(this.#requests.level(now) - 1, now);
    if (this.#tokens.limit !== Infinity) this.#tokens.set(this.#tokens.level(now) - tokens, now);
  }

  /** Lets waiters through from the head while both buckets allow, then sleeps until the head can go. */
  #drain(): void {
    const now = this.#clock.now();
    let wakeAt = Infinity;
    while (this.#queue.length > 0) {
      if (now < this.#pausedUntil) {
        wakeAt = this.#pausedUntil;
        break;
      }
      const head = this.#queue[0]!;
      const wait = Math.max(this.#requests.waitFor(1, now), this.#tokens.waitFor(head.tokens, now));
      if (wait > 0) {
        wakeAt = now + wait;
        break;
      }
      this.#queue.shift();
      this.#take(head.tokens, now);
      if (head.signal && head.onAbort) head.signal.removeEventListener('abort', head.onAbort);
      head.resolve();
    }
    this.#schedule(wakeAt, now);
  }

  #schedule(at: number, now: number): void {
    if (at === this.#timerAt) return;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = at;
    if (at === Infinity) return;
    this.#timer = this.#clock.setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Infinity;
        this.#drain();
      },
      Math.max(0, at - now),
    );
  }
}

function checkLimit(name: string, value: number): void {
  if (typeof value !== 'number' || !(value > 0)) {
    throw new SluiceConfigError(`Expected \`${name}\` to be a number above 0 or \`Infinity\`, got \`${String(value)}\``);
  }
}

function learnBucket(bucket: Bucket, headers: HeaderSource, kind: 'requests' | 'tokens', now: number): void {
  const limit = Number.parseFloat(header(headers, `x-ratelimit-limit-${kind}`) ?? '');
  if (limit > 0 && limit < bucket.ceiling) bucket.lower(limit, now);
  if (bucket.limit === Infinity) return; // Nothing to pace against without a rate.
  const remaining = Number.parseFloat(header(headers, `x-ratelimit-remaining-${kind}`) ?? '');
  if (!(remaining >= 0)) return;
  let implied = remaining;
  const reset = parseRateLimitDuration(header(headers, `x-ratelimit-reset-${kind}`));
  if (remaining < 1 && reset !== undefined) {
    // Nothing left: nothing goes before the reset. Reset times are not trusted otherwise
    // (OpenAI sends "6m0s" for per-minute token limits), and are capped at one minute, so a
    // daily limit shows up as 429 errors rather than a silent stall of hours.
    const wait = Math.min(reset, MS_PER_MINUTE);
    implied = Math.min(remaining, (kind === 'requests' ? 1 : 0) - (wait * bucket.limit) / MS_PER_MINUTE);
  }
  // Lower only: our own level already counts requests the server has not seen yet.
  if (implied < bucket.level(now)) bucket.set(implied, now);
}

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null | undefined }).get(name) ?? undefined;
  }
  const value = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Parses a rate-limit reset duration (`6m0s`, `1s`, `20ms`, `1h2m3.5s`, or bare seconds `0.5`)
 * into milliseconds; `undefined` when it cannot.
 *
 * @example
 * ```ts
 * parseRateLimitDuration('6m0s'); // 360000
 * ```
 */
export function parseRateLimitDuration(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  if (!/^(\d+(\.\d+)?(ms|h|m|s))+$/.test(text)) return undefined;
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    const n = Number(amount);
    ms += unit === 'h' ? n * 3_600_000 : unit === 'm' ? n * 60_000 : unit === 's' ? n * 1000 : n;
  }
  return ms;
}
