/**
 * The context each step's operator gets for a run: its stats, the run's signals and services, and
 * the failure policy (`fail`, `drop`), applied the same way for every step.
 * @module
 */
import type { Context } from '@opentelemetry/api';
import type { Subject } from 'rxjs';
import { describeError, FailurePolicyError, isAbandoning, isRunFatal } from './errors.ts';
import type { SluiceEvent } from './events.ts';
import { loseCopy } from './fan.ts';
import type { FailedRowWriter } from './failed-row-writer.ts';
import type { RunControl } from './run-control.ts';
import { newStepStats, type StepStats } from './step-stats.ts';
import type { AnyStep, ErrorPolicy, StepContext } from './step.ts';

export interface RunScope {
  readonly control: RunControl;
  readonly events: Subject<SluiceEvent>;
  readonly services: Map<string, unknown>;
  readonly failed: FailedRowWriter;
  readonly stats: Map<string, StepStats>;
  readonly defaultPolicy: ErrorPolicy;
  readonly compile: StepContext['compile'];
  /** The run directory, once it is open. */
  readonly runDir?: () => string | undefined;
  /** Starts a step's span, and gives its context. */
  readonly telemetry?: { step(name: string, kind: string): Context };
}

export function stepContext(scope: RunScope, step: AnyStep, name: string): StepContext {
  const { control, events } = scope;
  const stats = newStepStats();
  scope.stats.set(name, stats);
  const policy = step.onError ?? scope.defaultPolicy;
  return {
    step: name,
    stats,
    signal: control.hard.signal,
    stopping: control.stopping.signal,
    events,
    services: scope.services,
    telemetry: scope.telemetry?.step(name, step.kind),
    get runDir() {
      return scope.runDir?.();
    },
    fail(envelope, error, extra) {
      if (isAbandoning(error)) {
        // Cut short, not judged: the run is stopping, or no row would fare better (the LLM refuses
        // the key, its server is gone). The row stays not done, so that a resume redoes it.
        stats.abandoned = (stats.abandoned ?? 0) + 1;
        loseCopy(envelope.fans);
        envelope.permit.abandon();
        if (isRunFatal(error)) control.stop('fatal error', error as Error);
        return;
      }
      stats.failed++;
      const described = describeError(error);
      if (events.observed) events.next({ type: 'row-failed', step: name, id: envelope.id, code: described.code });
      loseCopy(envelope.fans);
      scope.failed.write(
        {
          id: envelope.id,
          step: name,
          error: described,
          ...(extra?.attempts !== undefined ? { attempts: extra.attempts } : {}),
          ...(extra?.raw !== undefined ? { raw: extra.raw } : {}),
          row: envelope.row,
          at: new Date().toISOString(),
        },
        envelope.permit,
        envelope.lineage,
      );
      if (policy === 'fail') {
        control.stop(
          'row failed',
          new FailurePolicyError(
            `Step \`${name}\` failed on row \`${envelope.id}\` (${described.code}: ${described.message}) and its policy is \`fail\`. ` +
              "Use `onError: 'skip'` to record such rows and go on.",
          ),
        );
      }
    },
    drop(envelope) {
      stats.filtered++;
      loseCopy(envelope.fans);
      envelope.permit.release();
    },
    compile: scope.compile,
  };
}
