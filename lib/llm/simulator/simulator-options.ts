/**
 * The simulator's options: their defaults and their checks.
 * @module
 */
import { SluiceConfigError } from '../../core/errors.ts';
import type { FaultName, FaultRates } from './pick-fault.ts';
import type { BatchFate, BatchInfo } from './simulated-batches.ts';

/** What a `faults` hook is told about a request. */
export interface FaultRequest {
  /** The request counter: 1 for the first request since start or `reset()`. */
  readonly n: number;
  /** The parsed JSON body. */
  readonly body: unknown;
  /** The URL path, e.g. `/v1/chat/completions`. */
  readonly path: string;
}

/** Settings that `configure()` can change while the simulator runs. */
export interface SimulatorSettings {
  /** Wait before answering a completion or embeddings request: fixed, or drawn from `{ min, max }` per request. Default 0. */
  readonly latencyMs?: number | { readonly min: number; readonly max: number };
  /** Seed of the fault and latency draws: the same seed and request counter give the same fault. Default 1. */
  readonly seed?: number;
  /** Chance (0..1) of a 429 with `retry-after`. The seven rates add up to at most 1. Default 0. */
  readonly rate429?: number;
  /** Chance of a 500. Default 0. */
  readonly rate500?: number;
  /** Chance of a 503. Default 0. */
  readonly rate503?: number;
  /** Chance that the socket is reset before the answer. Default 0. */
  readonly rateReset?: number;
  /** Chance of no answer at all, until the client times out or aborts. Default 0. */
  readonly rateHang?: number;
  /** Chance of a 200 with a body (or stream event) that is not JSON. Default 0. */
  readonly rateMalformed?: number;
  /** Chance of a cut answer: a stream without its end, or half a body. Default 0. */
  readonly rateTruncated?: number;
  /** `retry-after` of an injected 429, in seconds (`retry-after-ms` carries the exact value). Default 1. */
  readonly retryAfterSeconds?: number;
  /** Scripts faults exactly: the fault for this request, or `undefined` to fall back to the rates. */
  readonly faults?: ((request: FaultRequest) => FaultName | undefined) | undefined;
  /** Requests allowed per window (sliding); over it, a 429. When set, every response has the `x-ratelimit-*-requests` headers. Default: no limit. */
  readonly rpm?: number | undefined;
  /** Tokens (prompt + completion estimate) allowed per window. When set, every response has the `x-ratelimit-*-tokens` headers. Default: no limit. */
  readonly tpm?: number | undefined;
  /** Length of the rate-limit window in milliseconds; shorten it in tests. Default 60,000. */
  readonly windowMs?: number;
  /**
   * Whether responses announce the limits: the `x-ratelimit-*` headers, and `retry-after-ms` beside
   * `retry-after`. `false` plays a server that keeps them to itself (a 429 with `retry-after` in
   * whole seconds is all a client learns), for testing adaptive clients. Default true.
   */
  readonly announceLimits?: boolean;
  /** Ids that `GET /v1/models` lists. Any model name is answered. Default `['sim-small', 'sim-large', 'sim-embed']`. */
  readonly models?: readonly string[];
  /** Embedding dimensions when a request names none. Default 8. */
  readonly embeddingDimensions?: number;
  /** Log entries kept: the oldest are dropped, in batches, once the log is 1,024 entries longer. Default `Infinity`. */
  readonly logLimit?: number;
  /** Batch API: time from a batch's creation to the end of its processing, in ms. Default 100. */
  readonly batchMs?: number;
  /** Batch API: chance (0..1) that a request inside a batch fails on its own (a 500 in the error file), drawn per batch and `custom_id`. Default 0. */
  readonly batchErrorRate?: number;
  /** Batch API: what happens to each batch (`complete`, `fail`, or `{ expireAfter: n }` requests done). Default: every batch completes. */
  readonly batchFate?: ((batch: BatchInfo) => BatchFate) | undefined;
}

/** Options of `startSimulator`. */
export interface SimulatorOptions extends SimulatorSettings {
  /** Port on 127.0.0.1; 0 picks a free one. Default 0. */
  readonly port?: number;
  /** The clock of the rate-limit window and the log, in epoch milliseconds. Default `Date.now`; tests move time by hand with it. */
  readonly now?: () => number;
}

/** Options with every default filled in and every value checked. */
export interface ResolvedSimulatorOptions {
  readonly port: number;
  readonly latency: { readonly min: number; readonly max: number };
  readonly seed: number;
  readonly rates: FaultRates;
  readonly retryAfterSeconds: number;
  readonly faults: ((request: FaultRequest) => FaultName | undefined) | undefined;
  readonly rpm: number | undefined;
  readonly tpm: number | undefined;
  readonly windowMs: number;
  readonly announceLimits: boolean;
  readonly now: () => number;
  readonly models: readonly string[];
  readonly embeddingDimensions: number;
  readonly logLimit: number;
  readonly batchMs: number;
  readonly batchErrorRate: number;
  readonly batchFate: ((batch: BatchInfo) => BatchFate) | undefined;
}

const RATE_OPTIONS = [
  ['rate429', '429'],
  ['rate500', '500'],
  ['rate503', '503'],
  ['rateReset', 'reset'],
  ['rateHang', 'hang'],
  ['rateMalformed', 'malformed'],
  ['rateTruncated', 'truncated'],
] as const satisfies readonly (readonly [keyof SimulatorSettings, FaultName])[];

/**
 * Fills in the defaults of `options` and checks every value, throwing a `SluiceConfigError` that
 * names the option, what was expected and what was got.
 *
 * @example
 * ```ts
 * resolveSimulatorOptions({ latencyMs: 50, rate429: 0.1 }).latency; // { min: 50, max: 50 }
 * resolveSimulatorOptions({ rate500: 2 }); // throws: Expected `rate500` to be a number from 0 to 1, got `2`
 * ```
 */
export function resolveSimulatorOptions(options: SimulatorOptions = {}): ResolvedSimulatorOptions {
  const {
    port = 0,
    latencyMs = 0,
    seed = 1,
    retryAfterSeconds = 1,
    faults,
    rpm,
    tpm,
    windowMs = 60_000,
    announceLimits = true,
    now = Date.now,
    models = ['sim-small', 'sim-large', 'sim-embed'],
    embeddingDimensions = 8,
    logLimit = Infinity,
    batchMs = 100,
    batchErrorRate = 0,
    batchFate,
  } = options;

  if (!Number.isInteger(port) || port < 0 || port > 65_535) fail('port', 'an integer from 0 to 65535', port);
  const latency = typeof latencyMs === 'number' ? { min: latencyMs, max: latencyMs } : latencyMs;
  if (typeof latency !== 'object' || latency === null || !isDuration(latency.min) || !isDuration(latency.max) || latency.min > latency.max) {
    fail('latencyMs', 'a number of milliseconds from 0 and up, or `{ min, max }` with 0 <= min <= max', latencyMs);
  }
  if (!Number.isSafeInteger(seed)) fail('seed', 'an integer', seed);

  const rates: FaultRates = {};
  let total = 0;
  for (const [option, fault] of RATE_OPTIONS) {
    const rate = options[option] ?? 0;
    if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) fail(option, 'a number from 0 to 1', rate);
    if (rate > 0) rates[fault] = rate;
    total += rate;
  }
  if (total > 1 + 1e-9) {
    throw new SluiceConfigError(
      `Expected the fault rates to add up to at most 1, got \`${total}\`. Lower some of \`rate429\`, \`rate500\`, \`rate503\`, \`rateReset\`, \`rateHang\`, \`rateMalformed\`, \`rateTruncated\`.`,
    );
  }
  if (!isDuration(retryAfterSeconds)) fail('retryAfterSeconds', 'a number of seconds from 0 and up', retryAfterSeconds);
  if (faults !== undefined && typeof faults !== 'function') fail('faults', 'a function', faults);
  if (!Number.isInteger(windowMs) || windowMs < 1) fail('windowMs', 'an integer from 1 and up', windowMs);
  if (typeof announceLimits !== 'boolean') fail('announceLimits', 'true or false', announceLimits);
  if (typeof now !== 'function') fail('now', 'a function returning epoch milliseconds', now);
  if (!Array.isArray(models) || models.length === 0 || !models.every((m) => typeof m === 'string' && m !== '')) {
    fail('models', 'a non-empty array of model ids', models);
  }
  if (!Number.isInteger(embeddingDimensions) || embeddingDimensions < 1 || embeddingDimensions > 8192) {
    fail('embeddingDimensions', 'an integer from 1 to 8192', embeddingDimensions);
  }
  if (!(logLimit === Infinity || (Number.isInteger(logLimit) && logLimit >= 0))) fail('logLimit', 'an integer from 0 and up, or `Infinity`', logLimit);
  if (!isDuration(batchMs)) fail('batchMs', 'a number of milliseconds from 0 and up', batchMs);
  if (typeof batchErrorRate !== 'number' || !(batchErrorRate >= 0 && batchErrorRate <= 1)) fail('batchErrorRate', 'a number from 0 to 1', batchErrorRate);
  if (batchFate !== undefined && typeof batchFate !== 'function') fail('batchFate', 'a function', batchFate);

  return {
    port,
    latency,
    seed,
    rates,
    retryAfterSeconds,
    faults,
    rpm: limit('rpm', rpm),
    tpm: limit('tpm', tpm),
    windowMs,
    announceLimits,
    now,
    models: [...models],
    embeddingDimensions,
    logLimit,
    batchMs,
    batchErrorRate,
    batchFate,
  };
}

/** A limit is an integer from 1 and up; `undefined` or `Infinity` means none. */
function limit(name: string, value: number | undefined): number | undefined {
  if (value === undefined || value === Infinity) return undefined;
  if (!Number.isInteger(value) || value < 1) fail(name, 'an integer from 1 and up, or `Infinity` for no limit', value);
  return value;
}

function isDuration(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function fail(name: string, expected: string, got: unknown): never {
  const shown = typeof got === 'function' ? 'a function' : typeof got === 'string' ? `'${got}'` : (JSON.stringify(got) ?? String(got));
  throw new SluiceConfigError(`Expected \`${name}\` to be ${expected}, got \`${shown}\``);
}
