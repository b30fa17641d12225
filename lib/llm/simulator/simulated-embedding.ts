/**
 * The simulator's deterministic embedding vectors.
 * @module
 */
import { createHash } from 'node:crypto';

/**
 * Returns a unit-length vector of `dimensions` floats derived from a hash of `text`: the same text
 * always gives the same vector, different texts give unrelated ones. Values are rounded to float32,
 * so the `float` and `base64` encodings of a vector are equal.
 *
 * @example
 * ```ts
 * const v = simulatedEmbedding('hello', 8);
 * Math.hypot(...v); // ≈ 1
 * ```
 */
export function simulatedEmbedding(text: string, dimensions: number): number[] {
  const digest = createHash('sha256').update(text).digest();
  // mulberry32 seeded from the digest: one hash per input, whatever the dimension count.
  let state = digest.readUInt32LE(0);
  const raw = new Array<number>(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const value = (((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000) * 2 - 1;
    raw[i] = value;
    norm += value * value;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  return raw.map((value) => Math.fround(value * scale));
}
