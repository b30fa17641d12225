import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Observable } from 'rxjs';
import { defineStep } from '../../lib/core/define-step.ts';
import type { Envelope } from '../../lib/core/envelope.ts';
import { RowAbandonedError } from '../../lib/core/errors.ts';
import { startRun } from '../../lib/core/run.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';
import { failedCollector } from '../helpers/failed-collector.ts';

describe('a run that delivers rows to its caller (deliver), stopped', () => {
  it('ends once every record is done or cut short by the stop, not waiting for rows that will never come', async () => {
    // Passes the first row on; holds the others until the stop, then leaves them not done.
    const holdUntilStop = defineStep({
      kind: 'hold',
      ownsPermits: true,
      operator: (ctx) => (input: Observable<Envelope>) =>
        new Observable<Envelope>((subscriber) => {
          let first = true;
          const held: Envelope[] = [];
          ctx.stopping?.addEventListener('abort', () => {
            for (const envelope of held) ctx.fail(envelope, new RowAbandonedError('stopped before it was done'));
            subscriber.complete();
          });
          return input.subscribe((envelope) => {
            if (first) subscriber.next(envelope);
            else if (held.push(envelope) === 2) queueMicrotask(() => handle.stop('enough'));
            first = false;
          });
        }),
    });
    const delivered: Envelope[] = [];
    let handle: ReturnType<typeof startRun>;
    const runnable = pipeline('held')
      .from(fromIterable([{ n: 1 }, { n: 2 }, { n: 3 }]))
      .pipe(holdUntilStop);
    handle = startRun(
      runnable,
      { failed: failedCollector(), cache: false },
      {
        deliver(envelope) {
          delivered.push(envelope);
          envelope.permit.release();
        },
      },
    );
    const summary = await handle.summary;
    assert.equal(delivered.length, 1);
    assert.deepEqual([summary.source.read, summary.source.done], [3, 1]);
    assert.equal(summary.status, 'interrupted');
  });
});
