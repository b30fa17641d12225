/**
 * Console output of `quiet` steps, sent to the run directory instead of the terminal. The console
 * methods are patched only while a run with quiet steps is going; an AsyncLocalStorage says, for
 * each call, whether it comes from a quiet step's work (its awaits included) and where it goes.
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { format } from 'node:util';

/** Where a quiet step's console line goes: its level (`log`, `warn`…) and its text. */
export type ConsoleSink = (level: string, text: string) => void;

const METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;
type Method = (typeof METHODS)[number];

const current = new AsyncLocalStorage<ConsoleSink | undefined>();
let holders = 0;
let originals: Record<Method, (...args: unknown[]) => void> | undefined;

export const consoleCapture = {
  /** Patches the console (once for all runs that hold it); call the returned function when the run ends. */
  hold(): () => void {
    if (holders++ === 0) {
      originals = Object.fromEntries(METHODS.map((m) => [m, console[m]])) as Record<Method, (...args: unknown[]) => void>;
      for (const method of METHODS) {
        const original = originals[method];
        console[method] = (...args: unknown[]) => {
          const sink = current.getStore();
          if (sink) sink(method, format(...args));
          else original.apply(console, args);
        };
      }
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--holders === 0 && originals) {
        for (const method of METHODS) console[method] = originals[method];
        originals = undefined;
      }
    };
  },
  /** Runs `fn` (and everything it starts) with its console output going to `sink`. */
  within<T>(sink: ConsoleSink, fn: () => T): T {
    return current.run(sink, fn);
  },
  /** Runs `fn` with its console output going to the terminal again (the steps after a quiet one). */
  outside<T>(fn: () => T): T {
    return current.run(undefined, fn);
  },
};
