import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { map as rxMap, Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { Budget } from '../../lib/core/budget.ts';
import { chain } from '../../lib/core/chain.ts';
import { closedColumns } from '../../lib/core/columns.ts';
import type { Envelope } from '../../lib/core/envelope.ts';
import { RecordPermit } from '../../lib/core/permit.ts';
import { aggregate } from '../../lib/operators/aggregate.ts';
import { broadcast } from '../../lib/operators/broadcast.ts';
import { join } from '../../lib/operators/join.ts';
import { collectSteps as collect, releaseAll as write, assertAccounted } from '../helpers/operator-harness.ts';
import { envelopeOf, type TestContext, testContext } from '../helpers/test-context.ts';
import { unsubscribeAfterFirst } from '../helpers/operator-harness.ts';

const view = (envelope: Envelope<unknown>) => ({ id: envelope.id, row: envelope.row, lineage: envelope.lineage });

const hashOf = (...ids: string[]) =>
  `agg:${createHash('sha256')
    .update([...ids].sort().join('\n'))
    .digest('hex')
    .slice(0, 16)}`;

type Q = { topic: string; q: string };
const questions = (ctx: TestContext, ...pairs: Array<[string, string]>) => pairs.map(([topic, q], i) => envelopeOf(ctx, `s:${i}`, { topic, q }));

describe('aggregate', () => {
  it('by count: every n rows, and the last partial group at completion', async () => {
    const ctx = testContext();
    const sources = [0, 1, 2, 3, 4, 5, 6].map((n) => envelopeOf(ctx, `s:${n}`, { n }));
    const out = await collect([aggregate({ count: 3 })], ctx, sources);

    assert.deepEqual(out.map(view), [
      { id: hashOf('s:0', 's:1', 's:2'), row: { rows: [{ n: 0 }, { n: 1 }, { n: 2 }] }, lineage: ['s:0', 's:1', 's:2'] },
      { id: hashOf('s:3', 's:4', 's:5'), row: { rows: [{ n: 3 }, { n: 4 }, { n: 5 }] }, lineage: ['s:3', 's:4', 's:5'] },
      { id: hashOf('s:6'), row: { rows: [{ n: 6 }] }, lineage: ['s:6'] },
    ]);
    assert.ok(out.every((e) => e.fans.length === 0 && e.branch === ''));
    const stats = ctx.allStats.get('p/aggregate')!;
    assert.deepEqual(stats, { ...stats, in: 7, out: 7, filtered: 0, failed: 0, emitted: 3 });
    assert.deepEqual(ctx.done, [], 'members are not done while their group is in flight');
    write(out.slice(0, 1));
    assert.deepEqual(ctx.done, ['s:0', 's:1', 's:2'], "a group's members are done when it is");
    write(out.slice(1));
    assertAccounted(ctx, sources);
  });

  it('by count, with groups larger than the budget, does not deadlock: members give their credit back on arrival', async () => {
    const budget = new Budget(4);
    const done: string[] = [];
    const sources: Envelope[] = [];
    // A source that pulls only when a credit is free, like the run's pull source.
    const source = new Observable<Envelope>((subscriber) => {
      void (async () => {
        for (let i = 0; i < 25; i++) {
          await budget.acquire();
          const id = `s:${i}`;
          const envelope: Envelope = { id, row: { i }, lineage: [id], permit: new RecordPermit(budget, () => done.push(id)), branch: '', fans: [] };
          sources.push(envelope);
          subscriber.next(envelope);
        }
        subscriber.complete();
      })();
    });
    const ctx = testContext();
    const sizes: number[] = [];
    let lowest = budget.free;
    await new Promise<void>((resolve, reject) => {
      ctx
        .compile(
          [aggregate({ count: 10 })],
          'p',
        )(source)
        .subscribe({
          next(group) {
            lowest = Math.min(lowest, budget.free);
            sizes.push((group.row as { rows: unknown[] }).rows.length);
            // A sink: written a moment later.
            queueMicrotask(() => group.permit.release());
          },
          error: reject,
          // A deadlock (the source waiting for credits that groups hold) leaves this pending with an
          // empty event loop, which the test runner reports as a failure.
          complete: () => resolve(),
        });
    });
    await new Promise((resolve) => setTimeout(resolve, 0));

    assert.deepEqual(sizes, [10, 10, 5]);
    assert.equal(done.length, 25);
    assert.deepEqual([...done].sort(), sources.map((e) => e.id).sort());
    assert.ok(sources.every((e) => (e.permit as RecordPermit).refs === 0));
    assert.equal(budget.free, 4, 'every credit came back');
    assert.equal(lowest, 4, 'a group holds no credit: each came back when its row joined the group');
  });

  it('by time window: a group closes windowMs after its first row, the last one at completion (marble)', () => {
    const ctx = testContext('aggregate');
    const sources = [0, 1, 2, 3].map((n) => envelopeOf(ctx, `s:${n}`, { n }));
    const testScheduler = new TestScheduler((actual, expected) => assert.deepEqual(actual, expected));
    testScheduler.run(({ cold, expectObservable }) => {
      const input = cold('-a-b-----c--d|', { a: sources[0]!, b: sources[1]!, c: sources[2]!, d: sources[3]! });
      const step = aggregate({ windowMs: 5, scheduler: testScheduler, reduce: (rows: Array<{ n: number }>) => ({ ns: rows.map((r) => r.n) }) });
      expectObservable(
        step
          .operator(ctx)(input)
          .pipe(rxMap((e) => e.row)),
      ).toBe('------x------(y|)', {
        x: { ns: [0, 1] },
        y: { ns: [2, 3] },
      });
    });
    assert.deepEqual(ctx.stats, { ...ctx.stats, in: 4, out: 4, emitted: 2 });
  });

  it('by key: one group per key at completion, with the key as id', async () => {
    const ctx = testContext();
    const sources = questions(ctx, ['rivers', 'q1'], ['hills', 'q2'], ['rivers', 'q3']);
    const out = await collect([aggregate({ key: 'topic' })], ctx, sources);

    assert.deepEqual(out.map(view), [
      {
        id: 'agg:rivers',
        row: {
          key: 'rivers',
          rows: [
            { topic: 'rivers', q: 'q1' },
            { topic: 'rivers', q: 'q3' },
          ],
        },
        lineage: ['s:0', 's:2'],
      },
      { id: 'agg:hills', row: { key: 'hills', rows: [{ topic: 'hills', q: 'q2' }] }, lineage: ['s:1'] },
    ]);
    write(out);
    assertAccounted(ctx, sources);
  });

  it("by key and count: a key's group as soon as it is full, the rest at completion", async () => {
    const ctx = testContext();
    const sources = questions(ctx, ['rivers', 'q1'], ['hills', 'q2'], ['rivers', 'q3'], ['rivers', 'q4']);
    const out = await collect(
      [aggregate({ key: (row: Q) => row.topic.toUpperCase(), count: 2, reduce: (rows: Q[], key) => ({ key, qs: rows.map((r) => r.q) }) })],
      ctx,
      sources,
    );

    assert.deepEqual(out.map(view), [
      { id: hashOf('s:0', 's:2'), row: { key: 'RIVERS', qs: ['q1', 'q3'] }, lineage: ['s:0', 's:2'] },
      { id: hashOf('s:1'), row: { key: 'HILLS', qs: ['q2'] }, lineage: ['s:1'] },
      { id: hashOf('s:3'), row: { key: 'RIVERS', qs: ['q4'] }, lineage: ['s:3'] },
    ]);
    write(out);
    assertAccounted(ctx, sources);
  });

  it('fails rows without a usable key, and every member of a group whose reduce throws', async () => {
    const ctx = testContext();
    const sources = [
      envelopeOf(ctx, 's:0', { topic: 'a' }),
      envelopeOf(ctx, 's:1', {}),
      envelopeOf(ctx, 's:2', { topic: { nested: true } }),
      envelopeOf(ctx, 's:3', { topic: 'b' }),
      envelopeOf(ctx, 's:4', { topic: 'b' }),
    ];
    const out = await collect(
      [
        aggregate({
          key: 'topic' as never,
          reduce: (rows: unknown[], key) => {
            if (key === 'b') throw new Error('cannot reduce b');
            return { key, n: rows.length };
          },
        }),
      ],
      ctx,
      sources,
    );

    assert.deepEqual(out.map(view), [{ id: 'agg:a', row: { key: 'a', n: 1 }, lineage: ['s:0'] }]);
    assert.deepEqual(
      ctx.failed.map((f) => [f.id, f.code, f.message]),
      [
        ['s:1', 'SLUICE_AGGREGATE_KEY', 'The key column `topic` gave `undefined` for row `s:1`; a key must be a string or a number.'],
        ['s:2', 'SLUICE_AGGREGATE_KEY', 'The key column `topic` gave `{"nested":true}` for row `s:2`; a key must be a string or a number.'],
        ['s:3', 'Error', 'cannot reduce b'],
        ['s:4', 'Error', 'cannot reduce b'],
      ],
    );
    const stats = ctx.allStats.get('p/aggregate')!;
    assert.deepEqual(stats, { ...stats, in: 5, out: 1, failed: 4, emitted: 1 });
    write(out);
    assertAccounted(ctx, sources);
  });

  it('all: one group at the end', async () => {
    const ctx = testContext();
    const sources = [0, 1, 2].map((n) => envelopeOf(ctx, `s:${n}`, { n }));
    const out = await collect([aggregate({ all: true })], ctx, sources);
    assert.deepEqual(out.map(view), [{ id: hashOf('s:0', 's:1', 's:2'), row: { rows: [{ n: 0 }, { n: 1 }, { n: 2 }] }, lineage: ['s:0', 's:1', 's:2'] }]);
    write(out);
    assertAccounted(ctx, sources);
  });

  it('takes rows out of an open fan-out inside a branch, so a join after it merges the other branches', async () => {
    const ctx = testContext();
    const sources = [envelopeOf(ctx, 's:0', { n: 1 }), envelopeOf(ctx, 's:1', { n: 2 })];
    const out = await collect(
      [broadcast({ a: chain().pipe(aggregate({ all: true, reduce: (rows) => ({ total: rows.length }) })), b: chain() }), join()],
      ctx,
      sources,
    );
    // The join gets only branch b's copies (one per record); branch a's group comes out on its own.
    assert.deepEqual(
      out.map((e) => [e.id, e.row]).sort(),
      [
        [`agg:${hashOf('s:0', 's:1').slice(4)}`, { total: 2 }],
        ['s:0', { n: 1 }],
        ['s:1', { n: 2 }],
      ].sort(),
    );
    write(out);
    assertAccounted(ctx, sources);
  });

  it('declares its output columns and the key column it needs', () => {
    assert.deepEqual([...aggregate({ key: 'topic' as never }).columnsAfter(closedColumns(['topic'])).known], ['key', 'rows']);
    assert.deepEqual(aggregate({ key: 'topic' as never }).needs, ['topic']);
    assert.deepEqual([...aggregate({ count: 2 }).columnsAfter(closedColumns(['topic'])).known], ['rows']);
    assert.deepEqual(aggregate({ count: 2, reduce: () => ({}), columns: ['n'] }).columnsAfter(closedColumns(['topic'])), closedColumns(['n']));
  });

  it('rejects bad options when the step is built', () => {
    assert.throws(() => aggregate({}), { name: 'SluiceConfigError', message: 'Expected one of `count`, `windowMs`, `key` or `all: true`, got none' });
    assert.throws(() => aggregate({ count: 0 }), { message: 'Expected `count` to be an integer from 1 and up, got `0`' });
    assert.throws(() => aggregate({ windowMs: -1 }), { message: 'Expected `windowMs` to be a number of milliseconds above 0, got `-1`' });
    assert.throws(() => aggregate({ all: true, count: 2 }), { message: 'Expected `all: true` on its own, got it with `count`, `windowMs` or `key`' });
    assert.throws(() => aggregate({ key: '' as never }), { message: 'Expected `key` to be a column name or a function, got ``' });
  });
});

describe('aggregate when the consumer unsubscribes', () => {
  it('keys no more rows once unsubscribed', async () => {
    const ctx = testContext();
    let calls = 0;
    const step = aggregate({
      count: 1,
      key: (row: { n: number }) => {
        calls++;
        return row.n;
      },
    });
    const rows = Array.from({ length: 6 }, (_, n) => envelopeOf(ctx, `rows:${n}`, { n }));
    const result = await unsubscribeAfterFirst([step], ctx, rows);
    assert.deepEqual({ ...result, calls }, { emitted: 1, inputObserved: false, calls: 1 });
  });
});
