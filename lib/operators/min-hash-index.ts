/**
 * Near-duplicate texts by MinHash with banded locality-sensitive hashing (Broder, 1997; the
 * banding as in Leskovec, Rajaraman and Ullman, "Mining of Massive Datasets", ch. 3): each text
 * becomes the set of its word 3-grams, summarised by `perms` minimum hashes; texts that share a
 * band of the signature are candidates, and a candidate counts when the share of equal minimums
 * (an estimate of the Jaccard similarity of the two sets) reaches the threshold.
 * Memory: `perms × 4` bytes per text kept, plus the band keys.
 * @module
 */
import { fmix32 } from '../core/fmix32.ts';

const mix = fmix32;

/** FNV-1a over a string's UTF-16 code units, mixed. */
function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return mix(h >>> 0);
}

/** The word 3-grams of a text, lower-cased; a text of fewer words is one shingle. */
export function shingles(text: string): Set<string> {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const out = new Set<string>();
  if (words.length < 3) out.add(words.join(' '));
  for (let i = 0; i + 3 <= words.length; i++) out.add(`${words[i]} ${words[i + 1]} ${words[i + 2]}`);
  return out;
}

export class MinHashIndex {
  readonly #perms: number;
  readonly #bands: number;
  readonly #threshold: number;
  readonly #seeds: Uint32Array;
  readonly #buckets = new Map<string, number[]>();
  readonly #signatures: Uint32Array[] = [];

  /** `threshold`: the estimated Jaccard similarity from which a text is a near-duplicate (0..1). */
  constructor(threshold: number, perms = 128, bands = 32) {
    this.#perms = perms;
    this.#bands = bands;
    this.#threshold = threshold;
    this.#seeds = Uint32Array.from({ length: perms }, (_, i) => mix(0x9e3779b9 ^ Math.imul(i + 1, 0x27d4eb2d)));
  }

  signature(text: string): Uint32Array {
    const signature = new Uint32Array(this.#perms).fill(0xffffffff);
    for (const shingle of shingles(text)) {
      const h = hashText(shingle);
      for (let i = 0; i < this.#perms; i++) {
        const v = mix(h ^ this.#seeds[i]!);
        if (v < signature[i]!) signature[i] = v;
      }
    }
    return signature;
  }

  /**
   * Whether `text` is a near-duplicate of a text added before (the estimated similarity of the
   * closest, or `undefined`); when it is not, it is added.
   */
  addUnlessNear(text: string): number | undefined {
    const signature = this.signature(text);
    const rows = this.#perms / this.#bands;
    const keys: string[] = [];
    const seen = new Set<number>();
    let best: number | undefined;
    for (let band = 0; band < this.#bands; band++) {
      const key = `${band}:${signature.subarray(band * rows, band * rows + rows).join(',')}`;
      keys.push(key);
      for (const candidate of this.#buckets.get(key) ?? []) {
        if (seen.has(candidate)) continue;
        seen.add(candidate);
        const other = this.#signatures[candidate]!;
        let equal = 0;
        for (let i = 0; i < this.#perms; i++) if (other[i] === signature[i]) equal++;
        const similarity = equal / this.#perms;
        if (similarity >= this.#threshold && (best === undefined || similarity > best)) best = similarity;
      }
    }
    if (best !== undefined) return best;
    const id = this.#signatures.push(signature) - 1;
    for (const key of keys) {
      const bucket = this.#buckets.get(key);
      if (bucket) bucket.push(id);
      else this.#buckets.set(key, [id]);
    }
    return undefined;
  }
}
