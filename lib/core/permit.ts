/**
 * A permit tracks one unit of "not done yet" work by reference count.
 * A source record's permit holds one budget credit. Scatter children and broadcast copies
 * retain the parent's permit; sinks, filters and the failed sink release it.
 * When the count reaches zero the record is done: its credit returns and `onDone` fires
 * (the done-ledger that resume reads).
 * @module
 */
import type { Budget } from './budget.ts';

export interface Permit {
  /** Adds `n` more holders. */
  retain(n?: number): void;
  /** Drops one holder; the last one completes the permit. */
  release(): void;
  /**
   * Returns the budget credit now but keeps the record "not done".
   * Aggregates call this on ingestion: holding credits there would deadlock when a group is larger than the budget.
   */
  freeCredit(): void;
  /**
   * Gives up on the record: its credit returns, and it will never count as done, whatever the
   * other holders do. For rows a run-stopping error cut short: resume must redo them.
   */
  abandon(): void;
}

export class RecordPermit implements Permit {
  #refs = 1;
  #credit = true;
  #abandoned = false;
  readonly #budget: Budget | undefined;
  readonly #onDone: (() => void) | undefined;

  constructor(budget?: Budget, onDone?: () => void) {
    this.#budget = budget;
    this.#onDone = onDone;
  }

  get refs(): number {
    return this.#refs;
  }

  retain(n = 1): void {
    this.#refs += n;
  }

  release(): void {
    if (--this.#refs !== 0) return;
    this.freeCredit();
    if (!this.#abandoned) this.#onDone?.();
  }

  freeCredit(): void {
    if (!this.#credit) return;
    this.#credit = false;
    this.#budget?.release();
  }

  abandon(): void {
    this.#abandoned = true;
    this.freeCredit();
  }
}

/** The permit of a row made from many (an aggregate): done when it is, which makes all its members done. */
export class GroupPermit implements Permit {
  #refs = 1;
  readonly #members: readonly Permit[];
  constructor(members: readonly Permit[]) {
    this.#members = members;
  }
  retain(n = 1): void {
    this.#refs += n;
  }
  release(): void {
    if (--this.#refs !== 0) return;
    for (const member of this.#members) member.release();
  }
  freeCredit(): void {
    for (const member of this.#members) member.freeCredit();
  }
  abandon(): void {
    for (const member of this.#members) member.abandon();
  }
}

/** A permit that tracks nothing, for rows made outside any budget (tests, dry runs). */
export const noPermit: Permit = { retain() {}, release() {}, freeCredit() {}, abandon() {} };
