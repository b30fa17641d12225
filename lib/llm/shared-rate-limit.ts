/**
 * An LLM's `rpm` and `tpm` held across every process that uses it: the limit's state lives in
 * Redis, and each request reserves its slot there (GCRA, in one Lua script, on Redis's clock) before
 * it is sent. Requests are spaced as the local limiter spaces them, whatever the number of
 * machines. Set with `sharedLimits: 'redis://…'` on an LLM, or `SLUICE_SHARED_LIMITS` for all.
 * @module
 */
import { createHash } from 'node:crypto';
import { connectRedis, type RedisClient } from '../broker/connect-redis.ts';
import type { Clock } from './rate-limiter.ts';

// Each key holds the theoretical arrival time of the next request (or token): a request may go at
// max(now, tat), and moves it on by its cost. The wait comes back; the caller sleeps it.
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local at = now
for i, key in ipairs(KEYS) do
  local cost = tonumber(ARGV[i])
  if cost > 0 then
    local tat = tonumber(redis.call('GET', key) or '0')
    if tat < now then tat = now end
    if tat > at then at = tat end
  end
end
for i, key in ipairs(KEYS) do
  local cost = tonumber(ARGV[i])
  if cost > 0 then redis.call('SET', key, tostring(at + cost), 'PX', math.ceil(at + cost - now + 60000)) end
end
return at - now
`;

export interface SharedRateLimitOptions {
  /** The Redis URL (a password in it goes to Redis only). */
  url: string;
  /** What the limit is shared by: the endpoint and the model. */
  scope: string;
  rpm: number;
  tpm: number;
  clock: Clock;
}

export class SharedRateLimit {
  readonly #options: SharedRateLimitOptions;
  readonly #keys: string[];
  #client: Promise<RedisClient> | undefined;
  #failed = false;

  constructor(options: SharedRateLimitOptions) {
    this.#options = options;
    const id = createHash('sha256').update(options.scope).digest('hex').slice(0, 24);
    this.#keys = [`sluice:limits:${id}:requests`, `sluice:limits:${id}:tokens`];
  }

  #connect(): Promise<RedisClient> {
    this.#client ??= connectRedis(this.#options.url, 'the shared limits');
    return this.#client;
  }

  /**
   * Reserves one request and `tokens` tokens, and waits until they are this request's to use. A
   * process that wakes more than a slot late (a busy event loop, a paused machine) has missed it, and
   * sending then would crowd the next ones: it gives the slot up and reserves another, once.
   */
  async take(tokens: number, signal: AbortSignal): Promise<void> {
    const { rpm, tpm, clock } = this.#options;
    const perRequest = Number.isFinite(rpm) ? 60_000 / rpm : 0;
    const perTokens = Number.isFinite(tpm) ? (60_000 / tpm) * Math.max(0, tokens) : 0;
    if ((perRequest === 0 && perTokens === 0) || this.#failed) return;
    // Late by less than a slot adds at most one request to any window; later than that, the slot
    // is given up. On a loaded machine most wakes are a little late: a tighter bound would give up
    // most slots and slow every process down.
    const lateness = Math.max(2, perRequest, perTokens);
    for (let attempt = 0; ; attempt++) {
      const wait = await this.#reserve(perRequest, perTokens);
      if (wait === undefined || wait <= 0) return;
      const due = clock.now() + wait;
      await sleep(clock, wait, signal);
      // Missed twice: the process is starved; go rather than queue again behind every other.
      if (clock.now() - due <= lateness || attempt >= 1) return;
    }
  }

  /** The wait for the slot reserved, or `undefined` when Redis cannot be used (limits go local). */
  async #reserve(perRequest: number, perTokens: number): Promise<number | undefined> {
    try {
      const client = await this.#connect();
      return Number(await client.eval(RESERVE, { keys: this.#keys, arguments: [String(perRequest), String(perTokens)] }));
    } catch (error) {
      // Rows do not fail for it: each process keeps its own limits, and the user is told once.
      this.#failed = true;
      process.stderr.write(`sluice: warning: ${(error as Error).message}; each process now keeps its own rpm and tpm.\n`);
      return undefined;
    }
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (client) await (await client).close().catch(() => {});
  }
}

function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const handle = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clock.clearTimeout(handle);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
