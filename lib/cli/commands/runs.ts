/**
 * `sluice runs`: the project's runs with a run directory, newest first (see run-store.ts).
 * @module
 */
import type { Command } from 'commander';
import { ExitCode } from '../exit-codes.ts';
import { textTable } from '../text-table.ts';
import { readRuns } from '../run-store.ts';

export interface RunsFlags {
  pipeline?: string;
  json?: boolean;
}

export async function runsCommand(flags: RunsFlags): Promise<number> {
  const runs = (await readRuns()).filter((run) => flags.pipeline === undefined || run.pipeline === flags.pipeline);
  if (flags.json) {
    for (const run of runs) process.stdout.write(`${JSON.stringify(run)}\n`);
    return ExitCode.ok;
  }
  if (runs.length === 0) {
    process.stderr.write(
      `sluice: no runs recorded${flags.pipeline ? ` for pipeline \`${flags.pipeline}\`` : ''} here: runs with --run-dir are recorded in .sluice/runs/index.jsonl\n`,
    );
    return ExitCode.ok;
  }
  const rows = runs.map((run) => [
    run.startedAt.replace('T', ' ').slice(0, 19),
    run.status,
    run.pipeline,
    String(run.written),
    String(run.failed),
    `$${run.costUsd.toFixed(4)}`,
    `${((Date.parse(run.endedAt) - Date.parse(run.startedAt)) / 1000).toFixed(1)} s`,
    run.runDir,
  ]);
  process.stdout.write(textTable(['started', 'status', 'pipeline', 'written', 'failed', 'cost', 'took', 'run dir'], rows));
  return ExitCode.ok;
}

export function registerRuns(program: Command, setExit: (code: number) => void): void {
  program
    .command('runs')
    .summary('list the runs recorded in this project, newest first')
    .description(
      'List the runs made here with --run-dir (recorded in .sluice/runs/index.jsonl): when, status, pipeline, rows, failed rows, LLM cost, time, and the run directory to `sluice inspect`.',
    )
    .option('--pipeline <name>', 'only the runs of this pipeline')
    .option('--json', 'one JSON object per run on stdout')
    .addHelpText(
      'after',
      `
Examples:
  sluice runs
  sluice runs --pipeline qa-pairs --json | head -1

Exit codes: 0 ok, 2 usage error.`,
    )
    .action(async (flags: RunsFlags) => {
      setExit(await runsCommand(flags));
    });
}
