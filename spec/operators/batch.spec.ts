import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { map as rxMap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { Envelope } from '../../lib/core/envelope.ts';
import { batch } from '../../lib/operators/batch.ts';
import { collectStep as collect, releaseAll as write, assertAccounted } from '../helpers/operator-harness.ts';
import { envelopeOf, type TestContext, testContext } from '../helpers/test-context.ts';
import { unsubscribeAfterFirst } from '../helpers/operator-harness.ts';

const view = (envelope: Envelope<unknown>) => ({ id: envelope.id, row: envelope.row });

type T = { text: string };
const texts = (ctx: TestContext, count: number) => Array.from({ length: count }, (_, i) => envelopeOf(ctx, `s:${i}`, { text: `t${i}` }));

describe('batch', () => {
  it('calls the function with `size` rows at a time and gives each row its own result back', async () => {
    const ctx = testContext('embed');
    const sources = texts(ctx, 5);
    const calls: Array<{ texts: string[]; ids: readonly string[] }> = [];
    const out = await collect(
      batch(
        (rows: T[], { ids }) => {
          calls.push({ texts: rows.map((r) => r.text), ids });
          return rows.map((row, i) => ({ ...row, vector: [i, rows.length] }));
        },
        { size: 2 },
      ),
      ctx,
      sources,
    );

    assert.deepEqual(calls, [
      { texts: ['t0', 't1'], ids: ['s:0', 's:1'] },
      { texts: ['t2', 't3'], ids: ['s:2', 's:3'] },
      { texts: ['t4'], ids: ['s:4'] },
    ]);
    assert.deepEqual(out.map(view), [
      { id: 's:0', row: { text: 't0', vector: [0, 2] } },
      { id: 's:1', row: { text: 't1', vector: [1, 2] } },
      { id: 's:2', row: { text: 't2', vector: [0, 2] } },
      { id: 's:3', row: { text: 't3', vector: [1, 2] } },
      { id: 's:4', row: { text: 't4', vector: [0, 1] } },
    ]);
    assert.ok(
      out.every((e, i) => e.permit === sources[i]!.permit),
      'same permits',
    );
    assert.deepEqual(ctx.stats, { ...ctx.stats, in: 5, out: 5, failed: 0, filtered: 0, emitted: 5 });
    write(out);
    assertAccounted(ctx, sources);
  });

  it('sends a partial batch maxWaitMs after its first row (marble)', () => {
    const ctx = testContext('batch');
    const sources = texts(ctx, 6);
    const calls: string[][] = [];
    new TestScheduler((actual, expected) => assert.deepEqual(actual, expected)).run(({ cold, expectObservable }) => {
      const [a, b, c, d, e, f] = sources;
      const input = cold('-a-b--------cde-----f-|', { a: a!, b: b!, c: c!, d: d!, e: e!, f: f! });
      const step = batch(
        (rows: T[]) => {
          calls.push(rows.map((r) => r.text));
          return rows.map((row) => ({ up: row.text.toUpperCase() }));
        },
        { size: 3, maxWaitMs: 4 },
      );
      expectObservable(
        step
          .operator(ctx)(input)
          .pipe(rxMap((envelope) => (envelope.row as { up: string }).up)),
      ).toBe('-----(ab)-----(cde)---(f|)', { a: 'T0', b: 'T1', c: 'T2', d: 'T3', e: 'T4', f: 'T5' });
    });
    assert.deepEqual(calls, [['t0', 't1'], ['t2', 't3', 't4'], ['t5']]);
  });

  it('fails every row of a batch when the function returns the wrong number of rows, throws, or rejects', async () => {
    const ctx = testContext('embed');
    const sources = texts(ctx, 7);
    let call = 0;
    const out = await collect(
      batch(
        async (rows: T[]) => {
          call++;
          if (call === 1) return rows.slice(1);
          if (call === 2) throw new Error('model crashed');
          if (call === 3) return 'nope' as never;
          return rows;
        },
        { size: 2 },
      ),
      ctx,
      sources,
    );

    assert.deepEqual(out.map(view), [{ id: 's:6', row: { text: 't6' } }]);
    const message = 'Step `embed` expected its batch function to return 2 rows (one per input row, in order), got 1 rows.';
    assert.deepEqual(
      ctx.failed.map((f) => [f.id, f.code, f.message]),
      [
        ['s:0', 'SLUICE_BATCH_LENGTH', message],
        ['s:1', 'SLUICE_BATCH_LENGTH', message],
        ['s:2', 'Error', 'model crashed'],
        ['s:3', 'Error', 'model crashed'],
        ['s:4', 'SLUICE_BATCH_LENGTH', 'Step `embed` expected its batch function to return 2 rows (one per input row, in order), got `string`.'],
        ['s:5', 'SLUICE_BATCH_LENGTH', 'Step `embed` expected its batch function to return 2 rows (one per input row, in order), got `string`.'],
      ],
    );
    assert.deepEqual(ctx.stats, { ...ctx.stats, in: 7, out: 1, failed: 6, emitted: 1 });
    write(out);
    assertAccounted(ctx, sources);
  });

  it('fails the batch when the function throws synchronously', async () => {
    const ctx = testContext('embed');
    const sources = texts(ctx, 2);
    const out = await collect(
      batch((): T[] => {
        throw new Error('sync');
      }),
      ctx,
      sources,
    );
    assert.deepEqual(out, []);
    assert.deepEqual(
      ctx.failed.map((f) => f.id),
      ['s:0', 's:1'],
    );
    assertAccounted(ctx, sources);
  });

  it('keeps at most `concurrency` batches in flight', async () => {
    const ctx = testContext('embed');
    const sources = texts(ctx, 8);
    let running = 0;
    let most = 0;
    const out = await collect(
      batch(
        async (rows: T[]) => {
          running++;
          most = Math.max(most, running);
          await new Promise((resolve) => setTimeout(resolve, 3));
          running--;
          return rows;
        },
        { size: 2, concurrency: 2 },
      ),
      ctx,
      sources,
    );
    assert.equal(most, 2);
    assert.deepEqual(
      out.map((e) => e.id).sort(),
      sources.map((e) => e.id),
    );
    write(out);
    assertAccounted(ctx, sources);
  });

  it('rejects bad options when the step is built', () => {
    const fn = (rows: object[]) => rows;
    assert.throws(() => batch(fn, { size: 0 }), { name: 'SluiceConfigError', message: 'Expected `size` to be an integer from 1 and up, got `0`' });
    assert.throws(() => batch(fn, { concurrency: 0 }), { message: 'Expected `concurrency` to be an integer from 1 and up or `Infinity`, got `0`' });
    assert.throws(() => batch(fn, { maxWaitMs: -1 }), { message: 'Expected `maxWaitMs` to be a number of milliseconds from 0 and up, got `-1`' });
    assert.throws(() => batch('embed' as never), { message: 'Expected `fn` to be a function, got `string`' });
    assert.deepEqual(batch(fn).params, { size: 32, maxWaitMs: 50, concurrency: 1, columns: null });
  });
});

describe('batch when the consumer unsubscribes', () => {
  it('starts no queued batch once unsubscribed', async () => {
    const ctx = testContext();
    let calls = 0;
    const step = batch(
      async (rows: T[]) => {
        calls++;
        await Promise.resolve();
        return rows;
      },
      { size: 1, concurrency: 1 },
    );
    const result = await unsubscribeAfterFirst([step], ctx, texts(ctx, 6));
    assert.deepEqual({ ...result, calls }, { emitted: 1, inputObserved: false, calls: 1 });
  });
});
