/**
 * Token estimates for the TPM bucket, made before a request is sent.
 *
 * The bucket must be charged before the server says how many tokens a request used, so
 * it is charged an estimate and corrected from `usage` afterwards (`RateLimiter.settle`).
 * Prompt tokens are guessed as characters / 4 (close for English with OpenAI tokenizers,
 * and no tokenizer to load); completion tokens as the moving average of the last completions,
 * which adapts to the task much better than `max_tokens` would.
 * @module
 */
import { SluiceConfigError } from '../core/errors.ts';

/** The parts of a chat, completion or embedding request the estimate reads. */
export interface EstimableRequest {
  messages?: readonly unknown[];
  prompt?: unknown;
  input?: unknown;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  n?: number | null;
}

export interface TokenEstimate {
  prompt: number;
  completion: number;
  /** `prompt + completion`: what the TPM bucket is charged. */
  total: number;
}

export interface TokenEstimatorOptions {
  /** How many recent completions the average covers. Default 50. */
  window?: number;
  /** The first guess, before any completion was seen. Default `max_tokens / 2` of the request, else 256. */
  initialCompletionTokens?: number;
}

// Chat formats add a few tokens per message (role, separators).
const TOKENS_PER_MESSAGE = 4;
const CHARS_PER_TOKEN = 4;
const DEFAULT_COMPLETION_TOKENS = 256;

/**
 * Estimates a request's tokens and learns the typical completion length.
 *
 * @example
 * ```ts
 * const estimator = new TokenEstimator();
 * const guess = estimator.estimate({ messages: [{ role: 'user', content: 'Hi there' }], max_tokens: 100 });
 * // { prompt: 6, completion: 50, total: 56 }
 * estimator.observe(12); // from response.usage.completion_tokens
 * ```
 */
export class TokenEstimator {
  readonly #window: number;
  readonly #initial: number | undefined;
  readonly #recent: number[] = [];
  #next = 0;
  #sum = 0;

  constructor({ window = 50, initialCompletionTokens }: TokenEstimatorOptions = {}) {
    if (!Number.isInteger(window) || window < 1) {
      throw new SluiceConfigError(`Expected \`window\` to be an integer from 1 and up, got \`${window}\``);
    }
    if (initialCompletionTokens !== undefined && !(initialCompletionTokens >= 0 && Number.isFinite(initialCompletionTokens))) {
      throw new SluiceConfigError(`Expected \`initialCompletionTokens\` to be a number from 0 and up, got \`${initialCompletionTokens}\``);
    }
    this.#window = window;
    this.#initial = initialCompletionTokens;
  }

  /** The moving average of the completions seen, or `undefined` before the first. */
  get averageCompletionTokens(): number | undefined {
    return this.#recent.length === 0 ? undefined : this.#sum / this.#recent.length;
  }

  /** Estimates prompt and completion tokens for one request. Embeddings have no completion. */
  estimate(request: EstimableRequest): TokenEstimate {
    const prompt = Math.ceil(promptChars(request) / CHARS_PER_TOKEN) + (request.messages?.length ?? 0) * TOKENS_PER_MESSAGE;
    let completion = 0;
    if (request.input === undefined) {
      const cap = request.max_completion_tokens ?? request.max_tokens ?? undefined;
      const average = this.averageCompletionTokens;
      const guess = average ?? this.#initial ?? (cap !== undefined ? cap / 2 : DEFAULT_COMPLETION_TOKENS);
      // A reply cannot be longer than its cap, whatever the average says.
      completion = Math.ceil(Math.min(guess, cap ?? Infinity)) * Math.max(1, request.n ?? 1);
    }
    return { prompt, completion, total: prompt + completion };
  }

  /** Feeds one observed completion length (`usage.completion_tokens`) into the average. */
  observe(completionTokens: number): void {
    if (!(completionTokens >= 0) || !Number.isFinite(completionTokens)) return;
    if (this.#recent.length < this.#window) {
      this.#recent.push(completionTokens);
    } else {
      this.#sum -= this.#recent[this.#next]!;
      this.#recent[this.#next] = completionTokens;
      this.#next = (this.#next + 1) % this.#window;
    }
    this.#sum += completionTokens;
  }
}

function promptChars(request: EstimableRequest): number {
  if (request.messages) {
    let chars = 0;
    for (const message of request.messages) chars += contentChars((message as { content?: unknown }).content);
    return chars;
  }
  return contentChars(request.prompt ?? request.input);
}

/** Characters of text in a prompt, message content (string or parts) or embedding input. */
function contentChars(content: unknown): number {
  if (typeof content === 'string') return content.length;
  if (Array.isArray(content)) {
    let chars = 0;
    for (const part of content) {
      if (typeof part === 'string') chars += part.length;
      // Token-id arrays (legacy completions, embeddings): each number is one token.
      else if (typeof part === 'number') chars += CHARS_PER_TOKEN;
      else if (Array.isArray(part)) chars += contentChars(part);
      else if (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string') chars += (part as { text: string }).text.length;
    }
    return chars;
  }
  return 0;
}
