import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { map as rxMap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { Envelope } from '../../lib/core/envelope.ts';
import { filter } from '../../lib/operators/filter.ts';
import { collectStep as collect, releaseAll as write, assertAccounted } from '../helpers/operator-harness.ts';
import { envelopeOf, testContext } from '../helpers/test-context.ts';
import { unsubscribeAfterFirst } from '../helpers/operator-harness.ts';

const scheduler = () => new TestScheduler((actual, expected) => assert.deepEqual(actual, expected));
const view = (envelope: Envelope<unknown>) => ({ id: envelope.id, row: envelope.row });

describe('filter', () => {
  it('drops rows in place, keeping the others on time, and releases the dropped permits at once (marble)', () => {
    const ctx = testContext('filter');
    const sources = [1, 2, 3, 4].map((n) => envelopeOf(ctx, `s:${n}`, { n }));
    scheduler().run(({ cold, expectObservable, flush }) => {
      const source = cold('-a-b-c-d|', { a: sources[0]!, b: sources[1]!, c: sources[2]!, d: sources[3]! });
      expectObservable(
        filter((row: { n: number }) => row.n % 2 === 1)
          .operator(ctx)(source)
          .pipe(rxMap(view)),
      ).toBe('-a---c--|', {
        a: { id: 's:1', row: { n: 1 } },
        c: { id: 's:3', row: { n: 3 } },
      });
      flush();
      // Dropped rows are done before anything is written: nothing else holds them.
      assert.deepEqual(ctx.done, ['s:2', 's:4']);
    });
    assert.deepEqual(ctx.dropped, ['s:2', 's:4']);
    assert.deepEqual(ctx.stats, { ...ctx.stats, in: 4, out: 2, filtered: 2, failed: 0, emitted: 2 });
    write([sources[0]!, sources[2]!]);
    assertAccounted(ctx, sources);
  });

  it('fails a row whose predicate throws', async () => {
    const ctx = testContext('filter');
    const sources = [1, 2, 3].map((n) => envelopeOf(ctx, `s:${n}`, { n }));
    const out = await collect(
      filter((row: { n: number }) => {
        if (row.n === 2) throw new TypeError('bad row');
        return true;
      }),
      ctx,
      sources,
    );

    assert.deepEqual(
      out.map((e) => e.id),
      ['s:1', 's:3'],
    );
    assert.deepEqual(
      ctx.failed.map((f) => [f.id, f.code, f.message]),
      [['s:2', 'TypeError', 'bad row']],
    );
    assert.deepEqual(ctx.dropped, []);
    write(out);
    assertAccounted(ctx, sources);
  });
});

describe('filter when the consumer unsubscribes', () => {
  it('tests no more rows once unsubscribed', async () => {
    const ctx = testContext();
    let calls = 0;
    const step = filter((_row: { n: number }) => ++calls > 0);
    const rows = Array.from({ length: 6 }, (_, n) => envelopeOf(ctx, `rows:${n}`, { n }));
    const result = await unsubscribeAfterFirst([step], ctx, rows);
    assert.deepEqual({ ...result, calls }, { emitted: 1, inputObserved: false, calls: 1 });
  });
});
