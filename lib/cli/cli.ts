/**
 * The `sluice` command, once `main.ts` has checked the Node version: parses the command line, runs
 * the command, and maps errors to exit codes (see exit-codes.ts).
 * @module
 */
import { CommanderError } from 'commander';
import { SluiceConfigError, SluiceError } from '../core/errors.ts';
import { ExitCode } from './exit-codes.ts';
import { createProgram } from './program.ts';
import { replayArgs } from './replay-args.ts';

/** Errors that mean "fix the command or the definition", not "the run broke": exit 2. */
const USAGE_CODES = new Set(['SLUICE_CONFIG', 'SLUICE_MISSING_COLUMNS', 'SLUICE_LLM_NOT_CONFIGURED', 'SLUICE_INPUT_NOT_FOUND']);

/** An error from the OS (`ENOENT`, `EACCES`…), as Node raises them for file operations. */
function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

// A reader that went away (`sluice run --help | head`) is not an error of ours: rows going to
// stdout see the EPIPE through their sink's callbacks; anything else written there is dropped.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

async function main(argv: string[]): Promise<number> {
  let code: number = ExitCode.ok;
  const program = createProgram((c) => {
    code = c;
  });
  try {
    const replay = replayArgs(argv);
    if (replay) {
      process.stderr.write(`${replay.note}\n`);
      process.chdir(replay.cwd);
    }
    await program.parseAsync(replay?.argv ?? argv);
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (error instanceof SluiceConfigError || USAGE_CODES.has(String((error as { code?: unknown }).code))) {
      process.stderr.write(`sluice: ${(error as Error).message}\n`);
      return ExitCode.usage;
    }
    if (SluiceError.is(error)) {
      process.stderr.write(`sluice: ${error.code}: ${error.message}\n`);
      return ExitCode.runError;
    }
    if (isSystemError(error)) {
      // A file or folder that cannot be opened or written: the message names the path and the cause.
      process.stderr.write(`sluice: ${error.message}\n`);
      return ExitCode.runError;
    }
    process.stderr.write(`sluice: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    return ExitCode.runError;
  }
}

const exitCode = await main(process.argv);
// Exit by letting the loop empty, so stdout drains; if a stray handle keeps it alive, exit anyway.
process.exitCode = exitCode;
setTimeout(() => process.exit(exitCode), 200).unref();
