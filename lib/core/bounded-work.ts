/**
 * The one bounded-concurrency engine under `map`, `batch` and the LLM steps, as RxJS's
 * `mergeInternals` is under `mergeMap`: at most `concurrency` units of work at once, the rest
 * queued; stats, permit hand-off, cancellation and completion handled here, once.
 *
 * A unit is what one call of the user's work takes: one row (`map`, LLM steps) or a batch of rows.
 * The output completes only when the input has completed and every unit has settled and emitted:
 * emissions come from promise callbacks, after the input's `complete` (rxjs #3609, #7334).
 * @module
 */
import type { Subscriber } from 'rxjs';
import { childOf, type Envelope } from './envelope.ts';
import { RowAbandonedError } from './errors.ts';
import type { StepContext } from './step.ts';

/** What a unit's work gets: a signal and the ways to hand rows on. */
export interface Job {
  /**
   * Aborted when the run is stopped hard or the consumer unsubscribes. Made on first use, so work
   * that needs none (a cache hit) costs no `AbortController`.
   */
  readonly signal: AbortSignal;
  /** Hands the row on with a new value (same id, same permit). Ignored once unsubscribed. */
  emit(envelope: Envelope<any>, row: unknown): void;
  /** Replaces the row by `rows`, one child each (sharing its permit); none drops it. */
  emitChildren(envelope: Envelope<any>, rows: readonly unknown[]): void;
}

export interface BoundedWorkOptions<U> {
  /** Units running at once, at most. */
  readonly concurrency: number;
  /** The rows a unit holds: failed together when its work throws, abandoned together when the run stops. */
  rowsOf(unit: U): readonly Envelope<any>[];
  /** Does one unit's work; a promise for asynchronous work. A throw or a rejection fails all its rows. */
  run(unit: U, job: Job): PromiseLike<void> | void;
}

export class BoundedWork<U> {
  readonly #subscriber: Subscriber<Envelope<any>>;
  readonly #ctx: StepContext;
  readonly #options: BoundedWorkOptions<U>;
  readonly #queue: U[] = [];
  readonly #controllers = new Set<AbortController>();
  #active = 0;
  #inputDone = false;
  #closed = false;

  constructor(subscriber: Subscriber<Envelope<any>>, ctx: StepContext, options: BoundedWorkOptions<U>) {
    this.#subscriber = subscriber;
    this.#ctx = ctx;
    this.#options = options;
    ctx.signal.addEventListener('abort', this.#onHardStop);
    ctx.stopping?.addEventListener('abort', this.#onStopping);
  }

  /** Starts the unit now if a slot is free, else queues it (or, if the run is stopping, abandons it). */
  push(unit: U): void {
    if (this.#closed) return;
    if (this.#active < this.#options.concurrency) this.#start(unit);
    else if (this.#ctx.stopping?.aborted) this.#abandon(unit);
    else this.#queue.push(unit);
  }

  /** The input completed: the output completes once the work in flight has settled. */
  complete(): void {
    this.#inputDone = true;
    this.#completeIfDone();
  }

  /** Unsubscribed: nothing queued starts, nothing more is emitted, and the work in flight is aborted. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.length = 0;
    this.#ctx.signal.removeEventListener('abort', this.#onHardStop);
    this.#ctx.stopping?.removeEventListener('abort', this.#onStopping);
    for (const controller of this.#controllers) controller.abort(new Error('cancelled'));
  }

  readonly #onHardStop = () => {
    for (const controller of this.#controllers) controller.abort(this.#ctx.signal.reason);
  };

  /** The run stops taking work: units still queued are left not done, for a resume. */
  readonly #onStopping = () => {
    for (const unit of this.#queue.splice(0)) this.#abandon(unit);
    this.#completeIfDone();
  };

  #abandon(unit: U): void {
    for (const envelope of this.#options.rowsOf(unit)) {
      this.#ctx.fail(envelope, new RowAbandonedError(`Step \`${this.#ctx.step}\` was stopped before row \`${envelope.id}\` started`));
    }
  }

  #completeIfDone(): void {
    if (this.#inputDone && this.#active === 0 && this.#queue.length === 0 && !this.#closed) this.#subscriber.complete();
  }

  /**
   * A unit's job: one object per unit, its methods on the prototype (this runs once per row in a
   * `map`, so per-unit closures were a measurable share of the garbage). Nested in the class body
   * to reach the work's private state.
   */
  static readonly #UnitJob = class UnitJob implements Job {
    readonly work: BoundedWork<any>;
    controller: AbortController | undefined;
    constructor(work: BoundedWork<any>) {
      this.work = work;
    }
    get signal(): AbortSignal {
      const work = this.work;
      if (!this.controller) {
        this.controller = new AbortController();
        if (work.#closed) this.controller.abort(new Error('cancelled'));
        else if (work.#ctx.signal.aborted) this.controller.abort(work.#ctx.signal.reason);
        work.#controllers.add(this.controller);
      }
      return this.controller.signal;
    }
    emit(envelope: Envelope<any>, row: unknown): void {
      const work = this.work;
      if (work.#closed) return;
      envelope.row = row;
      const stats = work.#ctx.stats;
      stats.out++;
      stats.emitted++;
      work.#subscriber.next(envelope);
    }
    emitChildren(envelope: Envelope<any>, rows: readonly unknown[]): void {
      const work = this.work;
      if (work.#closed) return;
      if (rows.length === 0) {
        work.#ctx.drop(envelope);
        return;
      }
      const stats = work.#ctx.stats;
      stats.out++;
      rows.forEach((row, i) => {
        stats.emitted++;
        work.#subscriber.next(childOf(envelope, row, i));
      });
      envelope.permit.release();
    }
  };

  #failAll(unit: U, error: unknown): void {
    for (const envelope of this.#options.rowsOf(unit)) this.#ctx.fail(envelope, error);
  }

  #start(unit: U): void {
    const job = new BoundedWork.#UnitJob(this);
    let result: PromiseLike<void> | void;
    try {
      result = this.#options.run(unit, job);
    } catch (error) {
      this.#failAll(unit, error);
      return;
    }
    if (result === undefined || typeof result.then !== 'function') return;
    this.#active++;
    result
      .then(undefined, (error: unknown) => this.#failAll(unit, error))
      .then(() => {
        if (job.controller) this.#controllers.delete(job.controller);
        this.#active--;
        this.#pump();
      });
  }

  /** Starts queued units while slots are free (work that settles synchronously frees its slot at once). */
  #pump(): void {
    while (!this.#closed && this.#active < this.#options.concurrency && this.#queue.length > 0) this.#start(this.#queue.shift()!);
    this.#completeIfDone();
  }
}
