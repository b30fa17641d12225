/**
 * Accounting for one LLM: calls, HTTP requests, retries, 429s, errors, tokens and cost.
 *
 * The client feeds it as calls go; `snapshot()` is a plain JSON object for the progress
 * display and the run's metadata. Counters only grow, so two snapshots can be subtracted
 * for a rate.
 * @module
 */
import { PriceTable } from './prices.ts';

/** The `usage` object of a chat, completion or embedding response. */
export interface ResponseUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
}

export interface UsageOptions {
  /** The LLM's name. */
  llm: string;
  /** Its default model, for the summary and for pricing when a response names none. */
  model: string;
  /** Default: the built-in prices. */
  prices?: PriceTable;
}

export interface UsageSnapshot {
  llm: string;
  model: string;
  /** Calls made (`chat`, `complete`, `embed`), however many attempts each took. */
  calls: number;
  /** HTTP requests sent, retries included. */
  requests: number;
  /** Successful responses. */
  responses: number;
  retries: number;
  /** Responses with status 429. */
  rateLimited: number;
  /** Calls that failed for good. */
  errors: number;
  /** Answers served from Sluice's request cache instead of the LLM. */
  cacheHits: number;
  promptTokens: number;
  /** Part of `promptTokens` served from the provider's prompt cache. */
  cachedPromptTokens: number;
  completionTokens: number;
  totalTokens: number;
  costUsd: number;
  /** False when some response was on a model the price table does not know: `costUsd` is then a lower bound. */
  priced: boolean;
}

/**
 * Counters and cost for one LLM.
 *
 * @example
 * ```ts
 * const usage = new Usage({ llm: 'judge', model: 'gpt-4o-mini' });
 * usage.recordResponse('gpt-4o-mini', { prompt_tokens: 120, completion_tokens: 30 });
 * usage.snapshot().costUsd; // 0.000036
 * ```
 */
export class Usage {
  readonly llm: string;
  readonly model: string;
  readonly #prices: PriceTable;
  #calls = 0;
  #requests = 0;
  #responses = 0;
  #retries = 0;
  #rateLimited = 0;
  #errors = 0;
  #cacheHits = 0;
  #promptTokens = 0;
  #cachedPromptTokens = 0;
  #completionTokens = 0;
  #costUsd = 0;
  #unpriced = false;

  constructor({ llm, model, prices = new PriceTable() }: UsageOptions) {
    this.llm = llm;
    this.model = model;
    this.#prices = prices;
  }

  recordCall(): void {
    this.#calls++;
  }

  recordRequest(): void {
    this.#requests++;
  }

  recordRetry(): void {
    this.#retries++;
  }

  recordRateLimited(): void {
    this.#rateLimited++;
  }

  recordError(): void {
    this.#errors++;
  }

  recordCacheHit(): void {
    this.#cacheHits++;
  }

  /** Counts a successful response and its tokens, priced on `model` (the model that was asked for). */
  recordResponse(model: string, usage: ResponseUsage | null | undefined): void {
    this.#responses++;
    const promptTokens = usage?.prompt_tokens ?? 0;
    const completionTokens = usage?.completion_tokens ?? 0;
    const cachedPromptTokens = usage?.prompt_tokens_details?.cached_tokens ?? 0;
    this.#promptTokens += promptTokens;
    this.#completionTokens += completionTokens;
    this.#cachedPromptTokens += cachedPromptTokens;
    const { usd, priced } = this.#prices.cost(model, { promptTokens, completionTokens, cachedPromptTokens });
    this.#costUsd += usd;
    if (!priced) this.#unpriced = true;
  }

  snapshot(): UsageSnapshot {
    return {
      llm: this.llm,
      model: this.model,
      calls: this.#calls,
      requests: this.#requests,
      responses: this.#responses,
      retries: this.#retries,
      rateLimited: this.#rateLimited,
      errors: this.#errors,
      cacheHits: this.#cacheHits,
      promptTokens: this.#promptTokens,
      cachedPromptTokens: this.#cachedPromptTokens,
      completionTokens: this.#completionTokens,
      totalTokens: this.#promptTokens + this.#completionTokens,
      costUsd: this.#costUsd,
      // Before any response, say whether the default model would be priced.
      priced: this.#responses === 0 ? this.#prices.get(this.model) !== undefined : !this.#unpriced,
    };
  }
}
