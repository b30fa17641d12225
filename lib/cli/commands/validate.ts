/**
 * `sluice validate <pipeline>`: loads a pipeline and checks it without running it.
 * @module
 */
import type { Command } from 'commander';
import type { Pipeline } from '../../pipeline/pipeline.ts';
import type { AnyStep } from '../../core/step.ts';
import type { Source } from '../../core/source.ts';
import { ExitCode } from '../exit-codes.ts';
import { enterLlmMode } from '../llm-mode.ts';
import { loadPipeline } from '../load-pipeline.ts';
import { sourceFor } from '../resolve-io.ts';
import { addPipelineFlags } from './run.ts';

export interface ValidateFlags {
  input?: string;
  set?: Record<string, string>;
  llm?: string;
}

function countSteps(steps: readonly AnyStep[]): number {
  return steps.reduce((n, step) => n + 1 + Object.values(step.branches ?? {}).reduce((m, branch) => m + countSteps(branch), 0), 0);
}

/** The columns of the first readable row of `source`, or undefined when it has none. */
async function firstRowColumns(source: Source): Promise<string[] | undefined> {
  const reading = new AbortController();
  try {
    for await (const batch of source.read(reading.signal)) {
      for (const item of batch) if (item.ok) return Object.keys(item.row as object);
    }
    return undefined;
  } finally {
    reading.abort();
  }
}

/**
 * Loads (a definition is checked against its schema), then checks that every step's inputs are
 * produced upstream: against the source's declared columns, else the first row of `--input`, else
 * the first row of the pipeline's own source (as `run` would read it).
 */
export async function validateCommand(pipelinePath: string, flags: ValidateFlags): Promise<number> {
  const llmMode = await enterLlmMode(flags.llm);
  try {
    const pipeline: Pipeline<any> = await loadPipeline(pipelinePath, { sets: flags.set ?? {}, llms: 'lazy' });
    let against = 'no declared columns: column checks wait for the first row';
    let columns: string[] | undefined;
    if (pipeline.source?.columns) {
      against = `the columns of source ${pipeline.source.name}`;
    } else if (flags.input !== undefined) {
      columns = await firstRowColumns(sourceFor(flags.input));
      if (columns) against = `the first row of ${flags.input === '-' ? 'stdin' : flags.input}`;
    } else if (pipeline.source && pipeline.source.path !== undefined) {
      columns = await firstRowColumns(pipeline.source);
      if (columns) against = `the first row of ${pipeline.source.path}`;
    }
    pipeline.validate(columns);
    const n = countSteps(pipeline.steps);
    process.stdout.write(`ok: ${n} step${n === 1 ? '' : 's'} (pipeline ${pipeline.name}; checked against ${against})\n`);
    return ExitCode.ok;
  } finally {
    await llmMode.close();
  }
}

export function registerValidate(program: Command, setExit: (code: number) => void): void {
  const command = program
    .command('validate')
    .summary('load a pipeline and check its steps and columns, without running it')
    .description(
      'Load a pipeline (a definition is checked against its schema) and check that every step\'s inputs are produced upstream. Prints "ok: N steps", or the error and exits 2.',
    )
    .argument('<pipeline>', 'a .ts/.js module or a .yaml/.json definition')
    .option('-i, --input <file|->', 'check columns against the first row of this input (when the source declares none)');
  addPipelineFlags(command)
    .addHelpText(
      'after',
      `
Examples:
  sluice validate clean.yaml
  sluice validate qa.yaml -i topics.jsonl --set answer.params.temperature=0.2

Exit codes: 0 valid, 2 invalid (the error says what to fix).`,
    )
    .action(async (pipelinePath: string, flags: ValidateFlags) => {
      setExit(await validateCommand(pipelinePath, flags));
    });
}
