/**
 * The sinks of a run, as given: one sink for every leaf, or one per leaf name (`'*'` for the rest).
 * @module
 */
import type { Sink } from './sink.ts';

export class Outputs {
  readonly #sink: Sink | Readonly<Record<string, Sink>>;

  constructor(sink: Sink | Readonly<Record<string, Sink>>) {
    this.#sink = sink;
  }

  /** Each distinct sink once. */
  get all(): Sink[] {
    if (typeof (this.#sink as Sink).write === 'function') return [this.#sink as Sink];
    return [...new Set(Object.values(this.#sink as Record<string, Sink>))];
  }

  /** The sink of a leaf, if any. */
  forLeaf(leaf: string): Sink | undefined {
    if (typeof (this.#sink as Sink).write === 'function') return this.#sink as Sink;
    const byLeaf = this.#sink as Readonly<Record<string, Sink>>;
    // Leaves can come from data (`constructor`, `__proto__`): only the sinks given count.
    if (Object.hasOwn(byLeaf, leaf)) return byLeaf[leaf];
    return Object.hasOwn(byLeaf, '*') ? byLeaf['*'] : undefined;
  }
}
