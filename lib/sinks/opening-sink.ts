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

  /**
   * `prepare` runs first (making the file's folder, say); its failure fails the rows as the open's
   * would. `append` opens the sink to add to what its file holds (a resumed run); `staging` is the
   * run directory's staging folder (see `Sink.open`).
   */
  constructor(sink: Sink, { prepare, append = false, staging }: { prepare?: (() => Promise<unknown>) | undefined; append?: boolean; staging?: string } = {}) {
    this.#sink = sink;
    const options = { ...(append ? { append } : {}), ...(staging !== undefined ? { staging } : {}) };
    this.#opened = (prepare ? prepare() : Promise.resolve()).then(() => sink.open?.(Object.keys(options).length > 0 ? options : undefined));
  }

  write(row: Row, leaf: string, done: (error?: Error | null) => void): void {
    this.#opened.then(
      () => this.#sink.write(row, leaf, done),
      (error: Error) => done(error),
    );
  }

  /** Closes the sink once it is open. A sink whose open failed is not closed: nothing was opened, and its rows' dones have the error. */
  async close(): Promise<void> {
    const opened = await this.#opened.then(
      () => true,
      () => false,
    );
    if (opened) await this.#sink.close();
  }
}
