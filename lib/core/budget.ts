/**
 * The permit budget: a counting semaphore shared by the source and the sinks.
 * A source takes one credit before it pulls a record; the credit comes back when every
 * row descended from that record has been written, dropped or recorded as failed.
 * @module
 */
import { SluiceConfigError } from './errors.ts';

export class Budget {
  readonly size: number;
  #free: number;
  #waiters: Array<() => void> = [];
  #empty: Array<() => void> = [];

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) {
      throw new SluiceConfigError(`Expected \`budget\` to be an integer from 1 and up, got \`${size}\``);
    }
    this.size = size;
    this.#free = size;
  }

  /** Credits free right now. */
  get free(): number {
    return this.#free;
  }

  /** Records pulled and not yet done. */
  get inFlight(): number {
    return this.size - this.#free;
  }

  /** Takes a credit if one is free, without waiting. */
  tryAcquire(): boolean {
    if (this.#free > 0) {
      this.#free--;
      return true;
    }
    return false;
  }

  /** Resolves once a credit has been taken. */
  acquire(): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Gives a credit back; hands it straight to a waiter if there is one. */
  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#free++;
    if (this.#free === this.size) for (const resolve of this.#empty.splice(0)) resolve();
  }

  /** Resolves when no record is in flight: every credit is back (done, or cut short by a stop). */
  whenEmpty(): Promise<void> {
    if (this.#free === this.size) return Promise.resolve();
    return new Promise((resolve) => this.#empty.push(resolve));
  }
}
