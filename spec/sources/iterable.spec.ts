import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError, SluiceConfigError } from '../../lib/core/errors.ts';
import type { Row } from '../../lib/core/row.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';
import type { SourceItem } from '../../lib/core/source.ts';
import { runSourceConformance } from '../conformance/source.case.ts';
import { ndjsonCollect, ndjsonSummary } from '../helpers/ndjson-collect.ts';

runSourceConformance('fromIterable (array)', (rows) => fromIterable(rows), { restartable: true });
runSourceConformance(
  'fromIterable (generator)',
  (rows) =>
    fromIterable(
      (function* () {
        yield* rows;
      })(),
    ),
  { restartable: false },
);
runSourceConformance(
  'fromIterable (async generator)',
  (rows) =>
    fromIterable(
      (async function* () {
        for (const row of rows) yield row;
      })(),
    ),
  { restartable: false },
);
runSourceConformance(
  'fromIterable (async iterable that makes fresh iterators)',
  (rows) =>
    fromIterable({
      async *[Symbol.asyncIterator]() {
        for (const row of rows) {
          // Every 100 rows, a real wait, so batches close before they are full.
          if ((row.n as number) % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
          yield row;
        }
      },
    }),
  { restartable: true },
);

const signal = () => new AbortController().signal;

describe('fromIterable', () => {
  it("is named 'rows' unless given a name", () => {
    assert.equal(fromIterable([]).name, 'rows');
    assert.equal(fromIterable([], { name: 'seeds' }).name, 'seeds');
  });

  it('gives 0-based positions, in batches of batchSize', async () => {
    const sizes: number[] = [];
    const positions: number[] = [];
    for await (const batch of fromIterable(
      Array.from({ length: 7 }, (_, n) => ({ n })),
      { batchSize: 3 },
    ).read(signal())) {
      sizes.push(batch.length);
      positions.push(...batch.map((item) => item.position));
    }
    assert.deepEqual(sizes, [3, 3, 1]);
    assert.deepEqual(positions, [0, 1, 2, 3, 4, 5, 6]);
  });

  it('turns an item that is not a plain object into a failed item that says what it is', async () => {
    const items = await ndjsonCollect(
      fromIterable([{ a: 1 }, 'text', null, [1], 42, undefined, new Date(0), new Map(), Object.create(null), 5n] as unknown as Row[]),
    );
    assert.deepEqual(
      items.map((item) => (item.ok ? 'row' : item.error.message)),
      [
        'row',
        'Item 1 of `rows` is a string, not a plain object. Each item must be a plain object (a row).',
        'Item 2 of `rows` is null, not a plain object. Each item must be a plain object (a row).',
        'Item 3 of `rows` is an array, not a plain object. Each item must be a plain object (a row).',
        'Item 4 of `rows` is a number, not a plain object. Each item must be a plain object (a row).',
        'Item 5 of `rows` is undefined, not a plain object. Each item must be a plain object (a row).',
        'Item 6 of `rows` is a Date object, not a plain object. Each item must be a plain object (a row).',
        'Item 7 of `rows` is a Map object, not a plain object. Each item must be a plain object (a row).',
        'row',
        'Item 9 of `rows` is a bigint, not a plain object. Each item must be a plain object (a row).',
      ],
    );
    const failed = items.filter((item): item is Extract<SourceItem, { ok: false }> => !item.ok);
    assert.ok(failed.every((item) => item.error instanceof InputError && item.error.code === 'SLUICE_INPUT_NOT_OBJECT'));
    assert.deepEqual(
      failed.map((item) => item.raw),
      ['"text"', 'null', '[1]', '42', 'undefined', '"1970-01-01T00:00:00.000Z"', '{}', '5'],
    );
  });

  it('pulls a generator lazily: one batch ahead of the consumer at most', async () => {
    let made = 0;
    function* rows() {
      for (let n = 0; n < 1000; n++) {
        made++;
        yield { n };
      }
    }
    const iterator = fromIterable(rows(), { batchSize: 10 }).read(signal())[Symbol.asyncIterator]();
    assert.equal(made, 0, 'nothing is pulled before the first next()');
    await iterator.next();
    assert.equal(made, 10);
    await iterator.next();
    assert.equal(made, 20);
    await iterator.return?.();
    assert.equal(made, 20);
  });

  it('pulls an async generator lazily too, and closes a batch when the next item is not ready', async () => {
    let made = 0;
    const release: Array<() => void> = [];
    async function* rows() {
      for (let n = 0; n < 6; n++) {
        // Items 0-2 are ready at once; 3 waits for the test; 4-5 are ready after it.
        if (n === 3) await new Promise<void>((resolve) => release.push(resolve));
        made++;
        yield { n };
      }
    }
    const iterator = fromIterable(rows(), { batchSize: 10 }).read(signal())[Symbol.asyncIterator]();
    const first = await iterator.next();
    assert.deepEqual(ndjsonSummary(first.value!), [
      [0, { n: 0 }],
      [1, { n: 1 }],
      [2, { n: 2 }],
    ]);
    assert.equal(made, 3);
    const second = iterator.next();
    release[0]!();
    assert.deepEqual(ndjsonSummary((await second).value!), [
      [3, { n: 3 }],
      [4, { n: 4 }],
      [5, { n: 5 }],
    ]);
    assert.equal((await iterator.next()).done, true);
  });

  it('ends a read waiting on a live async source when the signal aborts, and asks the source to stop', async () => {
    let stopped = false;
    let resolveNext: ((value: IteratorResult<Row>) => void) | undefined;
    const live: AsyncIterableIterator<Row> = {
      [Symbol.asyncIterator]() {
        return this;
      },
      next: () => new Promise((resolve) => (resolveNext = resolve)),
      return: async () => {
        stopped = true;
        return { done: true, value: undefined };
      },
    };
    const controller = new AbortController();
    const iterator = fromIterable(live).read(controller.signal)[Symbol.asyncIterator]();
    const waiting = iterator.next();
    setTimeout(() => controller.abort(), 10);
    assert.deepEqual(await waiting, { done: true, value: undefined });
    assert.equal(stopped, true);
    assert.ok(resolveNext, 'the source was asked for an item');
  });

  it('closes a generator the consumer stops reading early', async () => {
    let closed = false;
    function* rows() {
      try {
        for (let n = 0; ; n++) yield { n };
      } finally {
        closed = true;
      }
    }
    for await (const batch of fromIterable(rows(), { batchSize: 5 }).read(signal())) {
      assert.equal(batch.length, 5);
      break;
    }
    assert.equal(closed, true);
  });

  it('passes on an error the iterable throws', async () => {
    async function* rows() {
      yield { n: 0 };
      throw new Error('upstream broke');
    }
    await assert.rejects(ndjsonCollect(fromIterable(rows())), { message: 'upstream broke' });
  });

  it('checks batchSize when the source is made', () => {
    for (const bad of [0, 2.5, -1]) {
      assert.throws(
        () => fromIterable([], { batchSize: bad }),
        (error: unknown) => {
          assert.ok(error instanceof SluiceConfigError);
          assert.equal(error.message, `Expected \`batchSize\` to be an integer from 1 and up, got \`${bad}\``);
          return true;
        },
      );
    }
  });
});
