/**
 * A source over rows already in memory or made by code: arrays, generators, async generators.
 * @module
 */
import { InputError, SluiceConfigError } from '../core/errors.ts';
import type { Row } from '../core/row.ts';
import type { Source, SourceItem } from '../core/source.ts';

export interface FromIterableOptions {
  /** Names the source in row ids (`rows:0`) and in the summary. Default `'rows'`. */
  name?: string;
  /** The most items in one batch, and so the most read ahead of the consumer. Default 256. */
  batchSize?: number;
}

const RAW_CHARS = 200;
const TICK = Symbol('tick');
const ABORTED = Symbol('aborted');

/**
 * Reads rows from an array, a generator or an async generator. Positions are 0-based indexes.
 * An item that is not a plain object becomes a failed item (`SLUICE_INPUT_NOT_OBJECT`).
 *
 * Items are pulled lazily, a batch at a time, when the consumer asks, so a generator that
 * calls an API runs at the pipeline's pace. A batch from an async iterable holds what it
 * has ready: the first item is awaited however long it takes, then the batch closes when the
 * next item is not there by the next turn of the event loop (or when it is full), so a slow
 * live source is not held back waiting for a full batch.
 *
 * An array (or any iterable that makes a fresh iterator each time) can be read again from the
 * start; a generator can be read once, and a second `read()` fails with a `SluiceConfigError`.
 * When the signal aborts, the reading ends without an error and the iterator's `return()` is called.
 *
 * @example
 * await pipeline('qa').from(fromIterable([{ topic: 'tides' }, { topic: 'lichens' }])).pipe(…).to(toStdout()).run();
 */
export function fromIterable<R extends object = Row>(
  items: Iterable<R> | AsyncIterable<R>,
  { name = 'rows', batchSize = 256 }: FromIterableOptions = {},
): Source<R> {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new SluiceConfigError(`Expected \`batchSize\` to be an integer from 1 and up, got \`${batchSize}\``);
  }
  // An iterator is its own iterable: reading it again would carry on where the last read stopped.
  const once = typeof (items as { next?: unknown }).next === 'function';
  let reads = 0;
  return {
    name,
    positions: 'index',
    read(signal) {
      reads++;
      if (once && reads > 1) return refuse(name);
      return Symbol.asyncIterator in items
        ? (pullAsync(items as AsyncIterable<unknown>, signal, name, batchSize) as AsyncGenerator<SourceItem<R>[]>)
        : (pullSync(items as Iterable<unknown>, signal, name, batchSize) as AsyncGenerator<SourceItem<R>[]>);
    },
  };
}

// biome-ignore lint/correctness/useYield: it only throws, on the first read, as a used-up generator source must.
async function* refuse(name: string): AsyncGenerator<never> {
  throw new SluiceConfigError(`Source \`${name}\` was already read, and a generator can be read only once. Pass an array, or make a new source for each run.`);
}

async function* pullSync(items: Iterable<unknown>, signal: AbortSignal, name: string, batchSize: number): AsyncGenerator<SourceItem[]> {
  if (signal.aborted) return;
  const iterator = items[Symbol.iterator]();
  let position = 0;
  let finished = false;
  try {
    while (!finished) {
      const batch: SourceItem[] = [];
      while (batch.length < batchSize) {
        const result = iterator.next();
        if (result.done) {
          finished = true;
          break;
        }
        batch.push(toItem(result.value, position++, name));
      }
      if (batch.length > 0) yield batch;
      if (signal.aborted) return;
    }
  } finally {
    if (!finished) iterator.return?.();
  }
}

async function* pullAsync(items: AsyncIterable<unknown>, signal: AbortSignal, name: string, batchSize: number): AsyncGenerator<SourceItem[]> {
  if (signal.aborted) return;
  const iterator = items[Symbol.asyncIterator]();
  let onAbort!: () => void;
  const aborted = new Promise<typeof ABORTED>((resolve) => {
    onAbort = () => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  /** A pull started while filling the last batch that had not settled when the batch closed. */
  let pending: Promise<IteratorResult<unknown>> | undefined;
  let position = 0;
  let finished = false;
  try {
    for (;;) {
      const next = pending ?? iterator.next();
      pending = undefined;
      const first = await Promise.race([next, aborted]);
      if (first === ABORTED) {
        pending = next;
        return;
      }
      if (first.done) {
        finished = true;
        return;
      }
      const batch: SourceItem[] = [toItem(first.value, position++, name)];
      // Whatever settles before the next macrotask was ready; anything slower waits for the next batch.
      const tick = new Promise<typeof TICK>((resolve) => setImmediate(resolve, TICK));
      while (batch.length < batchSize) {
        const more = iterator.next();
        const result = await Promise.race([more, tick]);
        if (result === TICK) {
          pending = more;
          break;
        }
        if (result.done) {
          finished = true;
          break;
        }
        batch.push(toItem(result.value, position++, name));
      }
      yield batch;
      if (finished || signal.aborted) return;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (!finished) {
      // A pull we gave up on may still reject; nobody will read it.
      pending?.catch(() => {});
      // An async generator queues return() behind a pending next(), which a live source may never
      // settle: ask it to stop, but do not wait.
      iterator.return?.()?.catch(() => {});
    }
  }
}

function toItem(value: unknown, position: number, name: string): SourceItem {
  if (isPlainObject(value)) return { ok: true, row: value as Row, position };
  return {
    ok: false,
    position,
    error: new InputError(
      'SLUICE_INPUT_NOT_OBJECT',
      `Item ${position} of \`${name}\` is ${describe(value)}, not a plain object. Each item must be a plain object (a row).`,
    ),
    raw: preview(value),
  };
}

function isPlainObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `a ${(value as object).constructor?.name ?? 'non-plain'} object`;
  return /^[aeiou]/.test(typeof value) ? `an ${typeof value}` : `a ${typeof value}`;
}

function preview(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // BigInt, circular: fall through to String().
  }
  return (text ?? String(value)).slice(0, RAW_CHARS);
}
