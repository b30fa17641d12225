/**
 * A sink opened as soon as it is made, taking rows meanwhile: each row is written once the open
 * has finished (in order), or its `done` gets the open's error. For sinks made per file or per leaf.
 * @module
 */
import type { Row } from '../core/row.ts';
import type { Sink } from '../core/sink.ts';

export class OpeningSink {
  readonly #sink: Sink;
  readonly #opened: Promise<void>;

  constructor(sink: Sink) {
    this.#sink = sink;
    this.#opened = sink.open ? sink.open() : Promise.resolve();
  }

  write(row: Row, leaf: string, done: (error?: Error | null) => void): void {
    this.#opened.then(
      () => this.#sink.write(row, leaf, done),
      (error: Error) => done(error),
    );
  }

  /** Closes the sink once it is open (an open that failed has already been reported to the rows' dones). */
  async close(): Promise<void> {
    await this.#opened.catch(() => {});
    await this.#sink.close();
  }
}
