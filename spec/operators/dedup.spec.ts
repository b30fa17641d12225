import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Row } from '../../lib/core/row.ts';
import { dedup } from '../../lib/operators/dedup.ts';
import { shingles } from '../../lib/operators/min-hash-index.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import { toMemory } from '../../lib/sinks/memory.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';
import { failedCollector } from '../helpers/failed-collector.ts';

async function run(rows: Row[], step: ReturnType<typeof dedup>) {
  const out = toMemory();
  const failed = failedCollector();
  const summary = await pipeline('dedup').from(fromIterable(rows)).pipe(step).to(out).failedTo(failed).run({ cache: false });
  return { rows: out.rows, failed: failed.rows, stats: Object.values(summary.steps)[0]! };
}

describe('dedup', () => {
  it('drops texts whose word 3-grams are near those of a kept text, keeping the first, and counts them as filtered', async () => {
    const fox = 'The quick brown fox jumps over the lazy dog near the river bank today';
    const { rows, stats } = await run(
      [
        { id: 1, text: fox },
        { id: 2, text: `${fox.toUpperCase()}!` }, // same 3-grams: similarity 1
        { id: 3, text: 'A slow green turtle walks under the busy bridge at night' },
        { id: 4, text: fox.replace('today', 'this morning') }, // 11 of 13 3-grams shared
        { id: 5, text: 'Completely different words about tax law and accounting rules' },
      ],
      dedup({ text: 'text', threshold: 0.7 }),
    );
    assert.deepEqual(
      rows.map((row) => row.id),
      [1, 3, 5],
    );
    assert.equal(stats.filtered, 2);
    assert.equal(stats.in, 5);
  });

  it('keeps 2,000 distinct texts and drops every exact copy of them', async () => {
    const texts = Array.from({ length: 2000 }, (_, i) => `record ${i} about item ${i * 7919} in batch ${i % 13} of series ${Math.floor(i / 13)}`);
    const { rows, stats } = await run(
      [...texts, ...texts.slice(0, 500)].map((text, i) => ({ i, text })),
      dedup({ text: 'text' }),
    );
    assert.equal(rows.length, 2000);
    assert.equal(stats.filtered, 500);
  });

  it('drops embeddings whose cosine similarity to a kept one reaches the threshold', async () => {
    const { rows, stats } = await run(
      [
        { id: 'a', v: [1, 0, 0, 0] },
        { id: 'b', v: [0.99, 0.01, 0, 0] },
        { id: 'c', v: [0, 1, 0, 0] },
        { id: 'd', v: [2, 0, 0, 0] }, // the same direction as a
        { id: 'e', v: [0.7, 0.7, 0, 0] },
      ],
      dedup({ embedding: 'v' }),
    );
    assert.deepEqual(
      rows.map((row) => row.id),
      ['a', 'c', 'e'],
    );
    assert.equal(stats.filtered, 2);
  });

  it('fails a row without the column, and refuses options that name no column or two', async () => {
    const { rows, failed } = await run([{ text: 'kept' }, { other: 1 }], dedup({ text: 'text' }));
    assert.equal(rows.length, 1);
    assert.match(String((failed[0]!.error as { message: string }).message), /missing/);
    assert.throws(() => dedup({}), /one of `text`/);
    assert.throws(() => dedup({ text: 'a', embedding: 'b' }), /one of `text`/);
    assert.throws(() => dedup({ text: 'a', threshold: 1.5 }), /threshold/);
  });

  it('shingles are the lower-cased word 3-grams', () => {
    assert.deepEqual([...shingles('One two, THREE four')], ['one two three', 'two three four']);
    assert.deepEqual([...shingles('Hi there')], ['hi there']);
  });
});
