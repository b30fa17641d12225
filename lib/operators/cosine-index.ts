/**
 * Near-duplicate vectors by cosine similarity, with random-hyperplane hashing (Charikar, 2002)
 * to find candidates: each table hashes a vector to the signs of its dot products with `bits`
 * random directions; vectors that share a bucket in any table are compared exactly.
 * Memory: the vectors kept (as float32), plus `tables` keys each.
 * @module
 */
import { seededRandom } from '../core/seeded-random.ts';

export class CosineIndex {
  readonly #threshold: number;
  readonly #tables: number;
  readonly #bits: number;
  #planes: Float32Array[] | undefined;
  readonly #buckets = new Map<string, number[]>();
  readonly #vectors: Float32Array[] = [];

  constructor(threshold: number, tables = 8, bits = 12) {
    this.#threshold = threshold;
    this.#tables = tables;
    this.#bits = bits;
  }

  /** The similarity of `vector` to the closest one kept, when at or above the threshold; else keeps it. */
  addUnlessNear(values: readonly number[]): number | undefined {
    const vector = normalised(values);
    const planes = (this.#planes ??= makePlanes(this.#tables * this.#bits, vector.length));
    const keys: string[] = [];
    const seen = new Set<number>();
    let best: number | undefined;
    for (let table = 0; table < this.#tables; table++) {
      let key = `${table}:`;
      for (let bit = 0; bit < this.#bits; bit++) key += dot(planes[table * this.#bits + bit]!, vector) >= 0 ? '1' : '0';
      keys.push(key);
      for (const candidate of this.#buckets.get(key) ?? []) {
        if (seen.has(candidate)) continue;
        seen.add(candidate);
        const other = this.#vectors[candidate]!;
        if (other.length !== vector.length) continue;
        const similarity = dot(other, vector);
        if (similarity >= this.#threshold && (best === undefined || similarity > best)) best = similarity;
      }
    }
    if (best !== undefined) return best;
    const id = this.#vectors.push(vector) - 1;
    for (const key of keys) {
      const bucket = this.#buckets.get(key);
      if (bucket) bucket.push(id);
      else this.#buckets.set(key, [id]);
    }
    return undefined;
  }
}

function normalised(values: readonly number[]): Float32Array {
  let norm = 0;
  for (const v of values) norm += v * v;
  norm = Math.sqrt(norm) || 1;
  return Float32Array.from(values, (v) => v / norm);
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length && i < b.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/** Random directions, the same in every run (seeded), so that dedup is repeatable. */
function makePlanes(count: number, dimensions: number): Float32Array[] {
  const random = seededRandom('sluice-cosine-planes');
  // Gaussian entries (Box–Muller): the direction of such a vector is uniform on the sphere.
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Array.from({ length: count }, () => Float32Array.from({ length: dimensions }, gaussian));
}
