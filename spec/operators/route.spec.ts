import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { map as rxMap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { chain } from '../../lib/core/chain.ts';
import { closedColumns } from '../../lib/core/columns.ts';
import type { Envelope } from '../../lib/core/envelope.ts';
import { join } from '../../lib/operators/join.ts';
import { map } from '../../lib/operators/map.ts';
import { route } from '../../lib/operators/route.ts';
import { collectSteps as collect, releaseAll as write, assertAccounted } from '../helpers/operator-harness.ts';
import { envelopeOf, type TestContext, testContext } from '../helpers/test-context.ts';
import { unsubscribeAfterFirst } from '../helpers/operator-harness.ts';

const scheduler = () => new TestScheduler((actual, expected) => assert.deepEqual(actual, expected));
const view = (envelope: Envelope<unknown>) => ({ id: envelope.id, branch: envelope.branch, row: envelope.row });

type T = { text: string };
const texts = (ctx: TestContext, ...values: string[]) => values.map((text, i) => envelopeOf(ctx, `s:${i}`, { text }));

describe('route without branches (leaf tags)', () => {
  it('tags each row with its leaf and keeps the timing (marble)', () => {
    const ctx = testContext('route');
    const [a, b] = texts(ctx, 'hi', 'a long text');
    b!.branch = 'x';
    scheduler().run(({ cold, expectObservable }) => {
      const step = route((row: T) => (row.text.length > 3 ? 'long' : 'short'));
      expectObservable(
        step
          .operator(ctx)(cold('-a--b|', { a: a!, b: b! }))
          .pipe(rxMap(view)),
      ).toBe('-a--b|', {
        a: { id: 's:0', branch: 'short', row: { text: 'hi' } },
        b: { id: 's:1', branch: 'x/long', row: { text: 'a long text' } },
      });
    });
    assert.deepEqual(ctx.stats, { ...ctx.stats, in: 2, out: 2, emitted: 2 });
  });

  it('copies a row chosen for several leaves, drops rows chosen for none, and fails bad choices', async () => {
    const ctx = testContext();
    const sources = texts(ctx, 'both', 'none', 'empty', 'bad', 'slash', 'one');
    const choices: Record<string, unknown> = { both: ['a', 'b', 'a'], none: undefined, empty: [], bad: 42, slash: 'a/b', one: 'b' };
    const out = await collect([route((row: T) => choices[row.text] as string)], ctx, sources);

    assert.deepEqual(out.map(view), [
      { id: 's:0', branch: 'a', row: { text: 'both' } },
      { id: 's:0', branch: 'b', row: { text: 'both' } },
      { id: 's:5', branch: 'b', row: { text: 'one' } },
    ]);
    assert.notEqual(out[0]!.row, out[1]!.row, 'each leaf gets its own row object');
    assert.deepEqual(ctx.dropped, ['s:1', 's:2']);
    assert.deepEqual(
      ctx.failed.map((f) => [f.id, f.code, f.message]),
      [
        ['s:3', 'SLUICE_ROUTE_INVALID_CHOICE', 'Route `p/route` chose `42` for row `s:3`; expected a branch name, a list of names, or `undefined`.'],
        ['s:4', 'SLUICE_ROUTE_INVALID_CHOICE', 'Route `p/route` chose `a/b` for row `s:4`; branch names are non-empty strings without `/`.'],
      ],
    );
    assert.deepEqual(ctx.allStats.get('p/route'), { ...ctx.allStats.get('p/route')!, in: 6, out: 2, filtered: 2, failed: 2, emitted: 3 });
    write(out);
    assertAccounted(ctx, sources);
  });

  it('route.when: the first matching predicate wins; no match is dropped, or goes to `otherwise`', async () => {
    const ctx = testContext();
    const sources = texts(ctx, 'hi', 'a long text', '');
    const predicates = { short: (row: T) => row.text.length > 0 && row.text.length <= 3, long: (row: T) => row.text.length > 0 };
    const out = await collect([route.when(predicates)], ctx, sources);
    assert.deepEqual(
      out.map((e) => [e.id, e.branch]),
      [
        ['s:0', 'short'],
        ['s:1', 'long'],
      ],
    );
    assert.deepEqual(ctx.dropped, ['s:2']);
    write(out);
    assertAccounted(ctx, sources);

    const ctx2 = testContext();
    const sources2 = texts(ctx2, 'hi', '');
    const out2 = await collect([route.when(predicates, undefined, { otherwise: 'empty' })], ctx2, sources2);
    assert.deepEqual(
      out2.map((e) => [e.id, e.branch]),
      [
        ['s:0', 'short'],
        ['s:1', 'empty'],
      ],
    );
    write(out2);
    assertAccounted(ctx2, sources2);
  });

  it('fails the row when `select` throws', async () => {
    const ctx = testContext();
    const sources = texts(ctx, 'x');
    const out = await collect(
      [
        route(() => {
          throw new Error('cannot choose');
        }),
      ],
      ctx,
      sources,
    );
    assert.deepEqual(out, []);
    assert.deepEqual(
      ctx.failed.map((f) => [f.id, f.message]),
      [['s:0', 'cannot choose']],
    );
    assertAccounted(ctx, sources);
  });
});

describe('route with branches', () => {
  const branches = {
    short: (c: any) => c.pipe(map((row: T) => ({ ...row, short: true }))),
    long: chain<T>().pipe(map((row) => ({ ...row, long: true }))),
  };

  it('sends each row only to its chosen branches, and fails rows that choose an undeclared one', async () => {
    const ctx = testContext();
    const sources = texts(ctx, 'hi', 'a long text', 'both', 'mystery');
    const select = (row: T) => (row.text === 'both' ? ['long', 'short'] : row.text === 'mystery' ? 'medium' : row.text.length > 3 ? 'long' : 'short');
    const out = await collect([route(select, branches, { name: 'size' })], ctx, sources);

    assert.deepEqual(out.map(view), [
      { id: 's:0', branch: 'short', row: { text: 'hi', short: true } },
      { id: 's:1', branch: 'long', row: { text: 'a long text', long: true } },
      { id: 's:2', branch: 'short', row: { text: 'both', short: true } },
      { id: 's:2', branch: 'long', row: { text: 'both', long: true } },
    ]);
    assert.equal(out[0]!.fans[0]!.pending, 1, 'a fan group of the size chosen');
    assert.equal(out[2]!.fans[0]!.pending, 2);
    assert.deepEqual(
      ctx.failed.map((f) => [f.id, f.code, f.message]),
      [['s:3', 'SLUICE_ROUTE_UNKNOWN_BRANCH', 'Route `p/size` chose branch `medium` for row `s:3`, but its branches are `short`, `long`.']],
    );
    assert.deepEqual([...ctx.allStats.keys()], ['step', 'p/size', 'p/size/short/map', 'p/size/long/map']);
    write(out);
    assertAccounted(ctx, sources);
  });

  it('route.when with branches and `otherwise`, closed by a join', async () => {
    const ctx = testContext();
    const sources = texts(ctx, 'hi', 'a long text');
    const out = await collect([route.when({ short: (row: T) => row.text.length <= 3 }, branches, { otherwise: 'long' }), join()], ctx, sources);
    assert.deepEqual(out.map(view), [
      { id: 's:0', branch: '', row: { text: 'hi', short: true } },
      { id: 's:1', branch: '', row: { text: 'a long text', long: true } },
    ]);
    write(out);
    assertAccounted(ctx, sources);
  });

  it('declares its branches, and has the columns every branch ends with', () => {
    const step = route(() => 'short', branches);
    assert.deepEqual(Object.keys(step.branches!), ['short', 'long']);
    const after = step.columnsAfter(closedColumns(['text']), { short: closedColumns(['text', 'short']), long: closedColumns(['text', 'long']) });
    assert.deepEqual([...after.known], ['text']);
    assert.deepEqual([...route(() => 'x').columnsAfter(closedColumns(['text'])).known], ['text']);
  });
});

describe('route.sample', () => {
  const three = {
    a: (c: any) => c.pipe(map((row: object) => ({ ...row, a: 1 }))),
    b: (c: any) => c.pipe(map((row: object) => ({ ...row, b: 2 }))),
    c: (c: any) => c.pipe(map((row: object) => ({ ...row, c: 3 }))),
  };
  const rows = (ctx: TestContext) => Array.from({ length: 30 }, (_, i) => envelopeOf(ctx, `topics:${i}`, { i }));

  async function sampleRun(seed: number | string) {
    const ctx = testContext();
    const sources = rows(ctx);
    const out = await collect([route.sample(2, three, { seed }), join({ branchesAs: 'via' })], ctx, sources);
    write(out);
    assertAccounted(ctx, sources);
    return out.map((e) => [e.id, (e.row as { via: string[] }).via.join('+')] as const);
  }

  it('sends each row to exactly 2 of 3 branches, the same ones in every run, and the join gives one row per input', async () => {
    const first = await sampleRun(7);
    const second = await sampleRun(7);
    assert.deepEqual(second, first, 'deterministic across runs');
    assert.deepEqual(
      first.map(([id]) => id),
      Array.from({ length: 30 }, (_, i) => `topics:${i}`),
    );
    const pairs = new Set(first.map(([, via]) => via));
    for (const via of pairs) assert.ok(['a+b', 'a+c', 'b+c'].includes(via), via);
    assert.equal(pairs.size, 3, 'over 30 rows every pair of branches comes up');
    assert.notDeepEqual(await sampleRun('another seed'), first, 'the seed changes the choice');
  });

  it('merges exactly the chosen copies', async () => {
    const ctx = testContext();
    const sources = rows(ctx).slice(0, 5);
    const out = await collect([route.sample(2, three, { seed: 1 }), join({ branchesAs: 'via' })], ctx, sources);
    for (const envelope of out) {
      const row = envelope.row as Record<string, unknown> & { via: string[] };
      assert.deepEqual(
        Object.keys(row).filter((k) => ['a', 'b', 'c'].includes(k)),
        row.via,
      );
    }
    const routeStats = ctx.allStats.get('p/route')!;
    assert.deepEqual(routeStats, { ...routeStats, in: 5, out: 5, emitted: 10 });
    write(out);
    assertAccounted(ctx, sources);
  });

  it('draws from the row position, not the file name: a renamed file sends the same rows the same way; `by` keys the draw on a column', async () => {
    const draw = async (source: string, options: { seed: number; by?: string }) => {
      const ctx = testContext();
      const sources = Array.from({ length: 20 }, (_, i) => envelopeOf(ctx, `${source}:${i}`, { i, text: `row ${i}` }));
      const out = await collect([route.sample(1, ['gpt', 'claude', 'llama'], options)], ctx, sources);
      write(out);
      return out.map((e) => [(e.row as { i: number }).i, e.branch]);
    };
    assert.deepEqual(await draw('renamed.jsonl', { seed: 5 }), await draw('topics.jsonl', { seed: 5 }));
    const byI = await draw('a.jsonl', { seed: 5, by: 'i' });
    assert.equal(new Set(byI.map(([, branch]) => branch)).size, 3, 'over 20 rows every leaf comes up');
    assert.deepEqual(await draw('b.jsonl', { seed: 5, by: 'i' }), byI);
  });

  it('tags leaves when given names', async () => {
    const ctx = testContext();
    const sources = rows(ctx).slice(0, 10);
    const out = await collect([route.sample(1, ['train', 'test'], { seed: 3 })], ctx, sources);
    assert.equal(out.length, 10);
    assert.ok(out.every((e) => e.branch === 'train' || e.branch === 'test'));
    const again = await collect([route.sample(1, ['train', 'test'], { seed: 3 })], testContext(), rows(testContext()).slice(0, 10));
    assert.deepEqual(
      again.map((e) => e.branch),
      out.map((e) => e.branch),
    );
    write(out);
    assertAccounted(ctx, sources);
  });

  it('rejects bad options when the step is built', () => {
    assert.throws(() => route.sample(4, three), { name: 'SluiceConfigError', message: 'Expected `n` to be at most the number of branches (3), got `4`' });
    assert.throws(() => route.sample(0, three), { message: 'Expected `n` to be an integer from 1 and up, got `0`' });
    assert.throws(() => route.sample(1, ['a', 'a']), { message: 'Expected distinct leaf names, got `a`, `a`' });
    assert.throws(() => route.sample(1, []), { message: 'Expected `route.sample` to get at least one branch or leaf name, got none' });
    assert.throws(() => route.sample(1, ['a'], { seed: Number.NaN }), { message: 'Expected `seed` to be a number or a string, got `NaN`' });
  });
});

describe('route: options', () => {
  it('rejects bad selectors and predicates when the step is built', () => {
    assert.throws(() => route('short' as any), { name: 'SluiceConfigError', message: 'Expected `select` to be a function, got `string`' });
    assert.throws(() => route.when({}), { message: 'Expected `predicates` to be an object of named predicates, got `[object Object]`' });
    assert.throws(() => route.when({ a: true as any }), { message: 'Expected `predicates.a` to be a function, got `boolean`' });
    assert.throws(() => route.when({ medium: () => true }, { short: chain() } as any), {
      message: 'Expected every predicate and `otherwise` to name a branch (`short`), got `medium`',
    });
    assert.throws(() => route.when({ short: () => true }, { short: chain() }, { otherwise: 'rest' }), {
      message: 'Expected every predicate and `otherwise` to name a branch (`short`), got `rest`',
    });
  });
});

describe('route when the consumer unsubscribes', () => {
  it('routes no more rows once unsubscribed', async () => {
    const ctx = testContext();
    let calls = 0;
    const step = route((_row: { n: number }) => {
      calls++;
      return 'a';
    });
    const rows = Array.from({ length: 6 }, (_, n) => envelopeOf(ctx, `rows:${n}`, { n }));
    const result = await unsubscribeAfterFirst([step], ctx, rows);
    assert.deepEqual({ ...result, calls }, { emitted: 1, inputObserved: false, calls: 1 });
  });
});
