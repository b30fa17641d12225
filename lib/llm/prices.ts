/**
 * Prices of LLM tokens, to turn usage into cost.
 *
 * The built-in table holds a few well-known OpenAI models at their list prices as of 2025,
 * in USD per million tokens. Prices change and discounts (batch, priority, contracts) differ,
 * so the table is a convenience, not a bill: pass your own prices to override or extend it.
 * Models not in the table cost 0 and are flagged unpriced, so a summary never shows a
 * confident $0.00 for a model it knows nothing about.
 * @module
 */
import { SluiceConfigError } from '../core/errors.ts';

/** USD per 1M tokens. */
export interface Price {
  input: number;
  output: number;
  /** Prompt tokens served from the provider's prompt cache. Default: `input`. */
  cachedInput?: number;
  /** Prompt tokens sent through the batch API. Default: half of `input`, as OpenAI's batch discount. */
  batchInput?: number;
  /** Completion tokens through the batch API. Default: half of `output`. */
  batchOutput?: number;
}

/** The tokens of one response, or of a sum of them. */
export interface TokenCounts {
  promptTokens: number;
  completionTokens: number;
  /** Part of `promptTokens` served from the provider's prompt cache. */
  cachedPromptTokens?: number;
}

const DEFAULT_PRICES: Readonly<Record<string, Readonly<Price>>> = Object.freeze({
  'gpt-5': { input: 1.25, output: 10, cachedInput: 0.125, batchInput: 0.625, batchOutput: 5 },
  'gpt-5-mini': { input: 0.25, output: 2, cachedInput: 0.025, batchInput: 0.125, batchOutput: 1 },
  'gpt-5-nano': { input: 0.05, output: 0.4, cachedInput: 0.005, batchInput: 0.025, batchOutput: 0.2 },
  'gpt-4.1': { input: 2, output: 8, cachedInput: 0.5, batchInput: 1, batchOutput: 4 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cachedInput: 0.1, batchInput: 0.2, batchOutput: 0.8 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4, cachedInput: 0.025, batchInput: 0.05, batchOutput: 0.2 },
  'gpt-4o': { input: 2.5, output: 10, cachedInput: 1.25, batchInput: 1.25, batchOutput: 5 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cachedInput: 0.075, batchInput: 0.075, batchOutput: 0.3 },
  o3: { input: 2, output: 8, cachedInput: 0.5, batchInput: 1, batchOutput: 4 },
  'o3-mini': { input: 1.1, output: 4.4, cachedInput: 0.55, batchInput: 0.55, batchOutput: 2.2 },
  'o4-mini': { input: 1.1, output: 4.4, cachedInput: 0.275, batchInput: 0.55, batchOutput: 2.2 },
  'gpt-3.5-turbo': { input: 0.5, output: 1.5, batchInput: 0.25, batchOutput: 0.75 },
  'gpt-3.5-turbo-instruct': { input: 1.5, output: 2, batchInput: 0.75, batchOutput: 1 },
  'text-embedding-3-small': { input: 0.02, output: 0, batchInput: 0.01, batchOutput: 0 },
  'text-embedding-3-large': { input: 0.13, output: 0, batchInput: 0.065, batchOutput: 0 },
  'text-embedding-ada-002': { input: 0.1, output: 0, batchInput: 0.05, batchOutput: 0 },
});

/**
 * A price table keyed by model id: the built-in prices, overridden and extended by yours.
 *
 * A model id is looked up as given, then without a date suffix (`gpt-4o-2024-08-06` → `gpt-4o`),
 * then without a provider prefix (`openai/gpt-4o` → `gpt-4o`). There is no prefix matching:
 * `gpt-4o` must not price `gpt-4o-mini`.
 *
 * @example
 * ```ts
 * const prices = new PriceTable({ 'llama-3.1-8b': { input: 0.05, output: 0.08 } });
 * prices.cost('gpt-4o-mini', { promptTokens: 1_000_000, completionTokens: 0 }); // { usd: 0.15, priced: true }
 * prices.cost('my-local-model', { promptTokens: 10, completionTokens: 10 });  // { usd: 0, priced: false }
 * ```
 */
export class PriceTable {
  /** The built-in prices (USD per 1M tokens). */
  static readonly defaults = DEFAULT_PRICES;
  readonly #prices: Map<string, Price>;

  constructor(overrides: Readonly<Record<string, Price>> = {}) {
    for (const [model, price] of Object.entries(overrides)) {
      for (const field of ['input', 'output', 'cachedInput', 'batchInput', 'batchOutput'] as const) {
        const value = price[field];
        if (value === undefined && field !== 'input' && field !== 'output') continue;
        if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
          throw new SluiceConfigError(`Expected \`prices['${model}'].${field}\` to be a number from 0 and up (USD per 1M tokens), got \`${String(value)}\``);
        }
      }
    }
    this.#prices = new Map(Object.entries({ ...DEFAULT_PRICES, ...overrides }));
  }

  /** The price of a model, or `undefined` when the table does not know it. */
  get(model: string): Price | undefined {
    const exact = this.#prices.get(model);
    if (exact) return exact;
    const undated = model.replace(/-\d{4}-\d{2}-\d{2}$/, '');
    if (undated !== model && this.#prices.has(undated)) return this.#prices.get(undated);
    const slash = model.lastIndexOf('/');
    return slash === -1 ? undefined : this.get(model.slice(slash + 1));
  }

  /** The cost in USD of these tokens on this model; `priced: false` (and 0) when the model is unknown. */
  cost(model: string, tokens: TokenCounts, { batch = false }: { batch?: boolean } = {}): { usd: number; priced: boolean } {
    const price = this.get(model);
    if (!price) return { usd: 0, priced: false };
    if (batch) {
      const usd = (tokens.promptTokens * (price.batchInput ?? price.input / 2) + tokens.completionTokens * (price.batchOutput ?? price.output / 2)) / 1e6;
      return { usd, priced: true };
    }
    const cached = Math.min(tokens.cachedPromptTokens ?? 0, tokens.promptTokens);
    const usd = ((tokens.promptTokens - cached) * price.input + cached * (price.cachedInput ?? price.input) + tokens.completionTokens * price.output) / 1e6;
    return { usd, priced: true };
  }
}
