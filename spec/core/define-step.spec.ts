import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filter as rxFilter, map as rxMap } from 'rxjs';
import { defineStep } from '../../lib/core/define-step.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import { toMemory } from '../../lib/sinks/memory.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';
import { failedCollector } from '../helpers/failed-collector.ts';

const rows = Array.from({ length: 5 }, (_, n) => ({ n }));

describe('defineStep over a raw RxJS operator', () => {
  it('records the rows the operator swallows as failed rows, so every record is done', async () => {
    const failed = failedCollector();
    const out = toMemory();
    const odd = defineStep<{ n: number }, { n: number }>({ kind: 'odd', operator: () => rxFilter((e: any) => e.row.n % 2 === 1) as any });
    const summary = await pipeline('p').from(fromIterable(rows)).pipe(odd).to(out).run({ cache: false, failed });
    assert.deepEqual(out.rows, [{ n: 1 }, { n: 3 }]);
    assert.deepEqual(
      failed.rows.map((f: any) => [f.id, f.step, f.error.code]),
      [
        ['rows:0', 'odd', 'SLUICE_ROW_LOST'],
        ['rows:2', 'odd', 'SLUICE_ROW_LOST'],
        ['rows:4', 'odd', 'SLUICE_ROW_LOST'],
      ],
    );
    assert.deepEqual([summary.status, summary.source.read, summary.source.done], ['failed-rows', 5, 5]);
  });

  it('passes rows an operator re-wraps (same permit) without counting them lost', async () => {
    const failed = failedCollector();
    const out = toMemory();
    const double = defineStep<{ n: number }, { n: number }>({ kind: 'double', operator: () => rxMap((e: any) => ({ ...e, row: { n: e.row.n * 2 } })) as any });
    const summary = await pipeline('p').from(fromIterable(rows)).pipe(double).to(out).run({ cache: false, failed });
    assert.deepEqual(
      out.rows,
      rows.map(({ n }) => ({ n: n * 2 })),
    );
    assert.deepEqual([summary.status, summary.failed, summary.source.done], ['ok', 0, 5]);
  });
});
