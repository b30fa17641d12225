import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aggregate } from '../../lib/operators/aggregate.ts';
import { map } from '../../lib/operators/map.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import { toMemory } from '../../lib/sinks/memory.ts';
import { parameterGrid } from '../../lib/sources/parameter-grid.ts';

const read = async (source: ReturnType<typeof parameterGrid>) => {
  const out = toMemory();
  await pipeline('grid').from(source).to(out).run({ cache: false });
  return out.rows;
};

describe('parameterGrid', () => {
  it('gives every combination of the lists, numbered', async () => {
    const rows = await read(parameterGrid({ params: { lr: [0.1, 0.01], backbone: ['resnet18', 'wide_resnet50'] } }));
    assert.deepEqual(rows, [
      { experiment: 0, lr: 0.1, backbone: 'resnet18' },
      { experiment: 1, lr: 0.1, backbone: 'wide_resnet50' },
      { experiment: 2, lr: 0.01, backbone: 'resnet18' },
      { experiment: 3, lr: 0.01, backbone: 'wide_resnet50' },
    ]);
  });

  it('draws n experiments, a pair of numbers as a range and other lists as choices, the same for the same seed', async () => {
    const config = { experiments: 10, seed: 7, params: { lr: [0.1, 0.99], epochs: [1, 5], backbone: ['resnet18', 'wide_resnet50'] } };
    const rows = await read(parameterGrid(config));
    assert.equal(rows.length, 10);
    for (const row of rows) {
      assert.ok((row.lr as number) >= 0.1 && (row.lr as number) <= 0.99);
      assert.ok(Number.isInteger(row.epochs) && (row.epochs as number) >= 1 && (row.epochs as number) <= 5);
      assert.ok(['resnet18', 'wide_resnet50'].includes(row.backbone as string));
    }
    assert.deepEqual(await read(parameterGrid(config)), rows);
    assert.notDeepEqual(await read(parameterGrid({ ...config, seed: 8 })), rows);
  });

  it('runs the jobs and collects their results into one row, serially or in parallel by one number', async () => {
    for (const concurrency of [1, 4]) {
      const out = toMemory();
      await pipeline('search')
        .from(parameterGrid({ params: { x: [1, 2, 3, 4] } }))
        .pipe(
          map(async (row: { experiment: number; x: number }) => ({ ...row, score: row.x * row.x }), { concurrency }),
          aggregate({ all: true, reduce: (rows: { score: number }[]) => ({ best: Math.max(...rows.map((r) => r.score)), runs: rows.length }) }),
        )
        .to(out)
        .run({ cache: false });
      assert.deepEqual(out.rows, [{ best: 16, runs: 4 }]);
    }
  });

  it('refuses params that are not non-empty lists, and a bad count', () => {
    assert.throws(() => parameterGrid({ params: {} }), /non-empty list/);
    assert.throws(() => parameterGrid({ params: { a: [] } }), /non-empty list/);
    assert.throws(() => parameterGrid({ params: { a: [1] }, experiments: 0 }), /experiments/);
  });
});
