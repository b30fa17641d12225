/**
 * The simulator's token estimate: about four characters per token.
 * @module
 */

/**
 * Estimates the tokens in `text` at four characters per token, rounded up, and at least 1.
 *
 * The simulator reports this as `usage` and counts it against `tpm`. It is a stand-in for a real
 * tokenizer: cheap, deterministic and close enough for English text to exercise token budgets.
 *
 * @example
 * ```ts
 * estimateTokens('Hello, world!'); // 4
 * estimateTokens('');              // 1
 * ```
 */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
