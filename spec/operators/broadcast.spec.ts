import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { delay, map as rxMap, type Observable, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { chain } from '../../lib/core/chain.ts';
import { closedColumns } from '../../lib/core/columns.ts';
import { defineStep } from '../../lib/core/define-step.ts';
import type { Envelope } from '../../lib/core/envelope.ts';
import type { RecordPermit } from '../../lib/core/permit.ts';
import { broadcast } from '../../lib/operators/broadcast.ts';
import { filter } from '../../lib/operators/filter.ts';
import { map } from '../../lib/operators/map.ts';
import { collectStep as collect, releaseAll as write, assertAccounted } from '../helpers/operator-harness.ts';
import { envelopeOf, testContext } from '../helpers/test-context.ts';
import { unsubscribeAfterFirst } from '../helpers/operator-harness.ts';

const scheduler = () => new TestScheduler((actual, expected) => assert.deepEqual(actual, expected));
const view = (envelope: Envelope<unknown>) => ({ id: envelope.id, branch: envelope.branch, row: envelope.row });

/** Wraps a raw RxJS operator as a step, for tests. */
const raw = (kind: string, operator: (source: Observable<Envelope>) => Observable<Envelope>) => defineStep<any, any>({ kind, operator: () => operator as any });

type Q = { q: string };

describe('broadcast', () => {
  it('sends a shallow copy of every row to every branch, with the branch path, id and permit', async () => {
    const ctx = testContext('broadcast');
    const sources = [envelopeOf(ctx, 's:0', { q: 'why' }), envelopeOf(ctx, 's:1', { q: 'how' })];
    sources[1]!.branch = 'x';
    const step = broadcast({
      a: (c) => c.pipe(map((row: Q) => Object.assign(row, { a: row.q.length }))),
      b: chain<Q>().pipe(map((row) => ({ ...row, b: row.q.toUpperCase() }))),
      c: chain<Q>(),
    });
    const out = await collect(step, ctx, sources);

    assert.deepEqual(out.map(view), [
      { id: 's:0', branch: 'a', row: { q: 'why', a: 3 } },
      { id: 's:0', branch: 'b', row: { q: 'why', b: 'WHY' } },
      { id: 's:0', branch: 'c', row: { q: 'why' } },
      { id: 's:1', branch: 'x/a', row: { q: 'how', a: 3 } },
      { id: 's:1', branch: 'x/b', row: { q: 'how', b: 'HOW' } },
      { id: 's:1', branch: 'x/c', row: { q: 'how' } },
    ]);
    assert.deepEqual(sources[0]!.row, { q: 'why' }, 'branch `a` mutated its own copy, not the source row');
    assert.equal(new Set(out.map((e) => e.row)).size, 6, 'every copy has its own row object');
    assert.ok(out.every((e) => e.permit === sources[Number(e.id.slice(2))]!.permit));
    assert.equal(out[0]!.fans.length, 1);
    assert.equal(out[0]!.fans[0], out[2]!.fans[0], 'copies of one row share one fan group');
    assert.notEqual(out[0]!.fans[0], out[3]!.fans[0]);
    assert.equal(out[0]!.fans[0]!.pending, 3);
    assert.deepEqual(ctx.stats, { ...ctx.stats, in: 2, out: 2, filtered: 0, failed: 0, emitted: 6 });
    assert.deepEqual([...ctx.allStats.keys()], ['broadcast', 'broadcast/a/map', 'broadcast/b/map']);
    assert.equal((sources[0]!.permit as RecordPermit).refs, 3);

    write(out.slice(0, 5));
    assert.deepEqual(ctx.done, ['s:0'], 's:1 waits for its last copy');
    write(out.slice(5));
    assertAccounted(ctx, sources);
  });

  it('completes when the source and every branch have completed (marble)', () => {
    const ctx = testContext('broadcast');
    const row = envelopeOf(ctx, 's:0', { q: 'x' });
    scheduler().run(({ cold, expectObservable }) => {
      const step = broadcast({ fast: chain(), slow: chain().pipe(raw('delay', delay(5))) });
      expectObservable(
        step
          .operator(ctx)(cold('-a|', { a: row }))
          .pipe(rxMap((e) => e.branch)),
      ).toBe('-f----(s|)', { f: 'fast', s: 'slow' });
    });
  });

  it('releases the permits of copies dropped or failed on a branch', async () => {
    const ctx = testContext('broadcast');
    const sources = [0, 1, 2].map((n) => envelopeOf(ctx, `s:${n}`, { n }));
    const step = broadcast({
      even: (c) => c.pipe(filter((row: { n: number }) => row.n % 2 === 0)),
      safe: (c) =>
        c.pipe(
          map((row: { n: number }) => {
            if (row.n === 2) throw new Error('two');
            return row;
          }),
        ),
    });
    const out = await collect(step, ctx, sources);

    assert.deepEqual(
      out.map((e) => `${e.id}@${e.branch}`),
      ['s:0@even', 's:0@safe', 's:1@safe', 's:2@even'],
    );
    assert.deepEqual(ctx.dropped, ['s:1']);
    assert.deepEqual(
      ctx.failed.map((f) => [f.id, f.step]),
      [['s:2', 'broadcast/safe/map']],
    );
    write(out);
    assertAccounted(ctx, sources);
  });

  it('errors when a branch errors', async () => {
    const ctx = testContext('broadcast');
    const step = broadcast({ ok: chain(), broken: chain().pipe(raw('boom', () => throwError(() => new Error('boom')))) });
    await assert.rejects(collect(step, ctx, [envelopeOf(ctx, 's:0', {})]), { message: 'boom' });
  });

  it('declares its branches and the columns every branch ends with', () => {
    const step = broadcast({ a: chain().pipe(map((row: object) => row)), b: chain() });
    assert.deepEqual(Object.keys(step.branches!), ['a', 'b']);
    assert.equal(step.branches!.a!.length, 1);
    assert.deepEqual(step.params, { branches: ['a', 'b'] });

    const after = step.columnsAfter(closedColumns(['q']), { a: closedColumns(['q', 'x', 'both']), b: closedColumns(['q', 'both', 'y']) });
    assert.deepEqual([...after.known].sort(), ['both', 'q']);
    assert.equal(after.open, false);
    const open = step.columnsAfter(closedColumns(['q']), { a: closedColumns(['q']), b: { known: new Set(['q', 'y']), open: true } });
    assert.equal(open.open, true);
  });

  it('rejects bad branches when the step is built', () => {
    assert.throws(() => broadcast({}), { name: 'SluiceConfigError', message: 'Expected `branches` of `broadcast` to name at least one branch, got `{}`' });
    assert.throws(() => broadcast({ 'a/b': chain() }), { message: 'Expected branch names to be non-empty and without `/`, got `a/b`' });
    assert.throws(() => broadcast({ a: map((row: object) => row) as any }), {
      message: 'Expected branch `a` to be a chain (`chain<Row>().pipe(…)`) or a function returning one, got `Object`',
    });
    assert.throws(() => broadcast({ a: () => 'nope' as any }), { message: /got `nope`$/ });
  });
});

describe('broadcast when the consumer unsubscribes', () => {
  it('sends no more copies once unsubscribed', async () => {
    const ctx = testContext();
    const step = broadcast({ a: chain(), b: chain() });
    const rows = Array.from({ length: 6 }, (_, n) => envelopeOf(ctx, `rows:${n}`, { n }));
    const result = await unsubscribeAfterFirst([step], ctx, rows);
    assert.deepEqual(result, { emitted: 1, inputObserved: false });
  });
});
