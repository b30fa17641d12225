/**
 * Murmur3's 32-bit finaliser: mixes a 32-bit value so that every input bit reaches every output
 * bit, for hashes that must be cheap, repeatable and well spread (MinHash, the simulator's draws).
 * @module
 */
export function fmix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
