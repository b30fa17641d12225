/**
 * The coordinator's counts of the work it handed to workers, the `workers` section of the run's
 * summary: tasks sent, tasks sent again after Redis restarted, results dropped as duplicates, and
 * what the workers' LLM steps used (requests, tokens, cost), summed from their results.
 * @module
 */
import type { UsageSnapshot } from '../llm/usage.ts';

/** A worker's LLM usage since its last result: the counters of `UsageSnapshot` that add up. */
export type UsageDelta = Omit<UsageSnapshot, 'priced'> & { priced: boolean };

const SUMMED = [
  'calls',
  'requests',
  'responses',
  'retries',
  'rateLimited',
  'errors',
  'cacheHits',
  'promptTokens',
  'cachedPromptTokens',
  'completionTokens',
  'totalTokens',
  'costUsd',
] as const;

/** What `now` adds to `before`, per LLM (only the LLMs whose counters moved). */
export function usageSince(now: Readonly<Record<string, UsageSnapshot>>, before: Readonly<Record<string, UsageSnapshot>>): Record<string, UsageDelta> {
  const delta: Record<string, UsageDelta> = {};
  for (const [name, usage] of Object.entries(now)) {
    const prior = before[name];
    const moved = { ...usage };
    for (const key of SUMMED) moved[key] = usage[key] - (prior?.[key] ?? 0);
    if (SUMMED.some((key) => moved[key] !== 0)) delta[name] = moved;
  }
  return delta;
}

export class WorkerCounts {
  readonly queue: string;
  tasks = 0;
  resent = 0;
  duplicates = 0;
  readonly llm: Record<string, UsageSnapshot> = {};

  constructor(queue: string) {
    this.queue = queue;
  }

  /** Adds a result's usage (a duplicate's too: its requests were paid for). */
  addUsage(delta: Readonly<Record<string, UsageDelta>>): void {
    for (const [name, usage] of Object.entries(delta)) {
      const total = this.llm[name];
      if (!total) {
        this.llm[name] = { ...usage };
        continue;
      }
      for (const key of SUMMED) total[key] += usage[key];
      total.priced &&= usage.priced;
    }
  }

  snapshot(): { queue: string; tasks: number; resent: number; duplicates: number; llm: Record<string, UsageSnapshot> } {
    return { queue: this.queue, tasks: this.tasks, resent: this.resent, duplicates: this.duplicates, llm: this.llm };
  }
}
