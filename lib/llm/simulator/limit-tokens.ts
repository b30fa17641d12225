/**
 * Applies `max_tokens` to a simulated answer.
 * @module
 */
import { estimateTokens } from './estimate-tokens.ts';

/** An answer after `max_tokens`, with its token count and finish reason. */
export interface LimitedText {
  readonly text: string;
  readonly tokens: number;
  readonly finishReason: 'stop' | 'length';
}

/**
 * Cuts `text` to `maxTokens` tokens (four characters each) when it is longer, and says `'length'`,
 * as a model stopped by `max_tokens` does; otherwise keeps it whole and says `'stop'`.
 *
 * @example
 * ```ts
 * limitTokens('a long simulated answer', 2); // { text: 'a long s', tokens: 2, finishReason: 'length' }
 * ```
 */
export function limitTokens(text: string, maxTokens: number | undefined): LimitedText {
  const tokens = estimateTokens(text);
  if (maxTokens === undefined || tokens <= maxTokens) return { text, tokens, finishReason: 'stop' };
  return { text: text.slice(0, maxTokens * 4), tokens: maxTokens, finishReason: 'length' };
}
