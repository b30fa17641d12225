/**
 * `sluice run <module>`: runs a pipeline module as a Unix filter or over files.
 * @module
 */
import type { Command } from 'commander';
import { SluiceConfigError, SluiceError } from '../../core/errors.ts';
import type { RunSummary } from '../../core/summary.ts';
import { ExitCode } from '../exit-codes.ts';
import { enterLlmMode } from '../llm-mode.ts';
import { loadPipeline } from '../load-pipeline.ts';
import { formatSummary } from '../print-summary.ts';
import { failedPathFor, failedSinkFor, sinkFor, sourceFor } from '../resolve-io.ts';

export interface RunFlags {
  input?: string;
  output?: string;
  failed?: string;
  budget?: number;
  allowFailures?: boolean;
  maxFailureRate?: number;
  failFast?: boolean;
  quiet?: boolean;
  llm?: string;
}

export async function runCommand(modulePath: string, flags: RunFlags): Promise<number> {
  const llmMode = await enterLlmMode(flags.llm);
  try {
    return await runLoaded(modulePath, flags);
  } finally {
    await llmMode.close();
  }
}

async function runLoaded(modulePath: string, flags: RunFlags): Promise<number> {
  const pipeline = await loadPipeline(modulePath);
  const source = flags.input !== undefined ? sourceFor(flags.input) : pipeline.source ?? sourceFor('-');
  const output = flags.output ?? (pipeline.sink ? undefined : '-');
  const sink = output !== undefined ? sinkFor(output) : pipeline.sink;
  const failed = failedSinkFor(flags.failed ?? failedPathFor(output));
  const handle = pipeline.start({
    source,
    ...(sink ? { sink } : {}),
    failed,
    ...(flags.budget !== undefined ? { budget: flags.budget } : {}),
    ...(flags.maxFailureRate !== undefined ? { maxFailureRate: flags.maxFailureRate } : {}),
    ...(flags.failFast ? { onError: 'fail' as const } : {}),
  });

  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write('sluice: interrupted; finishing the rows in flight (Ctrl+C again to quit at once)\n');
      handle.stop('SIGINT');
    } else {
      process.exit(ExitCode.interrupted);
    }
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);

  let summary: RunSummary;
  try {
    summary = await handle.summary;
  } catch (error) {
    const attached = (error as { summary?: RunSummary }).summary;
    if (attached && !flags.quiet) process.stderr.write(formatSummary(attached));
    throw error;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
  if (!flags.quiet) process.stderr.write(formatSummary(summary));
  if (summary.status === 'interrupted') return ExitCode.interrupted;
  if (summary.status === 'failed-rows') {
    return flags.allowFailures || flags.maxFailureRate !== undefined ? ExitCode.ok : ExitCode.failedRows;
  }
  return ExitCode.ok;
}

function parseNumber(flag: string, min: number, max = Number.POSITIVE_INFINITY, integer = false) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      throw new SluiceConfigError(`Expected \`${flag}\` to be ${integer ? 'an integer' : 'a number'} from ${min}${Number.isFinite(max) ? ` to ${max}` : ' and up'}, got \`${value}\``);
    }
    return n;
  };
}

export function registerRun(program: Command, setExit: (code: number) => void): void {
  program
    .command('run')
    .description('Run a pipeline module (its default export). Reads NDJSON from stdin and writes NDJSON to stdout unless told otherwise.')
    .argument('<module>', 'a .ts or .js file whose default export is a pipeline, or a function returning one')
    .option('-i, --input <file|->', 'input: an NDJSON file, a .json array file, or - for stdin (default: the pipeline\'s source, else stdin)')
    .option('-o, --output <file|dir|->', 'output: an NDJSON file, a folder (one <leaf>.jsonl per named output), or - for stdout (default: the pipeline\'s sink, else stdout)')
    .option('--failed <file>', 'where failed rows go (default: <output>.failed.jsonl, <folder>/failed.jsonl, or ./failed.jsonl when writing to stdout; created only if a row fails)')
    .option('--budget <n>', 'most source records in flight at once (default 1024)', parseNumber('--budget', 1, Number.POSITIVE_INFINITY, true))
    .option('--allow-failures', 'exit 0 even if some rows failed (they are still written to the failed file)')
    .option('--max-failure-rate <r>', 'stop the run when more than this share (0..1) of records failed; a finished run then exits 0', parseNumber('--max-failure-rate', 0, 1))
    .option('--fail-fast', 'stop the run at the first failed row (exit 1)')
    .option('--llm <mode>', 'where LLM steps send requests: `env` (OPENAI_BASE_URL / OPENAI_API_KEY, the default) or `simulated` (the built-in loopback simulator; also SLUICE_LLM=simulated)')
    .option('-q, --quiet', 'no summary on stderr')
    .addHelpText('after', `
Examples:
  cat rows.jsonl | sluice run examples/clean.ts > out.jsonl
  sluice run examples/clean.ts -i rows.jsonl -o out.jsonl

Exit codes: 0 ok, 1 run error, 2 usage error, 3 finished with failed rows, 130 interrupted.`)
    .action(async (modulePath: string, flags: RunFlags) => {
      setExit(await runCommand(modulePath, flags));
    });
}

export { SluiceError };
