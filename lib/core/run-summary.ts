/**
 * The summary a run ends with: its status, the source's counts, each step's stats, what was written
 * and failed, and each service's snapshot (LLM usage, the cache).
 * @module
 */
import { describeError } from './errors.ts';
import type { RunControl } from './run-control.ts';
import type { RunCounts } from './run-counts.ts';
import type { StepStats } from './step-stats.ts';
import type { RunStatus, RunSummary } from './summary.ts';
import type { Sink } from './sink.ts';

export interface SummaryParts {
  readonly pipeline: string;
  readonly source: string;
  readonly startedAt: Date;
  readonly counts: RunCounts;
  readonly stats: ReadonlyMap<string, StepStats>;
  readonly written: Record<string, number>;
  readonly failedSink: Sink;
  readonly control: RunControl;
  readonly services: ReadonlyMap<string, unknown>;
}

export function summarize(parts: SummaryParts): RunSummary {
  const { counts, control } = parts;
  const endedAt = new Date();
  const status: RunStatus = control.fatal ? 'error' : control.interrupted ? 'interrupted' : counts.failed > 0 ? 'failed-rows' : 'ok';
  const steps: RunSummary['steps'] = {};
  for (const [name, s] of parts.stats) steps[name] = { ...s, wallMs: s.firstAt ? Math.max(0, s.lastAt - s.firstAt) : 0 };
  const failedPath = (parts.failedSink as { path?: string }).path;
  const result: RunSummary = {
    pipeline: parts.pipeline,
    status,
    startedAt: parts.startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    wallMs: endedAt.getTime() - parts.startedAt.getTime(),
    source: { name: parts.source, read: counts.read, invalid: counts.invalid, skipped: counts.skipped, done: counts.done },
    steps,
    written: parts.written,
    failed: counts.failed,
    ...(failedPath ? { failedPath } : {}),
    ...(control.fatal ? { error: describeError(control.fatal) } : {}),
  };
  for (const [key, service] of parts.services) {
    const snapshot = (service as { snapshot?: () => unknown }).snapshot;
    if (typeof snapshot === 'function') result[key] = snapshot.call(service);
  }
  return result;
}
