/**
 * A StepContext for operator tests (marble tests and direct subscriptions): it records failed
 * and dropped rows instead of writing them, and counts permit releases.
 */
import { identity, type OperatorFunction, Subject } from 'rxjs';
import type { Envelope } from '../../lib/core/envelope.ts';
import { describeError } from '../../lib/core/errors.ts';
import type { SluiceEvent } from '../../lib/core/events.ts';
import { loseCopy } from '../../lib/core/fan.ts';
import { RecordPermit } from '../../lib/core/permit.ts';
import { newStepStats, type StepStats } from '../../lib/core/step-stats.ts';
import type { AnyStep, StepContext } from '../../lib/core/step.ts';

export interface TestContext extends StepContext {
  readonly failed: Array<{ id: string; step: string; code: string; message: string; row: unknown }>;
  readonly dropped: string[];
  /** Stats of every step compiled through this context, by name. */
  readonly allStats: Map<string, StepStats>;
  /** Ids of records whose permit reached zero. */
  readonly done: string[];
}

export function testContext(step = 'step'): TestContext {
  const failed: TestContext['failed'] = [];
  const dropped: string[] = [];
  const allStats = new Map<string, StepStats>();
  const done: string[] = [];
  const make = (name: string): TestContext => {
    const stats = newStepStats();
    allStats.set(name, stats);
    const ctx: TestContext = {
      step: name,
      stats,
      signal: new AbortController().signal,
      events: new Subject<SluiceEvent>(),
      services: new Map(),
      failed,
      dropped,
      allStats,
      done,
      fail(envelope, error) {
        stats.failed++;
        const { code, message } = describeError(error);
        failed.push({ id: envelope.id, step: name, code, message, row: envelope.row });
        loseCopy(envelope.fans);
        envelope.permit.release();
      },
      drop(envelope) {
        stats.filtered++;
        dropped.push(envelope.id);
        loseCopy(envelope.fans);
        envelope.permit.release();
      },
      compile(steps: readonly AnyStep[], prefix: string): OperatorFunction<Envelope, Envelope> {
        const ops = steps.map((s, i) => s.operator(make(`${prefix}/${s.name}${i ? `-${i}` : ''}`)));
        if (ops.length === 0) return identity;
        return (input) => ops.reduce((stream, op) => stream.pipe(op), input);
      },
    };
    return ctx;
  };
  return make(step);
}

/** Makes a source-record envelope whose permit reports to `ctx.done` when released. */
export function envelopeOf<R>(ctx: TestContext, id: string, row: R): Envelope<R> {
  return { id, row, lineage: [id], permit: new RecordPermit(undefined, () => ctx.done.push(id)), branch: '', fans: [] };
}
