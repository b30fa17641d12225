/**
 * A clock that moves only when told to, firing due timers in order: for rate, retry and timeout
 * logic tested without waiting on real time.
 */
import type { Clock } from '../../lib/llm/rate-limiter.ts';

export interface ManualClock extends Clock {
  /** Moves time by `ms`, firing due timers in order, then lets resolved promises run. */
  advance(ms: number): Promise<void>;
  /** Timers still pending. */
  timers(): number;
}

export function manualClock(start = 0): ManualClock {
  let now = start;
  let nextId = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  return {
    now: () => now,
    setTimeout(callback, ms) {
      timers.set(++nextId, { at: now + ms, callback });
      return nextId;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    async advance(ms) {
      const target = now + ms;
      for (;;) {
        let due: [number, { at: number; callback: () => void }] | undefined;
        for (const entry of timers) if (entry[1].at <= target && (!due || entry[1].at < due[1].at)) due = entry;
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].callback();
      }
      now = target;
      await settle();
    },
    timers: () => timers.size,
  };
}

/** Lets resolved promises run their callbacks. */
export const settle = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));
