/**
 * Runs the `sluice` CLI from source in a child process (real process, real pipes, real signals).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const cliMain = fileURLToPath(new URL('../../lib/cli/main.ts', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the CLI; returns the child and a promise of its result. */
export function startCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): { child: ChildProcess; result: Promise<CliResult> } {
  const child = spawn(process.execPath, ['--conditions=sluice-source', cliMain, ...args], {
    cwd: options.cwd ?? repoRoot,
    // A fresh request cache per child unless a test names one: runs must not answer each other.
    env: { ...process.env, SLUICE_CACHE_DIR: mkdtempSync(join(tmpdir(), 'sluice-cache-')), ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const result = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, result };
}

/** Runs the CLI to the end with `input` on stdin. */
export async function runCli(args: readonly string[], input = '', options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const { child, result } = startCli(args, options);
  child.stdin!.end(input);
  return result;
}
