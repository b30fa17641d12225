/**
 * A seeded pseudo-random generator (xmur3 to hash the seed, mulberry32 to draw): the same seed
 * gives the same draws in every run and on every machine, which is what a reproducible sample or
 * shuffle needs. Not for secrets.
 * @module
 */

/** xmur3: hashes a string into a 32-bit seed. */
function xmur3(text: string): number {
  let h = 1779033703 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  h = Math.imul(h ^ (h >>> 16), 2246822507);
  h = Math.imul(h ^ (h >>> 13), 3266489909);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Draws floats in [0, 1) from a generator seeded by `seed` (mulberry32: 32 bits of state).
 * @example
 * const random = seededRandom(42);
 * random(); // the same first draw for seed 42, always
 */
export function seededRandom(seed: number | string): () => number {
  let a = xmur3(String(seed));
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
