/**
 * Reads and checks the request fields that chat and legacy completions share.
 * @module
 */
import { SimulatorRequestError } from './simulator-request-error.ts';

/** The shared fields of a completion request, checked. */
export interface RequestFields {
  readonly model: string;
  /** Choices per prompt, 1..128. */
  readonly n: number;
  /** `max_completion_tokens` or `max_tokens`, when given. */
  readonly maxTokens: number | undefined;
  readonly stream: boolean;
  /** `stream_options.include_usage`. */
  readonly includeUsage: boolean;
  /** The request's `seed`, or null. Part of the answer's key. */
  readonly seed: number | null;
}

/**
 * Checks the fields that chat and legacy completions share, answering a bad one as OpenAI does:
 * a 400 naming the field.
 *
 * @example
 * ```ts
 * const { model, n, stream } = requestFields(body);
 * ```
 */
export function requestFields(body: Record<string, unknown>): RequestFields {
  const { model, n = 1, stream = false, seed = null } = body;
  if (typeof model !== 'string' || model === '') throw new SimulatorRequestError('you must provide a model parameter', 'model');
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 128) {
    throw new SimulatorRequestError(`Invalid 'n': expected an integer from 1 to 128, got ${JSON.stringify(n)}.`, 'n');
  }
  if (typeof stream !== 'boolean' && stream !== null) throw new SimulatorRequestError(`Invalid 'stream': expected a boolean.`, 'stream');
  if (seed !== null && (typeof seed !== 'number' || !Number.isInteger(seed))) {
    throw new SimulatorRequestError(`Invalid 'seed': expected an integer.`, 'seed');
  }
  let maxTokens: number | undefined;
  for (const name of ['max_completion_tokens', 'max_tokens'] as const) {
    const value = body[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new SimulatorRequestError(`Invalid '${name}': expected an integer from 1 and up, got ${JSON.stringify(value)}.`, name);
    }
    maxTokens ??= value;
  }
  const options = body.stream_options;
  const includeUsage = typeof options === 'object' && options !== null && (options as { include_usage?: unknown }).include_usage === true;
  return { model, n, maxTokens, stream: stream === true, includeUsage, seed };
}
