import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { map as rxMap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { Envelope } from '../../lib/core/envelope.ts';
import { map } from '../../lib/operators/map.ts';
import { collectStep as collect, releaseAll as write, assertAccounted } from '../helpers/operator-harness.ts';
import { envelopeOf, testContext } from '../helpers/test-context.ts';
import { unsubscribeAfterFirst } from '../helpers/operator-harness.ts';

const scheduler = () => new TestScheduler((actual, expected) => assert.deepEqual(actual, expected));
const view = (envelope: Envelope<unknown>) => ({ id: envelope.id, row: envelope.row });

/** Plays the sink: releases the permit of every row that came out. */

describe('map', () => {
  it('keeps the timing of its input (marble)', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const ctx = testContext('map');
      const rows = [0, 1, 2].map((n) => envelopeOf(ctx, `s:${n}`, { n }));
      const source = cold('-a--b-c|', { a: rows[0]!, b: rows[1]!, c: rows[2]! });
      const step = map((row: { n: number }) => ({ ...row, twice: row.n * 2 }));
      expectObservable(step.operator(ctx)(source).pipe(rxMap(view))).toBe('-a--b-c|', {
        a: { id: 's:0', row: { n: 0, twice: 0 } },
        b: { id: 's:1', row: { n: 1, twice: 2 } },
        c: { id: 's:2', row: { n: 2, twice: 4 } },
      });
    });
  });

  it('turns a throw into a failed row and goes on with the others', async () => {
    const ctx = testContext('map');
    const sources = [0, 1, 2].map((n) => envelopeOf(ctx, `s:${n}`, { n }));
    const out = await collect(
      map((row: { n: number }) => {
        if (row.n === 1) throw new Error('no ones');
        return { m: row.n + 10 };
      }),
      ctx,
      sources,
    );

    assert.deepEqual(out.map(view), [
      { id: 's:0', row: { m: 10 } },
      { id: 's:2', row: { m: 12 } },
    ]);
    assert.deepEqual(
      ctx.failed.map((f) => [f.id, f.step, f.message]),
      [['s:1', 'map', 'no ones']],
    );
    assert.deepEqual(ctx.stats, { ...ctx.stats, in: 3, out: 2, failed: 1, filtered: 0, emitted: 2 });
    write(out);
    assertAccounted(ctx, sources);
  });

  it('runs at most `concurrency` promises at once and fails rejected ones', async () => {
    const ctx = testContext('map');
    const sources = [0, 1, 2, 3, 4, 5].map((n) => envelopeOf(ctx, `s:${n}`, { n }));
    let running = 0;
    let most = 0;
    const out = await collect(
      map(
        async (row: { n: number }) => {
          running++;
          most = Math.max(most, running);
          await new Promise((resolve) => setTimeout(resolve, 2));
          running--;
          if (row.n === 4) throw new Error('four');
          return { n: row.n };
        },
        { concurrency: 2 },
      ),
      ctx,
      sources,
    );

    assert.equal(most, 2);
    assert.deepEqual(out.map((e) => e.id).sort(), ['s:0', 's:1', 's:2', 's:3', 's:5']);
    assert.deepEqual(
      ctx.failed.map((f) => f.id),
      ['s:4'],
    );
    write(out);
    assertAccounted(ctx, sources);
  });

  it('rejects a bad `concurrency` when the step is built', () => {
    assert.throws(() => map((row: object) => row, { concurrency: 0 }), {
      name: 'SluiceConfigError',
      message: 'Expected `concurrency` to be an integer from 1 and up or `Infinity`, got `0`',
    });
  });
});

describe('map when the run stops or the consumer leaves', () => {
  it('starts no queued row after the run is stopped: those rows stay not done, for a resume', async () => {
    const { pipeline } = await import('../../lib/pipeline/pipeline.ts');
    const { fromIterable } = await import('../../lib/sources/iterable.ts');
    const { toMemory } = await import('../../lib/sinks/memory.ts');
    const { failedCollector } = await import('../helpers/failed-collector.ts');
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let firstStarted!: () => void;
    const started = new Promise<void>((resolve) => (firstStarted = resolve));
    const handle = pipeline('stop')
      .from(fromIterable(Array.from({ length: 10 }, (_, n) => ({ n }))))
      .pipe(
        map(
          async (row: { n: number }) => {
            calls++;
            firstStarted();
            await gate;
            return row;
          },
          { concurrency: 1 },
        ),
      )
      .to(toMemory())
      .start({ cache: false, failed: failedCollector() });
    await started;
    handle.stop();
    release();
    const summary = await handle.summary;
    assert.equal(calls, 1);
    assert.deepEqual([summary.status, summary.source.read, summary.source.done, summary.failed], ['interrupted', 10, 1, 0]);
  });
});

describe('map when the consumer unsubscribes', () => {
  it('calls the function for no queued row once unsubscribed', async () => {
    const ctx = testContext();
    let calls = 0;
    const step = map(
      async (row: { n: number }) => {
        calls++;
        await Promise.resolve();
        return row;
      },
      { concurrency: 1 },
    );
    const rows = Array.from({ length: 6 }, (_, n) => envelopeOf(ctx, `rows:${n}`, { n }));
    const result = await unsubscribeAfterFirst([step], ctx, rows);
    assert.deepEqual({ ...result, calls }, { emitted: 1, inputObserved: false, calls: 1 });
  });
});
