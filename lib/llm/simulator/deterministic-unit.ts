/**
 * A reproducible "random" number from a seed and a counter, for fault and latency draws.
 * @module
 */
import { fmix32 } from '../../core/fmix32.ts';

/**
 * Returns a number in [0, 1) that depends only on `seed`, the request counter `n` and a `salt`
 * naming the draw (so the fault draw and the latency draw of one request are independent).
 * The same inputs always give the same number, which makes a fault schedule reproducible.
 *
 * It is a few integer multiplications (a murmur3-style finalizer), cheap enough to run on every request.
 *
 * @example
 * ```ts
 * const u = deterministicUnit(42, 7, 'fault'); // same value on every run
 * ```
 */
export function deterministicUnit(seed: number, n: number, salt: string): number {
  let h = mix32(seed | 0);
  for (let i = 0; i < salt.length; i++) h = mix32(h ^ salt.charCodeAt(i));
  // Mix the high part too, so counters above 2^32 still differ.
  h = mix32(h ^ (n >>> 0));
  h = mix32(h ^ Math.floor(n / 0x1_0000_0000));
  return h / 0x1_0000_0000;
}

/** murmur3's 32-bit finalizer with a golden-ratio offset: spreads every input bit over the output. */
function mix32(value: number): number {
  return fmix32((value + 0x9e3779b9) | 0);
}
