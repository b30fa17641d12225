/**
 * The `sluice` command-line program.
 * @module
 */
import { Command, CommanderError } from 'commander';
import { createRequire } from 'node:module';
import { registerRun } from './commands/run.ts';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export function createProgram(setExit: (code: number) => void): Command {
  const program = new Command('sluice')
    .description('Streaming LLM data pipelines: NDJSON in, NDJSON out, every row accounted for.')
    .version(version)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride((error: CommanderError) => {
      throw error;
    });
  registerRun(program, setExit);
  return program;
}
