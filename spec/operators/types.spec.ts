/**
 * Compile-time checks: `tsc -p spec/tsconfig.json` fails if a row type stops flowing through a chain.
 * Each `@ts-expect-error` must hit an error; the runtime tests only make sure the chains build.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Chain, chain } from '../../lib/core/chain.ts';
import { aggregate } from '../../lib/operators/aggregate.ts';
import { batch } from '../../lib/operators/batch.ts';
import { broadcast } from '../../lib/operators/broadcast.ts';
import { filter } from '../../lib/operators/filter.ts';
import { join } from '../../lib/operators/join.ts';
import { map } from '../../lib/operators/map.ts';
import { route } from '../../lib/operators/route.ts';
import { scatter } from '../../lib/operators/scatter.ts';

type RowOf<C> = C extends Chain<infer R, any> ? R : never;

describe('row types through chains', () => {
  it('makes reading an unproduced column a compile error', () => {
    const built = chain<{ topic: string }>().pipe(
      map((r) => ({ ...r, n: 1 })),
      // @ts-expect-error `missing` is produced by no step upstream.
      map((r) => ({ m: r.missing })),
    );
    chain<{ topic: string }>().pipe(
      map((r) => ({ ...r, n: 1 })),
      filter((r) => r.n > 0 && r.topic !== ''),
    );
    assert.equal(built.steps.length, 2);
  });

  it('keeps row types through twelve steps in one pipe, and rejects a misspelt column at the twelfth', () => {
    const twelve = chain<{ question: string }>().pipe(
      map((r) => ({ ...r, s1: 1 })),
      map((r) => ({ ...r, s2: r.s1 + 1 })),
      map((r) => ({ ...r, s3: r.s2 + 1 })),
      map((r) => ({ ...r, s4: r.s3 + 1 })),
      map((r) => ({ ...r, s5: r.s4 + 1 })),
      map((r) => ({ ...r, s6: r.s5 + 1 })),
      map((r) => ({ ...r, s7: r.s6 + 1 })),
      map((r) => ({ ...r, s8: r.s7 + 1 })),
      map((r) => ({ ...r, s9: r.s8 + 1 })),
      map((r) => ({ ...r, s10: r.s9 + 1 })),
      map((r) => ({ ...r, s11: r.s10 + 1 })),
      map((r) => ({ answer: r.question.length + r.s11 })),
    );
    const last: RowOf<typeof twelve> = { answer: 1 };
    chain<{ question: string }>().pipe(
      map((r) => ({ ...r, s1: 1 })),
      map((r) => r),
      map((r) => r),
      map((r) => r),
      map((r) => r),
      map((r) => r),
      map((r) => r),
      map((r) => r),
      map((r) => r),
      map((r) => r),
      map((r) => r),
      // @ts-expect-error `questoin` is misspelt: the row has `question`.
      map((r) => ({ answer: r.questoin })),
    );
    assert.ok(last);
  });

  it("gives scatter's children the element type under `as`", () => {
    const scattered = chain<{ topic: string; subtopics: string[] }>().pipe(scatter('subtopics', { as: 'subtopic' }));
    const child: RowOf<typeof scattered> = { topic: 'rivers', subtopic: 'Rhine' };
    // @ts-expect-error the list column is gone after the scatter.
    const stale: RowOf<typeof scattered> = { topic: 'rivers', subtopic: 'Rhine', subtopics: [] };
    // @ts-expect-error an element of `string[]` is a string.
    const wrong: RowOf<typeof scattered> = { topic: 'rivers', subtopic: 1 };
    chain<{ topic: string; subtopics: string[] }>().pipe(
      scatter('subtopics', { as: 'subtopic' }),
      map((r) => ({ upper: r.subtopic.toUpperCase() })),
    );
    // @ts-expect-error `topic` is not a list column.
    chain<{ topic: string; subtopics: string[] }>().pipe(scatter('topic'));
    assert.ok(child && stale && wrong);
  });

  it("types branch outputs, and a join merges every branch's columns", () => {
    const fanned = chain<{ q: string }>().pipe(
      broadcast({
        a: (c) => c.pipe(map((r) => ({ ...r, a: r.q.length }))),
        b: chain<{ q: string }>().pipe(map((r) => ({ ...r, b: 'x' }))),
      }),
    );
    const either: RowOf<typeof fanned> = { q: 'x', b: 'y' };
    chain<{ q: string }>().pipe(
      broadcast({ a: (c) => c.pipe(map((r) => ({ ...r, a: 1 }))), b: (c) => c.pipe(map((r) => ({ ...r, b: 'x' }))) }),
      // @ts-expect-error without a join, a row has only its own branch's columns.
      map((r) => ({ both: r.a + r.b })),
    );
    const joined = chain<{ q: string }>().pipe(
      broadcast({ a: (c) => c.pipe(map((r) => ({ ...r, gen: 1, a: true }))), b: (c) => c.pipe(map((r) => ({ ...r, gen: 2, b: 'x' }))) }),
      join({ combine: { gen: 'gens' }, branchesAs: 'via' }),
    );
    const merged: RowOf<typeof joined> = { q: 'x', a: true, b: 'y', gens: [1, null], via: ['a', 'b'] };
    const sampled = chain<{ q: string }>().pipe(
      route.sample(1, { a: (c) => c.pipe(map((r) => ({ ...r, a: 1 }))), b: (c) => c.pipe(map((r) => ({ ...r, b: 2 }))) }, { seed: 1 }),
      join(),
      map((r) => ({ sum: r.a + r.b, q: r.q })),
    );
    const sum: RowOf<typeof sampled> = { sum: 3, q: 'x' };
    assert.ok(either && merged && sum);
  });

  it('types aggregate groups and batch results', () => {
    const grouped = chain<{ topic: string; q: string }>().pipe(
      aggregate({ key: 'topic' }),
      map((g) => ({ topic: g.key, questions: g.rows.map((r) => r.q) })),
    );
    const group: RowOf<typeof grouped> = { topic: 't', questions: ['q'] };
    // @ts-expect-error `subject` is not a column of the rows.
    chain<{ topic: string; q: string }>().pipe(aggregate({ key: 'subject' }));
    const embedded = chain<{ text: string }>().pipe(
      batch((rows) => rows.map((r) => ({ ...r, vector: [r.text.length] }))),
      map((r) => ({ first: r.vector[0] })),
    );
    const vector: RowOf<typeof embedded> = { first: 1 };
    const tagged = chain<{ text: string }>().pipe(
      route((r) => (r.text.length > 3 ? 'long' : 'short')),
      map((r) => ({ t: r.text })),
    );
    assert.ok(group && vector && tagged);
  });
});
