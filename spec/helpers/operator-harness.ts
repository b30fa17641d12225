/**
 * What the operator specs share: run a step (or steps, as a pipeline would) over envelopes and
 * collect what comes out; release the collected rows as a sink would; and check that every source
 * record completed exactly once with `in = out + filtered + failed` at every step.
 */
import assert from 'node:assert/strict';
import { from, type Observable, Subject, take } from 'rxjs';
import type { Envelope } from '../../lib/core/envelope.ts';
import type { RecordPermit } from '../../lib/core/permit.ts';
import type { AnyStep } from '../../lib/core/step.ts';
import type { TestContext } from './test-context.ts';

type Input = Observable<Envelope<any>> | Envelope<any>[];

function drain(stream: Observable<Envelope>): Promise<Envelope[]> {
  const out: Envelope[] = [];
  return new Promise((resolve, reject) => {
    stream.subscribe({ next: (e) => out.push(e), error: reject, complete: () => resolve(out) });
  });
}

/** Runs one step with `ctx` itself as its context. */
export function collectStep(step: AnyStep, ctx: TestContext, input: Input): Promise<Envelope[]> {
  return drain(step.operator(ctx)(Array.isArray(input) ? from(input) : input));
}

/** Runs steps in sequence, as a pipeline would, each with its own context on the shared recorder. */
export function collectSteps(steps: AnyStep[], ctx: TestContext, input: Input): Promise<Envelope[]> {
  return drain(ctx.compile(steps, 'p')(Array.isArray(input) ? from(input) : input));
}

/** Releases every collected row's permit, as a sink does once it has written the row. */
export const releaseAll = (out: Envelope[]): void => {
  for (const envelope of out) envelope.permit.release();
};

export function assertAccounted(ctx: TestContext, sources: Envelope<any>[]): void {
  for (const [name, s] of ctx.allStats) assert.equal(s.in, s.out + s.filtered + s.failed, `in = out + filtered + failed at \`${name}\``);
  assert.deepEqual([...ctx.done].sort(), sources.map((e) => e.id).sort(), 'every record done exactly once');
  for (const e of sources) assert.equal((e.permit as RecordPermit).refs, 0, `permit of ${e.id} released exactly down to 0`);
}

/**
 * Feeds `input` to the steps, unsubscribes at the first row out, and waits until every promise
 * chain started by then has run (one macrotask: no fixed time). Says how many rows came out and
 * whether the steps still listen to their input.
 */
export async function unsubscribeAfterFirst(steps: AnyStep[], ctx: TestContext, input: Envelope<any>[]): Promise<{ emitted: number; inputObserved: boolean }> {
  const source = new Subject<Envelope<any>>();
  let emitted = 0;
  const first = new Promise<void>((resolve, reject) => {
    ctx
      .compile(
        steps,
        'p',
      )(source)
      .pipe(take(1))
      .subscribe({ next: () => emitted++, error: reject, complete: resolve });
  });
  for (const envelope of input) source.next(envelope);
  source.complete();
  await first;
  await new Promise((resolve) => setImmediate(resolve));
  return { emitted, inputObserved: source.observed };
}
