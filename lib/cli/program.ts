/**
 * The `sluice` command-line program.
 * @module
 */
import { Command, type CommanderError } from 'commander';
import { createRequire } from 'node:module';
import { registerDryRun } from './commands/dry-run.ts';
import { registerGraph } from './commands/graph.ts';
import { registerInspect } from './commands/inspect.ts';
import { registerPush } from './commands/push.ts';
import { registerRun } from './commands/run.ts';
import { registerRuns } from './commands/runs.ts';
import { registerBatches } from './commands/batches.ts';
import { registerView } from './commands/view.ts';
import { registerValidate } from './commands/validate.ts';
import { registerWorker } from './commands/worker.ts';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export function createProgram(setExit: (code: number) => void): Command {
  const program = new Command('sluice')
    .description('Streaming LLM data pipelines: NDJSON in, NDJSON out, every row accounted for.')
    .version(version)
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true)
    .exitOverride((error: CommanderError) => {
      throw error;
    })
    .addHelpText(
      'after',
      `
Examples:
  cat rows.jsonl | sluice run clean.yaml > out.jsonl
  sluice graph clean.yaml --format tree
  sluice <command> --help

Exit codes: 0 ok, 1 run error, 2 usage or definition error, 3 finished with failed rows, 130 interrupted.`,
    );
  registerRun(program, setExit);
  registerDryRun(program, setExit);
  registerValidate(program, setExit);
  registerGraph(program, setExit);
  registerInspect(program, setExit);
  registerPush(program, setExit);
  registerWorker(program, setExit);
  registerRuns(program, setExit);
  registerBatches(program, setExit);
  registerView(program, setExit);
  return program;
}
