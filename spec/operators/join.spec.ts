import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filter as rxFilter } from 'rxjs';
import { chain } from '../../lib/core/chain.ts';
import { closedColumns } from '../../lib/core/columns.ts';
import { defineStep } from '../../lib/core/define-step.ts';
import type { Envelope } from '../../lib/core/envelope.ts';
import type { RecordPermit } from '../../lib/core/permit.ts';
import { broadcast } from '../../lib/operators/broadcast.ts';
import { filter } from '../../lib/operators/filter.ts';
import { combine, join } from '../../lib/operators/join.ts';
import { map } from '../../lib/operators/map.ts';
import { scatter } from '../../lib/operators/scatter.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import type { Row } from '../../lib/core/row.ts';
import { toMemory } from '../../lib/sinks/memory.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';
import { aggregate } from '../../lib/operators/aggregate.ts';
import { collectSteps as collect, releaseAll as write, assertAccounted } from '../helpers/operator-harness.ts';
import { envelopeOf, testContext } from '../helpers/test-context.ts';
import { unsubscribeAfterFirst } from '../helpers/operator-harness.ts';

const view = (envelope: Envelope<unknown>) => ({ id: envelope.id, branch: envelope.branch, row: envelope.row });

const later = <T>(value: T, ms: number) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

type N = { n: number };

describe('join', () => {
  it('merges broadcast copies back into one row per input, even when some copies were dropped or failed', async () => {
    const ctx = testContext();
    const sources = [0, 1, 2, 3, 4].map((n) => envelopeOf(ctx, `s:${n}`, { n }));
    const steps = [
      broadcast(
        {
          a: (c) =>
            c.pipe(
              filter((row: N) => row.n !== 4),
              map((row: N) => ({ ...row, a: row.n * 10 })),
            ),
          b: (c) =>
            c.pipe(
              filter((row: N) => row.n % 2 === 0 && row.n !== 4),
              map((row: N) => ({ ...row, b: `b${row.n}` })),
            ),
          c: (c) =>
            c.pipe(
              map((row: N) => {
                if (row.n === 2 || row.n === 4) throw new Error(`no c for ${row.n}`);
                return { ...row, c: true };
              }),
            ),
        },
        { name: 'fan' },
      ),
      join(),
    ];
    const out = await collect(steps, ctx, sources);

    assert.deepEqual(
      out.map(view).sort((x, y) => x.id.localeCompare(y.id)),
      [
        { id: 's:0', branch: '', row: { n: 0, a: 0, b: 'b0', c: true } },
        { id: 's:1', branch: '', row: { n: 1, a: 10, c: true } },
        { id: 's:2', branch: '', row: { n: 2, a: 20, b: 'b2' } },
        { id: 's:3', branch: '', row: { n: 3, a: 30, c: true } },
      ],
    );
    assert.ok(
      out.every((e) => e.fans.length === 0),
      'the join closed the fan-out',
    );
    assert.deepEqual(
      ctx.failed.map((f) => [f.id, f.step]),
      [
        ['s:2', 'p/fan/c/map'],
        ['s:4', 'p/fan/c/map'],
      ],
    );
    assert.deepEqual(ctx.dropped.sort(), ['s:1', 's:3', 's:4', 's:4']);
    assert.deepEqual(ctx.done, ['s:4'], 's:4 lost every copy: done without a row');
    const joinStats = ctx.allStats.get('p/join-1')!;
    assert.deepEqual(joinStats, { ...joinStats, in: 9, out: 9, filtered: 0, failed: 0, emitted: 4 });
    write(out);
    assertAccounted(ctx, sources);
  });

  it('merges in branch-declaration order whatever order the copies arrive in, and combines columns into lists', async () => {
    const ctx = testContext();
    const sources = [envelopeOf(ctx, 's:0', { q: 'why' }), envelopeOf(ctx, 's:1', { q: 'how' })];
    const steps = [
      broadcast({
        slow: (c) => c.pipe(map(async (row: { q: string }) => later({ ...row, generation: `slow ${row.q}`, model: 'slow', who: 'slow' }, 5))),
        fast: (c) => c.pipe(map((row: { q: string }) => ({ ...row, generation: `fast ${row.q}`, model: 'fast', who: 'fast' }))),
        none: (c) => c.pipe(map((row: { q: string }) => ({ ...row, who: 'none' }))),
      }),
      combine({ combine: { generation: 'generations', model: 'models' }, branchesAs: 'branches' }),
    ];
    const out = await collect(steps, ctx, sources);

    assert.deepEqual(out.map(view), [
      {
        id: 's:0',
        branch: '',
        row: { q: 'why', who: 'none', generations: ['slow why', 'fast why', null], models: ['slow', 'fast', null], branches: ['slow', 'fast', 'none'] },
      },
      {
        id: 's:1',
        branch: '',
        row: { q: 'how', who: 'none', generations: ['slow how', 'fast how', null], models: ['slow', 'fast', null], branches: ['slow', 'fast', 'none'] },
      },
    ]);
    write(out);
    assertAccounted(ctx, sources);
  });

  it('keeps a column name with the list form of `combine`', async () => {
    const ctx = testContext();
    const sources = [envelopeOf(ctx, 's:0', { q: 'x' })];
    const out = await collect(
      [
        broadcast({ a: (c) => c.pipe(map((row: object) => ({ ...row, g: 1 }))), b: (c) => c.pipe(map((row: object) => ({ ...row, g: 2 }))) }),
        join({ combine: ['g'] }),
      ],
      ctx,
      sources,
    );
    assert.deepEqual(
      out.map((e) => e.row),
      [{ q: 'x', g: [1, 2] }],
    );
    write(out);
    assertAccounted(ctx, sources);
  });

  it('closes only the innermost fan-out, giving nested branch paths back', async () => {
    const ctx = testContext();
    const sources = [envelopeOf(ctx, 's:0', { q: 'x' })];
    const out = await collect(
      [
        broadcast({
          outer: (c) =>
            c.pipe(
              broadcast({ i1: (d) => d.pipe(map((row: object) => ({ ...row, i1: 1 }))), i2: (d) => d.pipe(map((row: object) => ({ ...row, i2: 2 }))) }),
              join(),
              map((row: object) => ({ ...row, outer: true })),
            ),
          other: (c) => c.pipe(map((row: object) => ({ ...row, other: true }))),
        }),
        join({ branchesAs: 'from' }),
      ],
      ctx,
      sources,
    );

    assert.deepEqual(out.map(view), [{ id: 's:0', branch: '', row: { q: 'x', i1: 1, i2: 2, outer: true, other: true, from: ['outer', 'other'] } }]);
    write(out);
    assertAccounted(ctx, sources);
  });

  it("emits the merged row from inside another step's failure when that was the last copy", async () => {
    const ctx = testContext();
    const sources = [envelopeOf(ctx, 's:0', { n: 1 })];
    const seen: string[] = [];
    const out = await collect(
      [
        broadcast({
          first: (c) => c.pipe(map((row: N) => ({ ...row, first: true }))),
          second: (c) =>
            c.pipe(
              map((): N => {
                seen.push('second fails');
                throw new Error('second');
              }),
            ),
        }),
        join(),
        map((row: object) => {
          seen.push('after join');
          return row;
        }),
      ],
      ctx,
      sources,
    );

    assert.deepEqual(seen, ['second fails', 'after join']);
    assert.deepEqual(out.map(view), [{ id: 's:0', branch: '', row: { n: 1, first: true } }]);
    write(out);
    assertAccounted(ctx, sources);
  });

  it('passes through a row that has left the fan-out (nothing to merge)', async () => {
    const ctx = testContext();
    const sources = [envelopeOf(ctx, 's:0', { n: 1 })];
    const out = await collect([join()], ctx, sources);
    assert.deepEqual(
      out.map((e) => [e.id, e.row]),
      [['s:0', { n: 1 }]],
    );
    assert.deepEqual(ctx.failed, []);
    write(out);
    assertAccounted(ctx, sources);
  });

  it('waits for every child of a scatter inside a branch, and combines them', async () => {
    const ctx = testContext();
    const sources = [envelopeOf(ctx, 's:0', { parts: ['p', 'q', 'r'] }), envelopeOf(ctx, 's:1', { parts: [] }), envelopeOf(ctx, 's:2', { parts: ['z'] })];
    const out = await collect(
      [broadcast({ split: (c) => c.pipe(scatter('parts', { as: 'part' })), whole: chain() }), join({ combine: { part: 'parts_seen' } })],
      ctx,
      sources,
    );

    const rows = Object.fromEntries(out.map((e) => [e.id.split('.')[0], e.row as Record<string, unknown>]));
    assert.equal(out.length, 3);
    assert.deepEqual(rows['s:0']!.parts_seen, ['p', 'q', 'r', null]);
    assert.deepEqual(rows['s:1']!.parts_seen, [null], 'no children: only the other branch');
    assert.deepEqual(rows['s:2']!.parts_seen, ['z', null]);
    assert.deepEqual(ctx.failed, []);
    write(out);
    assertAccounted(ctx, sources);
  });

  it('fails the merged row when the stream ends with copies that neither arrived nor were reported lost', async () => {
    const ctx = testContext();
    const sources = [envelopeOf(ctx, 's:0', { n: 1 })];
    // A raw RxJS filter swallows rows without releasing them: the bug `filter` exists to avoid.
    // A step that claims to settle its rows but swallows them: the join still accounts for the copy.
    const swallow = defineStep<any, any>({ kind: 'swallow', ownsPermits: true, operator: () => rxFilter(() => false) as any });
    const out = await collect([broadcast({ kept: chain(), lost: chain().pipe(swallow) }), join()], ctx, sources);

    assert.deepEqual(out, []);
    assert.deepEqual(
      ctx.failed.map((f) => [f.id, f.code, f.message]),
      [['s:0', 'SLUICE_JOIN_INCOMPLETE', 'Join `p/join-1` ended with 1 of 2 copies of row `s:0`; the others never arrived and were not dropped or failed.']],
    );
    const joinStats = ctx.allStats.get('p/join-1')!;
    assert.equal(joinStats.in, joinStats.out + joinStats.failed);
    assert.equal((sources[0]!.permit as RecordPermit).refs, 1, "only the swallowed copy's reference is left");
  });

  it('gives validation the columns of every branch together', () => {
    const fan = broadcast({ a: chain(), b: chain() });
    const afterFan = fan.columnsAfter(closedColumns(['q']), { a: closedColumns(['q', 'x']), b: closedColumns(['q', 'y']) });
    const after = join({ combine: { x: 'xs' }, branchesAs: 'from' }).columnsAfter(afterFan);
    assert.deepEqual([...after.known].sort(), ['from', 'q', 'xs', 'y']);
    assert.equal(after.open, false);
    const unknown = join().columnsAfter(closedColumns(['q']));
    assert.deepEqual({ known: [...unknown.known], open: unknown.open }, { known: ['q'], open: true });
  });

  it('rejects bad options when the step is built', () => {
    assert.throws(() => join({ combine: { a: '' } }), { name: 'SluiceConfigError', message: 'Expected `combine.a` to be a column name, got ``' });
    assert.throws(() => join({ combine: [''] }), { message: 'Expected `combine` to list column names, got ``' });
    assert.throws(() => join({ branchesAs: 3 as any }), { message: 'Expected `branchesAs` to be a column name, got `3`' });
  });

  it('runs through the run engine with a small budget: every record done once, every step balanced', async () => {
    const rows = Array.from({ length: 60 }, (_, n) => ({ n }));
    const out = toMemory();
    const failed: Row[] = [];
    const done: string[] = [];
    const summary = await pipeline('fan-in')
      .from(fromIterable(rows))
      .pipe(
        broadcast({
          a: (c) => c.pipe(map(async (row) => later({ ...row, a: row.n }, row.n % 3))),
          b: (c) =>
            c.pipe(
              filter((row) => row.n % 4 !== 0),
              map((row) => ({ ...row, b: true })),
            ),
          c: (c) =>
            c.pipe(
              map((row) => {
                if (row.n % 5 === 0) throw new Error('five');
                return { ...row, c: 'c' };
              }),
            ),
        }),
        join({ branchesAs: 'via' }),
        aggregate({ count: 7, reduce: (group) => ({ ns: group.map((row) => row.n) }) }),
      )
      .to(out)
      .failedTo({
        name: 'failed',
        write(row, _leaf, written) {
          failed.push(row);
          queueMicrotask(() => written());
        },
        async close() {},
      })
      .run({ budget: 4, onDone: (id) => done.push(id) });

    assert.equal(summary.status, 'failed-rows');
    assert.deepEqual(
      (out.rows as Array<{ ns: number[] }>).flatMap((row) => row.ns).sort((x, y) => x - y),
      rows.map((row) => row.n),
    );
    assert.equal(failed.length, 12, 'rows 0, 5, …, 55 failed on branch c');
    assert.equal(done.length, 60);
    assert.equal(new Set(done).size, 60);
    assert.deepEqual(summary.steps.join!.emitted, 60);
    for (const [name, s] of Object.entries(summary.steps)) assert.equal(s.in, s.out + s.filtered + s.failed, name);
  });
});

describe('join when the consumer unsubscribes', () => {
  it('merges no more rows once unsubscribed', async () => {
    const ctx = testContext();
    const rows = Array.from({ length: 6 }, (_, n) => envelopeOf(ctx, `rows:${n}`, { n }));
    const result = await unsubscribeAfterFirst([broadcast({ a: chain(), b: chain() }), join()], ctx, rows);
    assert.deepEqual(result, { emitted: 1, inputObserved: false });
  });
});
