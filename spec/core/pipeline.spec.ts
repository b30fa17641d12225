import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FailurePolicyError, MissingColumnsError } from '../../lib/core/errors.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import { filter } from '../../lib/operators/filter.ts';
import { map } from '../../lib/operators/map.ts';
import { scatter } from '../../lib/operators/scatter.ts';
import { toMemory } from '../../lib/sinks/memory.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';
import type { Row } from '../../lib/core/row.ts';
import { failedCollector } from '../helpers/failed-collector.ts';

function assertBalanced(steps: Record<string, { in: number; out: number; filtered: number; failed: number }>) {
  for (const [name, s] of Object.entries(steps)) {
    assert.equal(s.in, s.out + s.filtered + s.failed, `step ${name}: in ${s.in} != out ${s.out} + filtered ${s.filtered} + failed ${s.failed}`);
  }
}

describe('pipeline', () => {
  it('runs map, filter and scatter and accounts for every row at every step', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => ({ n: i, tags: i % 10 === 0 ? [] : ['a', 'b'] }));
    const out = toMemory();
    const failed = failedCollector();
    const summary = await pipeline('p')
      .from(fromIterable(rows))
      .pipe(
        map((row) => ({ ...row, double: row.n * 2 })),
        filter((row) => row.n % 3 !== 0),
        scatter('tags', { as: 'tag' }),
      )
      .to(out)
      .failedTo(failed)
      .run();
    // 100 rows; 34 multiples of 3 filtered; of the 66 left, those with n % 10 == 0 have no tags.
    const kept = rows.filter((r) => r.n % 3 !== 0);
    const empty = kept.filter((r) => r.tags.length === 0).length;
    assert.equal(summary.steps.map!.in, 100);
    assert.equal(summary.steps.filter!.filtered, 34);
    assert.equal(summary.steps.scatter!.in, 66);
    assert.equal(summary.steps.scatter!.filtered, empty);
    assert.equal(out.rows.length, (66 - empty) * 2);
    assert.equal(summary.written.default, out.rows.length);
    assert.equal(summary.source.read, 100);
    assert.equal(summary.source.done, 100);
    assert.equal(summary.status, 'ok');
    assert.deepEqual(out.rows[0], { n: 1, double: 2, tag: 'a' });
    assertBalanced(summary.steps);
  });

  it('turns a throwing step into failed rows and goes on', async () => {
    const out = toMemory();
    const failed = failedCollector();
    const summary = await pipeline('p')
      .from(fromIterable(Array.from({ length: 20 }, (_, i) => ({ n: i }))))
      .pipe(
        map(
          (row) => {
            if (row.n % 5 === 0) throw new Error(`bad ${row.n}`);
            return row;
          },
          { name: 'picky' },
        ),
      )
      .to(out)
      .failedTo(failed)
      .run();
    assert.equal(out.rows.length, 16);
    assert.equal(summary.failed, 4);
    assert.equal(summary.status, 'failed-rows');
    assert.deepEqual(
      failed.rows.map((r) => r.id),
      ['rows:0', 'rows:5', 'rows:10', 'rows:15'],
    );
    assert.deepEqual(failed.rows[1], { ...failed.rows[1], step: 'picky', error: { code: 'Error', message: 'bad 5' }, row: { n: 5 } });
    assertBalanced(summary.steps);
  });

  it('stops after draining when a step with onError fail meets a bad row', async () => {
    const out = toMemory();
    const failed = failedCollector();
    const run = pipeline('p')
      .from(fromIterable(Array.from({ length: 10_000 }, (_, i) => ({ n: i }))))
      .pipe(
        map(
          (row) => {
            if (row.n === 50) throw new Error('boom');
            return row;
          },
          { onError: 'fail' },
        ),
      )
      .to(out)
      .failedTo(failed)
      .run({ budget: 16 });
    await assert.rejects(run, (error: unknown) => {
      assert.ok(error instanceof FailurePolicyError);
      const summary = (error as FailurePolicyError & { summary: { source: { read: number; done: number }; failed: number } }).summary;
      // Everything pulled was finished: written or failed. Reading stopped within one budget of the failure.
      assert.equal(summary.source.read, summary.source.done);
      assert.equal(out.rows.length + summary.failed, summary.source.read);
      assert.ok(summary.source.read < 50 + 16 + 2, `read ${summary.source.read}`);
      return true;
    });
  });

  it('stops when failures exceed maxFailureRate', async () => {
    const failed = failedCollector();
    await assert.rejects(
      pipeline('p')
        .from(fromIterable(Array.from({ length: 1000 }, (_, i) => ({ n: i }))))
        .pipe(
          map((row) => {
            if (row.n % 2 === 0) throw new Error('even');
            return row;
          }),
        )
        .to(toMemory())
        .failedTo(failed)
        .run({ maxFailureRate: 0.1, minRecords: 50, budget: 8 }),
      (error: unknown) => error instanceof FailurePolicyError && /over the allowed rate of 0.1/.test(error.message),
    );
  });

  it('names the step, the missing column and the available ones before any row is processed', async () => {
    let calls = 0;
    const needsQuestion = {
      ...map((row: Row) => {
        calls++;
        return row;
      }),
      name: 'answer',
      needs: ['question'],
    };
    const p = pipeline('p')
      .from(fromIterable([{ prompt: 'x', topic: 'y' }]))
      .pipe(needsQuestion)
      .to(toMemory());
    await assert.rejects(p.run({ failed: failedCollector() }), (error: unknown) => {
      assert.ok(error instanceof MissingColumnsError);
      assert.equal(
        error.message,
        "Step `answer` needs column `question`, but upstream produces `prompt`, `topic`. Map it with `inputs: { question: 'prompt' }`, or add a step that produces it.",
      );
      return true;
    });
    assert.equal(calls, 0);
  });
});
