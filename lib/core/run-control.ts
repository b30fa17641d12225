/**
 * How a run stops: gracefully (no new work, requests in flight get a grace period) or hard (work
 * in flight is aborted), and what stopped it.
 * @module
 */
import type { Subject } from 'rxjs';
import { SluiceError } from './errors.ts';
import type { SluiceEvent } from './events.ts';

export class RunControl {
  /** Aborted when the run stops taking work. */
  readonly stopping = new AbortController();
  /** Aborted when the work in flight must end now. */
  readonly hard = new AbortController();
  /** The error that ends the run with status `error`. */
  fatal: Error | undefined;
  /** Stopped on request (a signal, `stop()`), not by an error. */
  interrupted = false;
  readonly #events: Subject<SluiceEvent>;
  readonly #graceMs: number;
  #graceTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(events: Subject<SluiceEvent>, graceMs = 30_000) {
    this.#events = events;
    this.#graceMs = graceMs;
  }

  /** Stops taking work; `error` makes the run end as failed. Requests already sent get the grace period. */
  stop(reason = 'stopped', error?: Error): void {
    if (error && !this.fatal) this.fatal = error;
    if (this.stopping.signal.aborted) return;
    if (!error) this.interrupted = true;
    if (this.#events.observed) this.#events.next({ type: 'run-stopping', reason });
    this.stopping.abort(error ?? new SluiceError(reason));
    if (this.#graceMs !== Infinity) {
      this.#graceTimer = setTimeout(() => this.hard.abort(new SluiceError(`The grace period of ${this.#graceMs} ms after the stop ran out`)), this.#graceMs);
      this.#graceTimer.unref();
    }
  }

  /** Stops and aborts the work in flight. */
  abort(reason = 'aborted', error: Error = new SluiceError(`The run was aborted: ${reason}`)): void {
    this.stop(reason);
    this.hard.abort(error);
  }

  /** The run is over: no grace period to wait out. */
  settle(): void {
    clearTimeout(this.#graceTimer);
  }
}
