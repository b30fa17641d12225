import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { map as rxMap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { Envelope } from '../../lib/core/envelope.ts';
import { scatter } from '../../lib/operators/scatter.ts';
import { collectStep as collect, releaseAll as write, assertAccounted } from '../helpers/operator-harness.ts';
import { envelopeOf, testContext } from '../helpers/test-context.ts';
import { unsubscribeAfterFirst } from '../helpers/operator-harness.ts';

const scheduler = () => new TestScheduler((actual, expected) => assert.deepEqual(actual, expected));
const view = (envelope: Envelope<unknown>) => ({ id: envelope.id, row: envelope.row });

describe('scatter', () => {
  it('should scatter to many cold Observable, with parameter concurrency=1 (marble)', () => {
    const ctx = testContext('scatter');
    const sources = [envelopeOf(ctx, 's:0', { t: 'p' }), envelopeOf(ctx, 's:1', { t: 'q' })];
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const children = cold('--x-y|', { x: { k: 'x' }, y: { k: 'y' } });
      const parents = cold('-p--q|', { p: sources[0]!, q: sources[1]! });
      const expected = '---a-b--c-d|';
      const step = scatter(() => children, { concurrency: 1 });

      expectObservable(step.operator(ctx)(parents).pipe(rxMap(view))).toBe(expected, {
        a: { id: 's:0.0', row: { k: 'x' } },
        b: { id: 's:0.1', row: { k: 'y' } },
        c: { id: 's:1.0', row: { k: 'x' } },
        d: { id: 's:1.1', row: { k: 'y' } },
      });
      // The second parent waits for the first one's children to complete.
      expectSubscriptions(children.subscriptions).toBe(['-^----!', '------^----!']);
    });
    assert.deepEqual(ctx.stats, { ...ctx.stats, in: 2, out: 2, filtered: 0, failed: 0, emitted: 4 });
    assert.deepEqual(ctx.done, [], 'parents are not done while their children are in flight');
  });

  it('gives each element of a list column its own row, sharing the parent permit', async () => {
    const ctx = testContext('scatter');
    const sources = [
      envelopeOf(ctx, 's:0', { topic: 'rivers', subtopics: ['Rhine', 'Danube'] }),
      envelopeOf(ctx, 's:1', { topic: 'hills', subtopics: ['Brocken'] }),
    ];
    const out = await collect(scatter('subtopics', { as: 'subtopic' }), ctx, sources);

    assert.deepEqual(out.map(view), [
      { id: 's:0.0', row: { topic: 'rivers', subtopic: 'Rhine' } },
      { id: 's:0.1', row: { topic: 'rivers', subtopic: 'Danube' } },
      { id: 's:1.0', row: { topic: 'hills', subtopic: 'Brocken' } },
    ]);
    assert.equal(out[0]!.permit, sources[0]!.permit);
    assert.deepEqual(out[1]!.lineage, ['s:0']);
    write(out.slice(0, 2));
    assert.deepEqual(ctx.done, ['s:0'], 's:0 is done once both its children are written');
    write(out.slice(2));
    assertAccounted(ctx, sources);
  });

  it('fails a row whose list column is missing or not a list with SLUICE_SCATTER_NOT_A_LIST', async () => {
    const ctx = testContext('scatter');
    const sources = [
      envelopeOf(ctx, 's:0', { topic: 'rivers' }),
      envelopeOf(ctx, 's:1', { topic: 'hills', subtopics: 'Brocken' }),
      envelopeOf(ctx, 's:2', { topic: 'seas', subtopics: ['Baltic'] }),
    ];
    const out = await collect(scatter('subtopics', { as: 'subtopic' }), ctx, sources);

    assert.deepEqual(out.map(view), [{ id: 's:2.0', row: { topic: 'seas', subtopic: 'Baltic' } }]);
    assert.deepEqual(
      ctx.failed.map((f) => [f.id, f.code, f.message]),
      [
        ['s:0', 'SLUICE_SCATTER_NOT_A_LIST', 'Column `subtopics` of row `s:0` is missing, not a list. Scatter needs a JSON array there.'],
        ['s:1', 'SLUICE_SCATTER_NOT_A_LIST', 'Column `subtopics` of row `s:1` is a string, not a list. Scatter needs a JSON array there.'],
      ],
    );
    write(out);
    assertAccounted(ctx, sources);
  });

  it('counts a row with zero children as filtered and releases it', async () => {
    const ctx = testContext('scatter');
    const sources = [envelopeOf(ctx, 's:0', { subtopics: [] }), envelopeOf(ctx, 's:1', { subtopics: ['a'] })];
    const out = await collect(scatter('subtopics'), ctx, sources);

    assert.deepEqual(out.map(view), [{ id: 's:1.0', row: { subtopics: 'a' } }]);
    assert.deepEqual(ctx.dropped, ['s:0']);
    assert.deepEqual(ctx.stats, { ...ctx.stats, in: 2, out: 1, filtered: 1, failed: 0, emitted: 1 });
    write(out);
    assertAccounted(ctx, sources);
  });

  it('fails the parent when the function throws, and when its async children error', async () => {
    const ctx = testContext('scatter');
    const sources = [0, 1, 2].map((n) => envelopeOf(ctx, `s:${n}`, { n }));
    const out = await collect(
      scatter((row: { n: number }) => {
        if (row.n === 0) throw new Error('cannot split');
        if (row.n === 1) return Promise.reject(new Error('split failed later'));
        return (async function* children() {
          yield { part: 'a' };
          yield { part: 'b' };
        })();
      }),
      ctx,
      sources,
    );

    assert.deepEqual(out.map(view), [
      { id: 's:2.0', row: { part: 'a' } },
      { id: 's:2.1', row: { part: 'b' } },
    ]);
    assert.deepEqual(
      ctx.failed.map((f) => [f.id, f.message]),
      [
        ['s:0', 'cannot split'],
        ['s:1', 'split failed later'],
      ],
    );
    write(out);
    assertAccounted(ctx, sources);
  });
});

describe('scatter when the consumer unsubscribes', () => {
  it('splits no more rows once unsubscribed', async () => {
    const ctx = testContext();
    let calls = 0;
    const step = scatter((row: { n: number }) => {
      calls++;
      return [row, row];
    });
    const rows = Array.from({ length: 6 }, (_, n) => envelopeOf(ctx, `rows:${n}`, { n }));
    const result = await unsubscribeAfterFirst([step], ctx, rows);
    assert.deepEqual({ ...result, calls }, { emitted: 1, inputObserved: false, calls: 1 });
  });
});
