/**
 * The NDJSON writer every NDJSON sink shares: batches rows into big writes, honours `drain`,
 * and calls each row's `done` only once the OS has its bytes.
 * @module
 */
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { OutputNotJsonError, SinkClosedError, SluiceConfigError, SluiceError } from '../core/errors.ts';

/** Called once per row: with no argument when the row was handed to the OS, with the error otherwise. */
export type WriteDone = (error?: Error | null) => void;

/** The part of a Node Writable the writer uses (process.stdout, fs.WriteStream, sockets…). */
export type WritableLike = NodeJS.WritableStream & { writableNeedDrain?: boolean; pending?: boolean };

export interface NdjsonWriterOptions {
  /** Flush once this many characters are buffered. Default 64 KiB. */
  flushSize?: number;
  /** End the stream on `close()`. Default true; stdout sets it false. */
  end?: boolean;
  /** Make the stream on `close()` even if no row came, so that an empty output file exists. Default false. */
  createEmpty?: boolean;
  /**
   * How a row is written, terminator included (`index` counts the rows accepted so far): other
   * formats (CSV, a JSON array) plug in here and keep the batching, backpressure and `done`s.
   * Default: `JSON.stringify(row) + '\n'`. A `SluiceError` it throws fails that row with its code;
   * any other error fails it as `SLUICE_OUTPUT_NOT_JSON`.
   */
  encode?: (row: unknown, index: number) => string;
  /** Text written once after the last row, on `close()` (a JSON array's `]`); gets the number of rows written. */
  epilogue?: (rows: number) => string;
}

/**
 * Serialises rows as `JSON.stringify(row) + '\n'` into a string buffer and hands it to the stream
 * in one `write()` when it reaches `flushSize`, or on the next `setImmediate`, whichever is first.
 * Every row's `done` is called from that write's callback.
 *
 * Backpressure: once `write()` returns false, nothing more is written until `'drain'`. Rows keep
 * queueing, but their `done` waits, so the pipeline's permits stay held and the source stops reading.
 *
 * Errors never throw: a stream error (EPIPE when stdout's reader went away, EACCES, ENOSPC…) goes
 * to every pending `done`, and to every later one; a row `JSON.stringify` rejects (a BigInt, a cycle)
 * gets a `SluiceError` coded `SLUICE_OUTPUT_NOT_JSON` and the other rows are written. `done` is
 * always called asynchronously, never inside `write()`.
 *
 * The stream is made on the first flush (or on `open()`), from the function given, so a file that
 * gets no rows need not exist.
 *
 * @example
 * const writer = new NdjsonWriter(() => createWriteStream('out.jsonl'));
 * writer.write({ id: 1 }, (error) => (error ? console.error(error) : permit.release()));
 * await writer.close();
 */
export class NdjsonWriter {
  readonly #make: () => WritableLike;
  readonly #flushSize: number;
  readonly #end: boolean;
  readonly #createEmpty: boolean;
  #stream: WritableLike | undefined;
  /** Serialised rows not yet handed to the stream, and their `done`s. */
  #buffer = '';
  #waiting: WriteDone[] = [];
  /** Writes handed to the stream whose callback has not come yet. */
  #inFlight = 0;
  /** `write()` returned false: hold everything until `'drain'`. */
  #blocked = false;
  #immediate: NodeJS.Immediate | undefined;
  #error: Error | undefined;
  /** Whether some `done` (or `open()`) has passed `#error` on; if not, `close()` rejects with it. */
  #errorReported = false;
  #closing: Promise<void> | undefined;
  #idle: Array<() => void> = [];
  #inFlightRows = 0;
  readonly #encode: ((row: unknown, index: number) => string) | undefined;
  readonly #epilogue: ((rows: number) => string) | undefined;
  /** Rows accepted (encoded without an error). */
  #rows = 0;

  constructor(
    stream: WritableLike | (() => WritableLike),
    { flushSize = 64 * 1024, end = true, createEmpty = false, encode, epilogue }: NdjsonWriterOptions = {},
  ) {
    if (!Number.isInteger(flushSize) || flushSize < 1) {
      throw new SluiceConfigError(`Expected \`flushSize\` to be an integer from 1 and up, got \`${flushSize}\``);
    }
    this.#make = typeof stream === 'function' ? stream : () => stream;
    this.#flushSize = flushSize;
    this.#end = end;
    this.#createEmpty = createEmpty;
    this.#encode = encode;
    this.#epilogue = epilogue;
  }

  /** Rows queued whose `done` has not been called yet. */
  get pending(): number {
    return this.#waiting.length + this.#inFlightRows;
  }

  /**
   * Makes the stream now and waits until it is open (for a file: created), so that a path that
   * cannot be written fails before the run rather than on its first row.
   */
  async open(): Promise<void> {
    const stream = this.#ensureStream();
    if (stream === undefined || this.#error) return this.#rethrow();
    if (stream.pending) {
      try {
        // `once` rejects if 'error' comes first.
        await once(stream, 'ready');
      } catch {
        return this.#rethrow();
      }
    }
  }

  /** Queues one row. Never throws; `done` gets the outcome. */
  write(row: unknown, done: WriteDone): void {
    if (this.#error) {
      this.#errorReported = true;
      process.nextTick(done, this.#error);
      return;
    }
    if (this.#closing) {
      process.nextTick(done, new SinkClosedError('A row was written after the sink was closed; it was not written.'));
      return;
    }
    if (this.#encode) {
      let text: string;
      try {
        text = this.#encode(row, this.#rows);
      } catch (error) {
        process.nextTick(done, error instanceof SluiceError ? error : notJson(error));
        return;
      }
      this.#buffer += text;
    } else {
      let line: string | undefined;
      try {
        line = JSON.stringify(row);
      } catch (error) {
        process.nextTick(done, notJson(error));
        return;
      }
      if (line === undefined) {
        process.nextTick(done, notJson(new TypeError(`JSON.stringify turned a ${typeof row} into nothing`)));
        return;
      }
      this.#buffer += line;
      this.#buffer += '\n';
    }
    this.#rows++;
    this.#waiting.push(done);
    if (this.#buffer.length >= this.#flushSize) this.#flush();
    else this.#immediate ??= setImmediate(this.#onImmediate);
  }

  /**
   * Writes what is buffered (after `'drain'` if the stream is full), waits for every pending
   * `done`, then ends the stream unless `end: false`. Rejects only with a stream error that no
   * `done` was given (for instance one raised while ending); errors already passed on are not repeated.
   */
  close(): Promise<void> {
    return (this.#closing ??= this.#close());
  }

  async #close(): Promise<void> {
    if (this.#createEmpty) this.#ensureStream();
    // The file exists (or will, at this flush) when a row came or an empty file is wanted.
    if (this.#epilogue && !this.#error && (this.#rows > 0 || this.#createEmpty)) {
      this.#buffer += this.#epilogue(this.#rows);
      // Counted as a pending write, so that closing waits for it like for a row.
      this.#waiting.push(() => {});
    }
    this.#flush();
    await this.#whenIdle();
    const stream = this.#stream;
    if (stream !== undefined) {
      if (this.#end && !this.#error) {
        try {
          stream.end();
          await finished(stream as NodeJS.WritableStream, { readable: false });
        } catch (error) {
          this.#error ??= error as Error;
        }
      }
      // On a stream it ended, the 'error' listener stays: a failed write's 'error' event can come
      // after this point (a full disk), and with no listener it would crash the process. A stream
      // it does not own (stdout) outlives the writer: leave no listener behind on it.
      if (!this.#end) stream.removeListener('error', this.#onError);
      stream.removeListener('drain', this.#onDrain);
    }
    if (this.#error && !this.#errorReported) this.#rethrow();
  }

  #onImmediate = (): void => {
    this.#immediate = undefined;
    this.#flush();
  };

  #onDrain = (): void => {
    this.#blocked = false;
    this.#flush();
  };

  #onError = (error: Error): void => {
    this.#error ??= error;
    // Rows not yet handed to the stream will never be: tell them now.
    this.#failWaiting();
    this.#checkIdle();
  };

  #flush(): void {
    if (this.#immediate !== undefined) {
      clearImmediate(this.#immediate);
      this.#immediate = undefined;
    }
    if (this.#blocked || this.#buffer === '' || this.#error) return;
    const stream = this.#ensureStream();
    if (stream === undefined) return;
    const chunk = this.#buffer;
    const dones = this.#waiting;
    this.#buffer = '';
    this.#waiting = [];
    this.#inFlight++;
    this.#inFlightRows += dones.length;
    const ok = stream.write(chunk, (error?: Error | null) => this.#written(dones, error));
    if (!ok) {
      // Hold further rows (and so their dones, and so the source) until the stream has room.
      this.#blocked = true;
      stream.once('drain', this.#onDrain);
    }
  }

  #written(dones: WriteDone[], error: Error | null | undefined): void {
    this.#inFlight--;
    this.#inFlightRows -= dones.length;
    if (error) {
      // A write cut short by an earlier error reports that error, not ERR_STREAM_DESTROYED.
      this.#error ??= error;
      const reported = this.#error;
      if (dones.length > 0) this.#errorReported = true;
      for (const done of dones) done(reported);
      this.#failWaiting();
    } else {
      for (const done of dones) done();
    }
    this.#checkIdle();
  }

  #ensureStream(): WritableLike | undefined {
    if (this.#stream !== undefined || this.#error) return this.#stream;
    try {
      this.#stream = this.#make();
    } catch (error) {
      // The factory failed (mkdir EACCES…): the same as a stream error.
      this.#onError(error as Error);
      return undefined;
    }
    this.#stream.on('error', this.#onError);
    return this.#stream;
  }

  #failWaiting(): void {
    if (this.#waiting.length === 0) return;
    const dones = this.#waiting;
    this.#waiting = [];
    this.#buffer = '';
    this.#errorReported = true;
    const error = this.#error!;
    for (const done of dones) process.nextTick(done, error);
  }

  #whenIdle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #isIdle(): boolean {
    return this.#inFlight === 0 && (this.#waiting.length === 0 || this.#error !== undefined);
  }

  #checkIdle(): void {
    if (this.#idle.length === 0 || !this.#isIdle()) return;
    const idle = this.#idle;
    this.#idle = [];
    for (const resolve of idle) resolve();
  }

  #rethrow(): never {
    this.#errorReported = true;
    throw this.#error;
  }
}

function notJson(cause: unknown): OutputNotJsonError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new OutputNotJsonError(
    `A row could not be written as JSON (${reason}). Rows must hold only JSON values: turn BigInts into strings and break cycles in a step before the sink.`,
    { cause },
  );
}
