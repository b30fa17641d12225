/**
 * The run's counters over time, appended to `<run-dir>/metrics.jsonl` every few seconds (and once
 * at the end): records read and done, failed rows, rows per step, and per LLM its requests, 429s,
 * tokens, cost, and the latency percentiles of the answers in the interval. The viewer draws its
 * charts from it; it is a few hundred bytes a line.
 * @module
 */
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SluiceEvent } from '../core/events.ts';
import type { RunHandle } from '../core/run-options.ts';
import type { UsageSnapshot } from '../llm/usage.ts';

type UsageLike = Pick<UsageSnapshot, 'requests' | 'rateLimited' | 'cacheHits' | 'promptTokens' | 'completionTokens' | 'costUsd'>;

export interface MetricsLog {
  /** Pass as the run's `onEvent`: the LLMs' answer times come from the events, which are built only while listened to from the start. */
  readonly onEvent: (event: SluiceEvent) => void;
  /** Starts writing a line every `everyMs`; the returned function writes the last line and stops. */
  start(handle: RunHandle, everyMs?: number): () => Promise<void>;
}

export function metricsLog(runDir: string): MetricsLog {
  const path = join(runDir, 'metrics.jsonl');
  // Answer times of the interval, per LLM: the percentiles of each line.
  let latencies = new Map<string, number[]>();
  const onEvent = (event: SluiceEvent) => {
    if (event.type !== 'llm' || event.event !== 'response') return;
    const ms = (event.detail as { durationMs?: number } | undefined)?.durationMs;
    if (typeof ms !== 'number') return;
    let list = latencies.get(event.llm);
    if (!list) latencies.set(event.llm, (list = []));
    list.push(ms);
  };
  return { onEvent, start: (handle, everyMs = 2_000) => logging(handle, everyMs) };

  function logging(handle: RunHandle, everyMs: number): () => Promise<void> {
    let writing = Promise.resolve();
    let ended = false;
    const write = () => {
      const live = handle.live;
      // Only once the run directory is open (a run that starts over empties it first): the first record read says so.
      if (!ended && live.source().read + live.source().skipped === 0) return;
      const registry = live.services.get('llm') as { snapshot?: () => Record<string, UsageLike> } | undefined;
      const interval = latencies;
      latencies = new Map();
      const llm: Record<string, unknown> = {};
      for (const [name, u] of Object.entries(registry?.snapshot?.() ?? {})) {
        const times = (interval.get(name) ?? []).sort((a, b) => a - b);
        llm[name] = {
          requests: u.requests,
          rateLimited: u.rateLimited,
          cacheHits: u.cacheHits,
          promptTokens: u.promptTokens,
          completionTokens: u.completionTokens,
          costUsd: u.costUsd,
          ...(times.length > 0 ? { p50: percentile(times, 0.5), p90: percentile(times, 0.9), p99: percentile(times, 0.99) } : {}),
        };
      }
      const steps: Record<string, { in: number; out: number; filtered: number; failed: number }> = {};
      for (const [name, s] of live.steps) steps[name] = { in: s.in, out: s.out, filtered: s.filtered, failed: s.failed };
      const line = { at: Date.now(), source: live.source(), failed: live.failed(), steps, llm };
      writing = writing.then(() => appendFile(path, `${JSON.stringify(line)}\n`)).catch(() => {});
    };
    const timer = setInterval(write, everyMs);
    timer.unref();
    return async () => {
      clearInterval(timer);
      ended = true;
      write();
      await writing;
    };
  }
}

function percentile(sorted: readonly number[], q: number): number {
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
}
