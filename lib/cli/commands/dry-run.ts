/**
 * `sluice dry-run <pipeline>`: sends the first record of the source through every step and prints
 * the rows each step put out. For checking a pipeline by eye; not a filter.
 * @module
 */
import type { Command } from 'commander';
import { tap } from 'rxjs';
import type { Pipeline } from '../../pipeline/pipeline.ts';
import { startRun } from '../../core/run.ts';
import type { RunOptions } from '../../core/run-options.ts';
import { standardRunServices } from '../../pipeline/standard-run-services.ts';
import type { AnyStep, StepContext } from '../../core/step.ts';
import type { RunSummary } from '../../core/summary.ts';
import type { FailedRow } from '../../core/failed-row.ts';
import { toMemory } from '../../sinks/memory.ts';
import type { Source } from '../../core/source.ts';
import { ExitCode } from '../exit-codes.ts';
import { enterLlmMode } from '../llm-mode.ts';
import { loadPipeline } from '../load-pipeline.ts';
import { sourceFor } from '../resolve-io.ts';
import { addPipelineFlags } from './run.ts';
import { consoleToStderr } from '../console-to-stderr.ts';

export interface DryRunFlags {
  input?: string;
  json?: boolean;
  set?: Record<string, string>;
  llm?: string;
  cache?: boolean;
  cacheDir?: string;
}

interface StepRecord {
  readonly step: string;
  readonly kind: string;
  /** Rows the step put out, as JSON text taken when they left it (later steps may change them). */
  readonly rows: string[];
}

/** Reads records up to and including the first readable one, then stops the source. */
function firstRecord(source: Source<any>, seen: string[]): Source<any> {
  return {
    name: source.name,
    ...(source.columns ? { columns: source.columns } : {}),
    ...(source.positions ? { positions: source.positions } : {}),
    async *read(signal) {
      for await (const batch of source.read(signal)) {
        const first = batch.findIndex((item) => item.ok);
        if (first === -1) {
          yield batch;
          continue;
        }
        const item = batch[first]!;
        if (item.ok) seen.push(JSON.stringify(item.row));
        yield batch.slice(0, first + 1);
        return;
      }
    },
  };
}

/**
 * Wraps a step so the rows leaving it are recorded, its branches' steps too: the wrapper hands the
 * step a context whose `compile` wraps the branch steps it compiles.
 */
function recorded(step: AnyStep, records: Map<string, StepRecord>): AnyStep {
  return {
    ...step,
    operator(ctx: StepContext) {
      const inner: StepContext = {
        ...ctx,
        compile: (steps, prefix) =>
          ctx.compile(
            steps.map((s) => recorded(s, records)),
            prefix,
          ),
      };
      const operator = step.operator(inner);
      // Registered after the step's own operator is made, so a step's branches come before it.
      const record: StepRecord = { step: ctx.step, kind: step.kind, rows: [] };
      records.set(ctx.step, record);
      return (input) => operator(input).pipe(tap((envelope) => record.rows.push(JSON.stringify(envelope.row))));
    },
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export async function dryRunCommand(pipelinePath: string, flags: DryRunFlags): Promise<number> {
  const llmMode = await enterLlmMode(flags.llm);
  // stdout carries the rows after each step: user code's console output goes to stderr.
  const restoreConsole = consoleToStderr();
  try {
    return await dryRun(await loadPipeline(pipelinePath, { sets: flags.set ?? {} }), flags);
  } finally {
    restoreConsole();
    await llmMode.close();
  }
}

async function dryRun(pipeline: Pipeline<any>, flags: DryRunFlags): Promise<number> {
  const source = flags.input !== undefined ? sourceFor(flags.input) : (pipeline.source ?? sourceFor('-'));
  const input: string[] = [];
  const records = new Map<string, StepRecord>();
  const out = toMemory('dry-run');
  const failedSink = toMemory('failed');
  const cache = flags.cache === false ? false : flags.cacheDir;
  const options: RunOptions = {
    source: firstRecord(source, input),
    sink: out,
    failed: failedSink,
    ...(cache !== undefined ? { cache } : {}),
  };
  const summary: RunSummary = await startRun(
    {
      name: pipeline.name,
      steps: pipeline.steps.map((step) => recorded(step, records)),
      source: pipeline.source,
      sink: undefined,
      failed: undefined,
      defaults: pipeline.defaults,
      defaultFailedSink: () => failedSink,
    },
    options,
    { plugins: standardRunServices },
  ).summary;

  const failed = failedSink.rows as unknown as FailedRow[];
  const failuresOf = (step: string) => failed.filter((f) => f.step === step).map((f) => ({ code: f.error.code, message: f.error.message }));
  if (flags.json) {
    const lines = [
      { source: source.name, rows: input.map((r) => JSON.parse(r) as unknown), failed: failuresOf('source') },
      ...[...records.values()].map((r) => ({
        step: r.step,
        kind: r.kind,
        rows: r.rows.map((row) => JSON.parse(row) as unknown),
        filtered: summary.steps[r.step]?.filtered ?? 0,
        failed: failuresOf(r.step),
      })),
      { written: out.leaves },
    ];
    process.stdout.write(lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
  } else {
    const text: string[] = [`sluice dry-run: ${pipeline.name}, the first record of ${source.name}`];
    const block = (header: string, rows: readonly string[], failures: ReadonlyArray<{ code: string; message: string }>) => {
      text.push(`── ${header}`, ...rows, ...failures.map((f) => `✗ ${f.code}: ${f.message}`));
    };
    block(`source ${source.name}: ${plural(input.length, 'record')}`, input, failuresOf('source'));
    for (const r of records.values()) {
      const stats = summary.steps[r.step];
      const extra = [...(stats && stats.filtered > 0 ? [`${stats.filtered} filtered`] : []), ...(stats && stats.failed > 0 ? [`${stats.failed} failed`] : [])];
      block(`${r.step === r.kind ? r.step : `${r.step} (${r.kind})`}: ${[plural(r.rows.length, 'row'), ...extra].join(', ')}`, r.rows, failuresOf(r.step));
    }
    const leaves = Object.entries(out.leaves);
    if (leaves.length === 0) text.push('── written: nothing');
    for (const [leaf, rows] of leaves)
      block(
        `written to ${leaf}: ${plural(rows.length, 'row')}`,
        rows.map((row) => JSON.stringify(row)),
        failuresOf('sink'),
      );
    process.stdout.write(`${text.join('\n')}\n`);
  }
  return summary.failed > 0 ? ExitCode.failedRows : ExitCode.ok;
}

export function registerDryRun(program: Command, setExit: (code: number) => void): void {
  const command = program
    .command('dry-run')
    .summary('send one record through every step and print the rows after each step')
    .description(
      'Send the first record of the source through every step and print the rows each step puts out, then what would be written. LLM steps do call the LLM (use --llm simulated for the simulator) and use the request cache as a run would; no output or failed-rows file is written.',
    )
    .argument('<pipeline>', 'a .ts/.js module or a .yaml/.json definition')
    .option('-i, --input <file|->', "input: an NDJSON file, a .json array file, or - for stdin (default: the pipeline's source, else stdin)")
    .option('--json', 'print NDJSON: one {source, rows} line, one {step, kind, rows, filtered, failed} line per step, and {written}')
    .option('--no-cache', 'do not read or write the request cache')
    .option('--cache-dir <dir>', 'request cache folder (default: $SLUICE_CACHE_DIR, else .sluice/cache)');
  addPipelineFlags(command)
    .addHelpText(
      'after',
      `
Examples:
  head -1 rows.jsonl | sluice dry-run clean.yaml
  sluice dry-run qa.yaml -i topics.jsonl --llm simulated --json

Exit codes: 0 ok, 1 run error, 2 usage error, 3 the record failed in some step.`,
    )
    .action(async (pipelinePath: string, flags: DryRunFlags) => {
      setExit(await dryRunCommand(pipelinePath, flags));
    });
}
