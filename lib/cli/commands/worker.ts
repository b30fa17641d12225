/**
 * `sluice worker <pipeline> --redis <url>`: serves the row-wise steps of a run started with
 * `sluice run <pipeline> --workers <url>`, on this machine, until stopped.
 * @module
 */
import type { Command } from 'commander';
import { moduleFingerprint } from '../../cache/module-fingerprint.ts';
import { withoutPassword } from '../../core/without-password.ts';
import { ExitCode } from '../exit-codes.ts';
import { numberFlag } from '../flag-parsers.ts';
import { enterLlmMode } from '../llm-mode.ts';
import { loadPipeline } from '../load-pipeline.ts';
import { resolvePipelinePath } from '../pipeline-registry.ts';
import { addPipelineFlags } from './run.ts';

export interface WorkerFlags {
  redis: string;
  queue?: string;
  set?: Record<string, string>;
  llm?: string;
  budget?: number;
  concurrency?: number;
  /** `--no-cache` sets it to false. */
  cache?: boolean;
  cacheDir?: string;
  claimIdle?: number;
  maxDeliveries?: number;
  grace?: number;
  quiet?: boolean;
}

export async function workerCommand(pipelineArg: string, flags: WorkerFlags): Promise<number> {
  const pipelinePath = resolvePipelinePath(pipelineArg);
  const say = (line: string) => {
    if (!flags.quiet) process.stderr.write(`sluice worker: ${line}\n`);
  };
  // rpm and tpm hold across every worker: their state lives in the same Redis as the work.
  process.env.SLUICE_SHARED_LIMITS ??= flags.redis;
  const llmMode = await enterLlmMode(flags.llm);
  const stop = new AbortController();
  let signals = 0;
  const onSignal = () => {
    signals++;
    if (signals === 1) {
      say('stopping: no new task is taken; the ones held finish, or go to other workers');
      stop.abort();
    } else process.exit(ExitCode.interrupted);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const pipeline = await loadPipeline(pipelinePath, { sets: flags.set ?? {} });
    const { runWorker } = await import('../../workers/run-worker.ts');
    const summary = await runWorker(pipeline, {
      redis: flags.redis,
      ...(flags.queue !== undefined ? { queue: flags.queue } : {}),
      ...(flags.budget !== undefined ? { budget: flags.budget } : {}),
      ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
      ...(flags.claimIdle !== undefined ? { claimIdleMs: flags.claimIdle * 1000 } : {}),
      ...(flags.maxDeliveries !== undefined ? { maxDeliveries: flags.maxDeliveries } : {}),
      ...(flags.grace !== undefined ? { graceMs: flags.grace * 1000 } : {}),
      ...(flags.cache === false ? { cache: false as const } : flags.cacheDir !== undefined ? { cache: flags.cacheDir } : {}),
      ...(/\.[cm]?[jt]s$/.test(pipelinePath) ? { codeFingerprint: await moduleFingerprint(pipelinePath) } : {}),
      signal: stop.signal,
      onWaiting: (queue) => say(`waiting for a run on queue \`${queue}\` at ${withoutPassword(flags.redis)} (sluice run … --workers)`),
      onReady: ({ queue, version, segments }) =>
        say(`serving queue \`${queue}\` (pipeline version ${version}): ${segments.map((steps) => steps.join(' → ')).join('; ')}`),
    });
    for (const [i, run] of summary.runs.entries()) {
      say(`segment ${i}: ${run.source.done} tasks done, ${run.failed} failed rows`);
    }
    return ExitCode.ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await llmMode.close();
  }
}

export function registerWorker(program: Command, setExit: (code: number) => void): void {
  const command = program
    .command('worker')
    .summary('serve the row-wise steps of runs started with --workers, until stopped')
    .description(
      'Take tasks from a run started with `sluice run <pipeline> --workers <redis-url>` and run its row-wise steps (map, filter, scatter, the LLM steps) here. ' +
        'Load the same pipeline as the run (and the same --set flags): a worker of another version is refused before it takes a task. ' +
        'Start as many as you like, on any machines, before or after the run; stop one with Ctrl+C or SIGTERM.',
    )
    .argument('<pipeline>', 'the same .ts/.js module or .yaml/.json definition as the run')
    .requiredOption('--redis <url>', 'the Redis the run hands out work on: redis://[:password@]host:port[/db], as given to --workers');
  addPipelineFlags(command)
    .option('--queue <name>', "the run's work queue, as given to its --queue (default: the pipeline's name)")
    .option('--budget <n>', 'tasks held at once, per segment of steps (default 64)', numberFlag('--budget', 1, Number.POSITIVE_INFINITY, true))
    .option('--concurrency <n>', "rows in flight per LLM step, over each step's own setting", numberFlag('--concurrency', 1, Number.POSITIVE_INFINITY, true))
    .option('--no-cache', 'do not read or write the request cache')
    .option('--cache-dir <dir|url>', "request cache: a folder, or a Redis URL (default: --redis's, shared by every worker)")
    .option('--claim-idle <s>', "seconds before a dead worker's tasks are taken by another (default 30)", numberFlag('--claim-idle', 0.05))
    .option(
      '--max-deliveries <n>',
      'deliveries after which a task becomes a failed row (SLUICE_INPUT_DEAD_LETTER) (default 5)',
      numberFlag('--max-deliveries', 1, Number.POSITIVE_INFINITY, true),
    )
    .option('--grace <s>', 'after Ctrl+C or SIGTERM, seconds that LLM requests already sent may take (default 30)', numberFlag('--grace', 0))
    .option('-q, --quiet', 'print nothing on stderr but errors')
    .addHelpText(
      'after',
      `
Examples:
  sluice worker qa.yaml --redis redis://10.0.0.5:6379          # on each worker machine
  sluice run qa.yaml -i topics.jsonl -o out/ --workers redis://10.0.0.5:6379

Exit codes: 0 stopped by a signal after its tasks, 1 error, 2 usage error or another pipeline version, 130 a second signal.`,
    )
    .action(async (pipelinePath: string, flags: WorkerFlags) => {
      setExit(await workerCommand(pipelinePath, flags));
    });
}
