/**
 * Keeps a step built from a raw RxJS operator from losing rows. Such an operator sees envelopes but
 * may not know that each must end somewhere: emitted, failed or dropped. The guard counts, per
 * permit, the rows that went in and have not come out; when the operator completes, a row it
 * swallowed becomes a failed row (`SLUICE_ROW_LOST`) instead of a record that is never done.
 * @module
 */
import { Observable, type OperatorFunction } from 'rxjs';
import type { Envelope } from './envelope.ts';
import { RowLostError } from './errors.ts';
import type { Permit } from './permit.ts';
import type { StepContext } from './step.ts';

export function guardPermits(
  ctx: StepContext,
  build: (ctx: StepContext) => OperatorFunction<Envelope<any>, Envelope<any>>,
): OperatorFunction<Envelope<any>, Envelope<any>> {
  const open = new Map<Permit, Envelope<any>[]>();
  const settle = (envelope: Envelope<any>) => {
    const held = open.get(envelope.permit);
    if (!held) return;
    const i = held.indexOf(envelope);
    held.splice(i === -1 ? held.length - 1 : i, 1);
    if (held.length === 0) open.delete(envelope.permit);
  };
  const guarded: StepContext = {
    ...ctx,
    fail(envelope, error, extra) {
      settle(envelope);
      ctx.fail(envelope, error, extra);
    },
    drop(envelope) {
      settle(envelope);
      ctx.drop(envelope);
    },
  };
  const operator = build(guarded);
  return (source) =>
    new Observable<Envelope<any>>(function subscribeGuarded(subscriber) {
      const tracked = new Observable<Envelope<any>>((inner) =>
        source.subscribe({
          next(envelope) {
            const held = open.get(envelope.permit);
            if (held) held.push(envelope);
            else open.set(envelope.permit, [envelope]);
            inner.next(envelope);
          },
          error: (error: unknown) => inner.error(error),
          complete: () => inner.complete(),
        }),
      );
      return operator(tracked).subscribe({
        next(envelope) {
          settle(envelope);
          subscriber.next(envelope);
        },
        error: (error: unknown) => subscriber.error(error),
        complete() {
          for (const held of [...open.values()]) {
            for (const envelope of held) {
              ctx.fail(
                envelope,
                new RowLostError(
                  `Step \`${ctx.step}\` neither passed on, dropped nor failed row \`${envelope.id}\`. An operator that removes rows must call \`ctx.drop(envelope)\` (or \`ctx.fail\`) for each.`,
                ),
              );
            }
          }
          open.clear();
          subscriber.complete();
        },
      });
    });
}
