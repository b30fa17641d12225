/**
 * The hash that makes the simulator's answers deterministic.
 * @module
 */
import { createHash } from 'node:crypto';

/**
 * Returns the SHA-256 (hex) of `parts` serialized as JSON. The simulator keys each answer on
 * `[endpoint, model, prompt, seed, sample index]`, so equal requests get equal answers and
 * any change in those gives a different one.
 *
 * @example
 * ```ts
 * contentKey(['chat', 'sim-small', messages, null, 0]).slice(0, 8); // e.g. '3f9a01c2'
 * ```
 */
export function contentKey(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}
