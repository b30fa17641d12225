/**
 * How an LLM (or one step) uses the provider's batch API: `createLlm({ batch: true })` or
 * `batch: { … }` with these options; every one has a default from OpenAI's documented limits.
 * @module
 */
import { SluiceConfigError } from '../../core/errors.ts';

export interface BatchOptions {
  /** Most requests in one batch. Default 50,000 (OpenAI's limit). A batch also holds at most the run's budget of rows. */
  maxRequests?: number;
  /** Largest request file, in bytes. Default 190 MiB (OpenAI takes up to 200 MB). */
  maxBytes?: number;
  /** The completion window asked for. Default `24h`. */
  completionWindow?: string;
  /** A batch is sent at the latest this long after its first request, full or not. Default 5,000 ms. */
  flushAfterMs?: number;
  /** Polling of batches in progress: from `min` ms, 1.5× longer while nothing changes, up to `max`. Default 5,000 to 60,000. */
  pollMs?: number | { min?: number; max?: number };
  /** Times a request is sent again after it failed inside a batch, expired or was cancelled. Default 2. */
  retries?: number;
  /** Where those go: into a new `batch` (default) or as `live` requests. */
  resubmit?: 'batch' | 'live';
}

export interface ResolvedBatchOptions {
  readonly maxRequests: number;
  readonly maxBytes: number;
  readonly completionWindow: string;
  readonly flushAfterMs: number;
  readonly pollMs: { readonly min: number; readonly max: number };
  readonly retries: number;
  readonly resubmit: 'batch' | 'live';
}

/**
 * `true` or options, with the defaults filled in and every value checked; `undefined` for `false`
 * or nothing. `simulated`: the built-in simulator answers a batch in a tenth of a second, so the
 * default waits are short there (a 200 ms flush, polls from 50 to 500 ms) instead of a provider's.
 */
export function resolveBatchOptions(
  value: boolean | BatchOptions | undefined,
  { simulated = false }: { simulated?: boolean } = {},
): ResolvedBatchOptions | undefined {
  if (value === undefined || value === false) return undefined;
  const options = value === true ? {} : value;
  if (typeof options !== 'object' || options === null) throw new SluiceConfigError(`Expected \`batch\` to be true, false or options, got \`${String(value)}\``);
  const {
    maxRequests = 50_000,
    maxBytes = 190 * 1024 * 1024,
    completionWindow = '24h',
    flushAfterMs = simulated ? 200 : 5_000,
    retries = 2,
    resubmit = 'batch',
  } = options;
  const poll =
    typeof options.pollMs === 'number'
      ? { min: options.pollMs, max: options.pollMs }
      : { min: options.pollMs?.min ?? (simulated ? 50 : 5_000), max: options.pollMs?.max ?? (simulated ? 500 : 60_000) };
  const count = (name: string, n: unknown, min: number) => {
    if (!Number.isInteger(n) || (n as number) < min)
      throw new SluiceConfigError(`Expected \`batch.${name}\` to be an integer from ${min} and up, got \`${String(n)}\``);
  };
  count('maxRequests', maxRequests, 1);
  count('maxBytes', maxBytes, 1024);
  count('retries', retries, 0);
  for (const [name, ms] of [
    ['flushAfterMs', flushAfterMs],
    ['pollMs.min', poll.min],
    ['pollMs.max', poll.max],
  ] as const) {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0)
      throw new SluiceConfigError(`Expected \`batch.${name}\` to be milliseconds from 0 and up, got \`${String(ms)}\``);
  }
  if (poll.min > poll.max) throw new SluiceConfigError(`Expected \`batch.pollMs.min\` (${poll.min}) to be at most \`max\` (${poll.max})`);
  if (typeof completionWindow !== 'string' || completionWindow === '')
    throw new SluiceConfigError('Expected `batch.completionWindow` to be a duration such as `24h`');
  if (resubmit !== 'batch' && resubmit !== 'live')
    throw new SluiceConfigError(`Expected \`batch.resubmit\` to be \`batch\` or \`live\`, got \`${String(resubmit)}\``);
  return { maxRequests, maxBytes, completionWindow, flushAfterMs, pollMs: poll, retries, resubmit };
}
