/**
 * While stdout carries NDJSON, a `console.log` in a user's step would put text among the rows and
 * break every reader downstream. The CLI points the global console at stderr for such runs, before
 * the pipeline module loads (its top level may log too).
 * @module
 */
import { Console } from 'node:console';

/** Sends `console.log`, `info`, `debug`, `dir`, `table`… to stderr; returns a function that puts the console back. */
export function consoleToStderr(): () => void {
  const original = globalThis.console;
  globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr });
  return () => {
    globalThis.console = original;
  };
}
