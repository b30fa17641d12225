import assert from 'node:assert/strict';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline as streamPipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { take, toArray, firstValueFrom } from 'rxjs';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import type { Row } from '../../lib/core/row.ts';
import { map } from '../../lib/operators/map.ts';
import { scatter } from '../../lib/operators/scatter.ts';
import { toAsyncIterable } from '../../lib/serve/to-async-iterable.ts';
import { toNodeTransform } from '../../lib/serve/to-node-transform.ts';
import { toObservable } from '../../lib/serve/to-observable.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';
import { failedCollector } from '../helpers/failed-collector.ts';

describe('embedding adapters', () => {
  it('toAsyncIterable lets a slow consumer set the pace: the source never reads more than the budget ahead', async () => {
    let pulled = 0;
    function* rows() {
      for (let i = 0; i < 10_000; i++) {
        pulled++;
        yield { i };
      }
    }
    const p = pipeline('pull')
      .from(fromIterable(rows(), { batchSize: 1 }))
      .pipe(map((r) => ({ ...r, twice: r.i * 2 })));
    const budget = 8;
    let consumed = 0;
    let peakAhead = 0;
    const iterable = toAsyncIterable<{ i: number; twice: number }>(p, { budget, failed: failedCollector() });
    for await (const row of iterable) {
      assert.equal(row.twice, row.i * 2);
      consumed++;
      peakAhead = Math.max(peakAhead, pulled - consumed);
      if (consumed % 100 === 0) await new Promise((r) => setTimeout(r, 1)); // a slow consumer
      if (consumed === 500) break;
    }
    assert.equal(consumed, 500);
    // Pulled but not consumed: at most the budget, plus the one record the source holds while it waits.
    assert.ok(peakAhead <= budget + 1, `read ${peakAhead} ahead of the consumer`);
    assert.ok(pulled < 10_000, 'breaking out stopped the source');
  });

  it('toAsyncIterable yields every row and then ends, with a summary', async () => {
    const p = pipeline('all')
      .from(fromIterable([{ a: 1 }, { a: 2 }, { a: 3 }]))
      .pipe(scatter((r) => [r, r]));
    const iterable = toAsyncIterable<{ a: number }>(p, { failed: failedCollector() });
    const out: number[] = [];
    for await (const row of iterable) out.push(row.a);
    assert.deepEqual(out.sort(), [1, 1, 2, 2, 3, 3]);
    const summary = await iterable.summary;
    assert.equal(summary.source.done, 3);
  });

  it('toObservable emits the output rows and stops the run when unsubscribed', async () => {
    let pulled = 0;
    function* rows() {
      for (let i = 0; i < 100_000; i++) {
        pulled++;
        yield { i };
      }
    }
    const p = pipeline('obs')
      .from(fromIterable(rows(), { batchSize: 16 }))
      .pipe(map((r) => ({ n: r.i })));
    const first = await firstValueFrom(toObservable<{ n: number }>(p, { budget: 32, failed: failedCollector() }).pipe(take(5), toArray()));
    assert.deepEqual(
      first.map((r) => r.n),
      [0, 1, 2, 3, 4],
    );
    // Turns of the event loop, not time: a run still going would pull on every turn, however slow the machine.
    const atUnsubscribe = pulled;
    for (let turn = 0; turn < 200; turn++) await new Promise((r) => setImmediate(r));
    assert.ok(pulled < 1000, `pulled ${pulled} after unsubscribing`);
    assert.ok(pulled - atUnsubscribe <= 64, `pulled ${pulled - atUnsubscribe} more rows after unsubscribing`);
  });

  it('toNodeTransform works in a Node stream pipeline, NDJSON in and out, bad lines to the failed sink', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-transform-'));
    await writeFile(join(dir, 'in.jsonl'), '{"text":"a"}\nnot json\n{"text":"b"}\n');
    const failed = failedCollector();
    const p = pipeline('t').pipe(map((r: Row) => ({ ...r, upper: String(r.text).toUpperCase() })));
    await streamPipeline(createReadStream(join(dir, 'in.jsonl')), toNodeTransform(p, { ndjson: true, failed }), createWriteStream(join(dir, 'out.jsonl')));
    assert.equal(await readFile(join(dir, 'out.jsonl'), 'utf8'), '{"text":"a","upper":"A"}\n{"text":"b","upper":"B"}\n');
    assert.deepEqual(
      failed.rows.map((f) => [f.id, (f.error as { code: string }).code]),
      [['stream:2', 'SLUICE_INPUT_INVALID_JSON']],
    );
  });

  it('toNodeTransform in object mode applies backpressure to the writer', async () => {
    const p = pipeline('objects').pipe(map((r: Row) => ({ n: Number(r.n) + 1 })));
    let produced = 0;
    const input = Readable.from(
      (function* () {
        for (let n = 0; n < 5000; n++) {
          produced++;
          yield { n };
        }
      })(),
    );
    const transform = toNodeTransform(p, { budget: 16, failed: failedCollector() });
    const results: number[] = [];
    input.pipe(transform);
    for await (const row of transform) {
      results.push((row as { n: number }).n);
      if (results.length === 100) {
        await new Promise((r) => setTimeout(r, 50));
        // Paused consumer: the producer is held back by stream buffers plus the budget, not the whole input.
        assert.ok(produced < 1000, `produced ${produced} while the consumer paused`);
      }
    }
    assert.equal(results.length, 5000);
    assert.equal(
      results.reduce((a, b) => a + b, 0),
      (5000 * 5001) / 2,
    );
  });
});
