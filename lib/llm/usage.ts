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
  /** The batch API's share, once a batch was made: answers that came through it (priced at the batch column), and its batches by state. */
  batch?: BatchCounts;
}

/** Batch API counters of one LLM. */
export interface BatchCounts {
  /** Answers that came back in batches (also counted in `responses` and the tokens). */
  answers: number;
  /** Batches created. */
  submitted: number;
  /** Created and not yet ended. */
  inProgress: number;
  completed: number;
  /** Ended without all their requests answered: failed, expired or cancelled. */
  ended: number;
  /** Requests sent again in a later batch (failed inside a batch, expired, cancelled). */
  resubmitted: number;
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
  #batch: BatchCounts | undefined;

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

  /** Counts a batch event: one created, ended (completed or not), or a request resubmitted. */
  recordBatch(event: 'submitted' | 'completed' | 'ended' | 'resubmitted', count = 1): void {
    const batch = (this.#batch ??= { answers: 0, submitted: 0, inProgress: 0, completed: 0, ended: 0, resubmitted: 0 });
    if (event === 'submitted') {
      batch.submitted += count;
      batch.inProgress += count;
    } else if (event === 'resubmitted') batch.resubmitted += count;
    else {
      batch[event] += count;
      batch.inProgress -= count;
    }
  }

  /** Counts a successful response and its tokens, priced on `model` (the model that was asked for); `batch` prices it at the batch column. */
  recordResponse(model: string, usage: ResponseUsage | null | undefined, { batch = false }: { batch?: boolean } = {}): void {
    this.#responses++;
    if (batch) (this.#batch ??= { answers: 0, submitted: 0, inProgress: 0, completed: 0, ended: 0, resubmitted: 0 }).answers++;
    const promptTokens = usage?.prompt_tokens ?? 0;
    const completionTokens = usage?.completion_tokens ?? 0;
    const cachedPromptTokens = usage?.prompt_tokens_details?.cached_tokens ?? 0;
    this.#promptTokens += promptTokens;
    this.#completionTokens += completionTokens;
    this.#cachedPromptTokens += cachedPromptTokens;
    const { usd, priced } = this.#prices.cost(model, { promptTokens, completionTokens, cachedPromptTokens }, { batch });
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
      ...(this.#batch ? { batch: { ...this.#batch } } : {}),
    };
  }
}
