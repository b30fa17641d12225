/**
 * `sluice run <run-dir>`: the command line a run directory recorded, to run again exactly: the same
 * pipeline (its `pipeline.yaml` when the run kept one), parameters (`--set`), input, output and run
 * directory, from the working directory it ran in.
 * @module
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SluiceConfigError } from '../core/errors.ts';

/**
 * When `argv` is `… run <dir> [flags]` and `<dir>` is a run directory, the argv to run instead, the
 * folder to run it in, and a line saying so; otherwise undefined. Flags given after `<dir>` are kept,
 * after the recorded ones, so they win (`sluice run runs/qa --limit 10`).
 */
export function replayArgs(argv: readonly string[]): { argv: string[]; cwd: string; note: string } | undefined {
  const at = argv.indexOf('run');
  const target = at === -1 ? undefined : argv[at + 1];
  if (target === undefined || !existsSync(join(target, 'run.json')) || !statSync(target).isDirectory()) return undefined;
  const dir = resolve(target);
  let record: { command?: unknown; cwd?: unknown };
  try {
    record = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as typeof record;
  } catch (error) {
    throw new SluiceConfigError(`${join(dir, 'run.json')} is not valid JSON (${(error as Error).message}), so the run cannot be replayed.`);
  }
  const command = record.command;
  if (!Array.isArray(command) || command[1] !== 'run' || typeof command[2] !== 'string') {
    throw new SluiceConfigError(
      `${dir} records no \`sluice run\` command to replay (it was made by a library run). Run the pipeline with --run-dir ${target} instead.`,
    );
  }
  const recorded = command.slice(3).map(String);
  // The definition as it ran (with its --set applied) when the run kept it; a module is loaded again.
  const kept = join(dir, 'pipeline.yaml');
  const pipeline = existsSync(kept) ? kept : command[2];
  const withoutSets = existsSync(kept) ? dropSets(recorded) : recorded;
  const runDir = withoutSets.includes('--run-dir') ? [] : ['--run-dir', dir];
  const cwd = typeof record.cwd === 'string' ? record.cwd : process.cwd();
  const next = [...argv.slice(0, at + 1), pipeline, ...withoutSets, ...runDir, ...argv.slice(at + 2)];
  return { argv: next, cwd, note: `sluice: replaying ${['sluice', 'run', pipeline, ...withoutSets, ...runDir].join(' ')} (in ${cwd})` };
}

/** The recorded flags without `--set`: `pipeline.yaml` already holds their values. */
function dropSets(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--set') i++;
    else if (!args[i]!.startsWith('--set=')) out.push(args[i]!);
  }
  return out;
}
