/**
 * `sluice run <pipeline>`: runs a pipeline module or definition as a Unix filter or over files.
 * @module
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { type ImportSpec, type InputSpec, inputSource, ioPathOf, ioSpecOf, isImportSpec } from '../../config/io-paths.ts';
import type { Source } from '../../core/source.ts';
import { formatOf } from '../../formats/format-of.ts';
import { isHubLocation } from '../../hub/hub-location.ts';
import { isUrl } from '../../sources/input-bytes.ts';
import { type DatasetOutput, datasetFolderOutput, hubOutput } from '../hub-output.ts';
import { SluiceConfigError } from '../../core/errors.ts';
import type { Command } from 'commander';
import type { Pipeline } from '../../pipeline/pipeline.ts';
import type { RunOptions } from '../../core/run-options.ts';
import { llmsOf } from '../../config/llms-of.ts';
import type { RunSummary } from '../../core/summary.ts';
import { consoleToStderr } from '../console-to-stderr.ts';
import { withoutPassword } from '../../core/without-password.ts';
import { countLines } from '../count-lines.ts';
import { ExitCode } from '../exit-codes.ts';
import { collectSet, numberFlag } from '../flag-parsers.ts';
import { enterLlmMode } from '../llm-mode.ts';
import { loadPipeline } from '../load-pipeline.ts';
import { formatSummary } from '../print-summary.ts';
import { Progress } from '../progress.ts';
import { metricsLog } from '../metrics-log.ts';
import { makeFolders } from '../make-folders.ts';
import { failedPathFor, isFolderOutput, sinkFor, sourceFor } from '../resolve-io.ts';
import { toFailedFile } from '../../sinks/failed-rows.ts';
import { moduleFingerprint } from '../../cache/module-fingerprint.ts';
import { isRedisUrl } from '../../broker/connect-redis.ts';
import { pipelineVersion } from '../../workers/pipeline-version.ts';
import { recordRun } from '../run-store.ts';
import { resolvePipelinePath } from '../pipeline-registry.ts';

export interface RunFlags {
  input?: string;
  output?: string;
  failed?: string;
  set?: Record<string, string>;
  concurrency?: number;
  budget?: number;
  limit?: number;
  /** `--no-cache` sets it to false. */
  cache?: boolean;
  cacheDir?: string;
  runDir?: string;
  allowFailures?: boolean;
  maxFailureRate?: number;
  failFast?: boolean;
  /** `--no-progress` sets it to false. */
  progress?: boolean;
  progressInterval?: number;
  quiet?: boolean;
  llm?: string;
  batch?: boolean;
  view?: boolean;
  grace?: number;
  restart?: boolean;
  acceptChanges?: boolean;
  maxLineBytes?: number;
  force?: boolean;
  format?: string;
  inputFormat?: string;
  chunkSize?: number;
  split?: string;
  shuffle?: string;
  workers?: string;
  queue?: string;
  keep?: string;
}

/**
 * The exit code of a finished run. Failed rows are over the threshold when their share of the
 * records read is above `--max-failure-rate` (0 unless given; `--allow-failures` lifts it).
 */
export function exitCodeFor(summary: RunSummary, flags: Pick<RunFlags, 'allowFailures' | 'maxFailureRate'>): number {
  if (summary.status === 'interrupted') return ExitCode.interrupted;
  if (summary.status !== 'failed-rows' || flags.allowFailures) return ExitCode.ok;
  const read = summary.source.read;
  const share = read > 0 ? summary.failed / read : 1;
  return share > (flags.maxFailureRate ?? 0) ? ExitCode.failedRows : ExitCode.ok;
}

export async function runCommand(pipelinePath: string, flags: RunFlags, command: readonly string[] = []): Promise<number> {
  if (flags.view && flags.runDir === undefined) {
    throw new SluiceConfigError(
      '`--view` shows the run directory of the run: give the run one with --run-dir (or view a finished run with `sluice view <run-dir>`).',
    );
  }
  // Before the pipeline module is loaded: its LLMs are made as it loads.
  if (flags.batch) process.env.SLUICE_BATCH = '1';
  const llmMode = await enterLlmMode(flags.llm);
  // Rows may go to stdout (`-o -`, or no output named): user code's console output goes to stderr.
  const restoreConsole = flags.output === undefined || flags.output === '-' ? consoleToStderr() : () => {};
  try {
    return await runLoaded(pipelinePath, flags, command);
  } finally {
    restoreConsole();
    await llmMode.close();
  }
}

/**
 * What a run directory keeps so that `sluice run <run-dir>` can replay the run: the working
 * directory, the LLMs with their sampling parameters, and for a definition its text as it ran
 * (after `--set`), which loads back as a definition.
 */
async function replayRecord(pipeline: Pipeline<any>, pipelinePath: string, runDir: string): Promise<NonNullable<RunOptions['record']>> {
  const fields = { cwd: process.cwd(), llms: llmSettings(pipeline) };
  if (!/\.(ya?ml|json)$/i.test(pipelinePath)) return { fields };
  const { definitionYamlOf } = await import('../../config/save-definition.ts');
  try {
    const definitionYaml = definitionYamlOf(pipeline, { dir: resolve(runDir) });
    // An `import:` module must sit beside its definition: a copy in the run directory could not load it.
    if (/^\s*(- )?(import|batch):/m.test(definitionYaml)) return { fields };
    return { fields, definitionYaml };
  } catch {
    return { fields }; // A step that cannot be saved: the replay loads the definition file itself.
  }
}

/** The settings of every LLM the pipeline uses: model, endpoint, sampling parameters, limits. Never a key. */
function llmSettings(pipeline: Pipeline<any>): Record<string, unknown> {
  const finite = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? undefined : value);
  return Object.fromEntries(
    llmsOf(pipeline).map((llm) => {
      const { model, baseURL, concurrency, rpm, tpm, timeoutMs } = llm.options ?? {};
      return [
        llm.name,
        JSON.parse(
          JSON.stringify({
            model: model ?? llm.model,
            endpoint: llm.endpoint,
            baseURL,
            params: llm.params,
            concurrency: finite(concurrency),
            rpm: finite(rpm),
            tpm: finite(tpm),
            timeoutMs: finite(timeoutMs),
          }),
        ),
      ];
    }),
  );
}

/**
 * A definition's `output:` is data someone else may have written: it must not overwrite a file
 * outside the working directory unless the user says so (`--force`), or names the output (`-o`).
 */
function refuseForeignOverwrite(declared: string | undefined): void {
  if (declared === undefined || declared === '-' || declared.endsWith('/')) return;
  const target = resolve(declared);
  const inside = relative(process.cwd(), target);
  if (!(inside.startsWith('..') || isAbsolute(inside)) || !existsSync(target)) return;
  throw new SluiceConfigError(
    `The definition writes its output to ${target}, outside the working directory, over a file that exists. ` +
      'Run with --force to overwrite it, or name the output with -o.',
  );
}

/** The input file whose lines can be counted for done/total: a local NDJSON file. */
function countableInput(input: string | undefined, format: string | undefined): string | undefined {
  if (input === undefined || input === '-' || isUrl(input) || isHubLocation(input) || isRedisUrl(input)) return undefined;
  try {
    return formatOf(input, format) === 'ndjson' ? input : undefined;
  } catch {
    return undefined;
  }
}

/** The definition's `hf://` input again, with `--split` and `--shuffle` over what it says. */
function hubInputWithFlags(pipeline: Pipeline<any>, flags: RunFlags): Source | undefined {
  const declared = ioSpecOf(pipeline.source as object | undefined);
  if (declared === undefined || isImportSpec(declared) || (flags.split === undefined && flags.shuffle === undefined)) return undefined;
  const spec = typeof declared === 'string' ? { path: declared } : (declared as Exclude<InputSpec, string | ImportSpec>);
  if (!isHubLocation(spec.path)) return undefined;
  return inputSource({
    ...spec,
    ...(flags.split !== undefined ? { split: flags.split } : {}),
    ...(flags.shuffle !== undefined ? { shuffle: { seed: flags.shuffle } } : {}),
  });
}

/** `sluice run pipeline.yaml` with the flags that chose the rows, for a dataset card (no secrets: flags hold none). */
function rerunCommand(flags: RunFlags): string {
  const quote = (value: string) => (/^[\w./:@=-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`);
  const parts = ['npx sluice run pipeline.yaml'];
  const add = (flag: string, value: string | number | undefined) => {
    if (value !== undefined) parts.push(flag, quote(String(value)));
  };
  add('-i', flags.input);
  add('--input-format', flags.inputFormat);
  add('--split', flags.split);
  add('--shuffle', flags.shuffle);
  add('--limit', flags.limit);
  // Without -o, the definition's own output: is in pipeline.yaml.
  add('-o', flags.output);
  if (flags.output !== undefined && !isHubLocation(flags.output)) parts.push('--format', 'hf');
  add('--chunk-size', flags.chunkSize);
  return parts.join(' ');
}

/** The dataset folder or Hub dataset the run writes, from `-o` or the definition's `output:`. */
function datasetOutputOf(flags: RunFlags, pipeline: Pipeline<any>, onPhase: (phase: string) => void): DatasetOutput | undefined {
  const declared = flags.output === undefined ? ioSpecOf(pipeline.sink as object | undefined) : undefined;
  const spec = declared === undefined || isImportSpec(declared) ? undefined : typeof declared === 'string' ? { path: declared } : declared;
  const location = flags.output ?? spec?.path;
  const format = flags.output !== undefined ? flags.format : (spec as { format?: string } | undefined)?.format;
  const chunkSize = flags.chunkSize ?? (spec as { chunkSize?: number } | undefined)?.chunkSize;
  if (location === undefined || location === '-') return undefined;
  if (isHubLocation(location)) return hubOutput(location, chunkSize, onPhase, flags.runDir);
  if (format === 'hf' && isFolderOutput(location)) return datasetFolderOutput(location, chunkSize);
  return undefined;
}

async function runLoaded(pipelineArg: string, flags: RunFlags, command: readonly string[]): Promise<number> {
  // A registered name (`sluice run qa`) is its file from here on: fingerprints and records see the file.
  const pipelinePath = resolvePipelinePath(pipelineArg);
  if (flags.queue !== undefined && flags.workers === undefined)
    throw new SluiceConfigError('`--queue` names the work queue of a run with workers: give --workers redis://host:port too');
  // With workers, rpm and tpm hold across every process: their state lives in the workers' Redis.
  if (flags.workers !== undefined) process.env.SLUICE_SHARED_LIMITS ??= flags.workers;
  const loaded = await loadPipeline(pipelinePath, { sets: flags.set ?? {} });
  // The code of a module pipeline (and its local imports): resume notices an edit, workers must match it.
  const codeFingerprint =
    /\.[cm]?[jt]s$/.test(pipelinePath) && (flags.runDir !== undefined || flags.workers !== undefined) ? await moduleFingerprint(pipelinePath) : undefined;
  const pipeline = flags.workers === undefined ? loaded : await distribute(loaded, codeFingerprint, flags);
  const lines = {
    ...(flags.maxLineBytes === undefined ? {} : { maxLineBytes: flags.maxLineBytes }),
    ...(flags.inputFormat === undefined ? {} : { format: flags.inputFormat }),
    ...(flags.split === undefined ? {} : { split: flags.split }),
    ...(flags.shuffle === undefined ? {} : { shuffle: { seed: flags.shuffle } }),
  };
  const source = flags.input !== undefined ? sourceFor(flags.input, lines) : (hubInputWithFlags(pipeline, flags) ?? pipeline.source ?? sourceFor('-', lines));
  if ((flags.split !== undefined || flags.shuffle !== undefined) && !isHubLocation(flags.input ?? ioPathOf(pipeline.source as object | undefined) ?? '-')) {
    throw new SluiceConfigError('`--split` and `--shuffle` choose and order the rows of a Hub dataset: read one with `-i hf://datasets/<owner>/<name>`');
  }
  const output = flags.output ?? (pipeline.sink ? undefined : '-');
  if (flags.output === undefined && !flags.force && flags.runDir === undefined) refuseForeignOverwrite(ioPathOf(pipeline.sink as object | undefined));
  const failedPath = flags.failed ?? failedPathFor(output);
  const say = (line: string) => {
    if (!flags.quiet) process.stderr.write(`${line}\n`);
  };
  const dataset = datasetOutputOf(flags, pipeline, (phase) => say(`sluice: push: ${phase}`));
  // The sink first: an output it refuses (an extension it does not write) must leave no folder behind.
  const sink = dataset?.sink ?? (output !== undefined ? sinkFor(output, failedPath, flags.format, flags.chunkSize) : pipeline.sink);
  if (output !== undefined && output !== '-' && !isHubLocation(output) && !isRedisUrl(output))
    makeFolders(isFolderOutput(output) ? output : dirname(output), `-o ${output}`);
  makeFolders(dirname(failedPath), flags.failed !== undefined ? `--failed ${failedPath}` : `failed rows (${failedPath})`);
  const failed = toFailedFile(failedPath);
  const cache = flags.cache === false ? false : flags.cacheDir;
  const options: RunOptions = {
    source,
    ...(sink ? { sink } : {}),
    failed,
    command,
    ...(flags.budget !== undefined ? { budget: flags.budget } : {}),
    ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
    ...(flags.limit !== undefined ? { limit: flags.limit } : {}),
    ...(cache !== undefined ? { cache } : {}),
    ...(flags.runDir !== undefined ? { runDir: flags.runDir } : {}),
    ...(flags.keep !== undefined
      ? {
          keep: flags.keep
            .split(',')
            .map((name) => name.trim())
            .filter((name) => name !== ''),
        }
      : {}),
    ...(flags.maxFailureRate !== undefined ? { maxFailureRate: flags.maxFailureRate } : {}),
    ...(flags.failFast ? { onError: 'fail' as const } : {}),
    ...(flags.grace !== undefined ? { graceMs: flags.grace * 1000 } : {}),
    ...(flags.restart ? { restart: true } : {}),
    ...(flags.acceptChanges ? { acceptChanges: true } : {}),
    // The code of a module pipeline (and its local imports), so that resume notices an edit.
    ...(flags.runDir !== undefined && codeFingerprint !== undefined ? { codeFingerprint } : {}),
    ...(flags.runDir !== undefined ? { record: await replayRecord(pipeline, pipelinePath, flags.runDir) } : {}),
  };
  // The run's counters over time, for the viewer's charts.
  const metrics = flags.runDir !== undefined ? metricsLog(flags.runDir) : undefined;
  const handle = pipeline.start(metrics ? { ...options, onEvent: metrics.onEvent } : options);
  const stopMetrics = metrics?.start(handle);

  const showProgress = flags.progress !== false && !flags.quiet;
  const progress = showProgress
    ? new Progress(handle, {
        pipeline: pipeline.name,
        intervalMs: (flags.progressInterval ?? 5) * 1000,
        ...(flags.limit !== undefined ? { limit: flags.limit } : {}),
      })
    : undefined;
  const counting = new AbortController();
  const countable = countableInput(flags.input, flags.inputFormat);
  if (progress && countable) {
    // Counted alongside the run, not before it: a big file must not delay the first row.
    countLines(countable, counting.signal).then(
      (total) => {
        if (!counting.signal.aborted) progress.setTotal(total);
      },
      () => {},
    );
  }
  progress?.start();
  // `--view`: the page follows the run from the moment its run directory has a record.
  const viewing = flags.view ? startViewing(flags.runDir!, (line) => (progress ? progress.log(line) : process.stderr.write(`${line}\n`))) : undefined;

  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      const message = `sluice: interrupted; no new request starts, the ones in flight get up to ${flags.grace ?? 30} s (Ctrl+C again to quit at once; unfinished rows are redone by a resume)`;
      if (progress) progress.log(message);
      else process.stderr.write(`${message}\n`);
      handle.stop('SIGINT');
    } else {
      progress?.stop();
      process.exit(ExitCode.interrupted);
    }
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);

  let summary: RunSummary;
  try {
    summary = await handle.summary;
  } catch (error) {
    progress?.stop();
    const attached = (error as { summary?: RunSummary }).summary;
    if (attached && !flags.quiet) process.stderr.write(formatSummary(attached, { showError: false }));
    if (attached && flags.runDir !== undefined) await recordRun(attached, pipelineVersion(loaded.steps), flags.runDir).catch(() => {});
    throw error;
  } finally {
    await stopMetrics?.();
    counting.abort();
    progress?.stop();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
  if (!flags.quiet) process.stderr.write(formatSummary(summary));
  if (flags.runDir !== undefined) await recordRun(summary, pipelineVersion(loaded.steps), flags.runDir);
  if (dataset) {
    if (summary.status === 'interrupted') say('sluice: the run was interrupted: the dataset was not pushed, and its card not written');
    else say(await dataset.finish(summary, pipeline, rerunCommand(flags)));
  }
  if (viewing) await viewing.untilStopped();
  return exitCodeFor(summary, flags);
}

/** Serves the run's page once its record exists; after the run, until Ctrl+C. */
function startViewing(runDir: string, say: (line: string) => void): { untilStopped(): Promise<void> } {
  const started = (async () => {
    while (!existsSync(join(runDir, 'run.json'))) await new Promise((resolve) => setTimeout(resolve, 50));
    const { startViewer } = await import('../../viewer/view-server.ts');
    const viewer = await startViewer({ runDir });
    say(`sluice: the run's page: ${viewer.url} (127.0.0.1 only; the token is the key)`);
    return viewer;
  })();
  return {
    async untilStopped() {
      const viewer = await started;
      process.stderr.write(`sluice: the run ended; its page stays at ${viewer.url} until Ctrl+C\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await viewer.close();
    },
  };
}

/** The pipeline with its row-wise segments handed to the workers on `--workers`. */
async function distribute(pipeline: Pipeline<any>, codeFingerprint: string | undefined, flags: RunFlags): Promise<Pipeline<any>> {
  const { withWorkers } = await import('../../workers/with-workers.ts');
  return withWorkers(pipeline, {
    redis: flags.workers!,
    ...(flags.queue !== undefined ? { queue: flags.queue } : {}),
    ...(codeFingerprint !== undefined ? { codeFingerprint } : {}),
    onIdle: (message) => {
      if (!flags.quiet) process.stderr.write(`sluice: ${message}\n`);
    },
  });
}

/** Flags every command that loads a pipeline shares. */
export function addPipelineFlags(command: Command): Command {
  return command
    .option('--set <step.param=value>', "override a step parameter, typed by the step's param schema (repeatable)", collectSet)
    .option(
      '--llm <mode>',
      'where LLM steps send requests: `env` (OPENAI_BASE_URL / OPENAI_API_KEY, the default) or `simulated` (the built-in loopback simulator; also SLUICE_LLM=simulated)',
    );
}

export function registerRun(program: Command, setExit: (code: number) => void): void {
  const command = program
    .command('run')
    .summary('run a pipeline over NDJSON: a Unix filter, or files in and out')
    .description(
      'Run a pipeline: a .ts/.js module (its default export) or a .yaml/.json definition. Reads NDJSON from stdin and writes NDJSON to stdout unless told otherwise; progress and the summary go to stderr.',
    )
    .argument('<pipeline>', 'a .ts or .js module whose default export is a pipeline (or a function returning one), or a .yaml, .yml or .json definition')
    .option(
      '-i, --input <file|url|->',
      "input: a file or an http(s) URL in the format its extension names (.jsonl, .json, .csv, .tsv, .parquet; all but .parquet also .gz or .zst), or - for NDJSON on stdin (default: the pipeline's source, else stdin)",
    )
    .option('--input-format <format>', 'read the input as ndjson, json, csv, tsv or parquet, whatever its extension')
    .option('--split <name>', 'with -i hf://datasets/…: the split to read (default train)')
    .option('--shuffle <seed>', 'with -i hf://datasets/…: shuffle with this seed, by file then within 1,000 rows')
    .option(
      '--chunk-size <n>',
      'with a folder output: a new file every n rows of a leaf (part-00000-of-00004.parquet)',
      numberFlag('--chunk-size', 1, Number.POSITIVE_INFINITY, true),
    )
    .option(
      '--format <format>',
      "write the output as ndjson, json, csv, tsv or parquet, whatever its extension; with a folder output, the format of each leaf's file",
    )
    .option(
      '-o, --output <file|dir|->',
      "output: a file in the format its extension names (.jsonl, .json, .csv, .tsv, .parquet; all but .parquet also .gz or .zst), a folder (one <leaf>.jsonl per named output, or --format's), or - for NDJSON on stdout (default: the pipeline's sink, else stdout)",
    )
    .option(
      '--failed <file>',
      'where failed rows go (default: <output>.failed.jsonl, <folder>/failed.jsonl, or ./failed.jsonl when writing to stdout; the file is created only if a row fails, its folder up front)',
    );
  addPipelineFlags(command)
    .option('--concurrency <n>', "rows in flight per LLM step, over each step's own setting", numberFlag('--concurrency', 1, Number.POSITIVE_INFINITY, true))
    .option('--budget <n>', 'most source records in flight at once (default 1024)', numberFlag('--budget', 1, Number.POSITIVE_INFINITY, true))
    .option('--limit <n>', 'read at most n source records', numberFlag('--limit', 1, Number.POSITIVE_INFINITY, true))
    .option(
      '--max-line-bytes <n>',
      'longest NDJSON input line, in bytes (default 16 MiB); longer lines are failed rows',
      numberFlag('--max-line-bytes', 1, Number.POSITIVE_INFINITY, true),
    )
    .option('--no-cache', 'do not read or write the request cache')
    .option(
      '--cache-dir <dir|url>',
      'request cache: a folder, or redis://[:password@]host:port[/db] shared by every machine (default: $SLUICE_CACHE_DIR, else .sluice/cache)',
    )
    .option('--run-dir <dir>', 'record the run in <dir> (run.json, done.log); run again with the same <dir> to resume an unfinished run')
    .option('--view', "with --run-dir: serve the run's web page on 127.0.0.1 while it runs, and after it until Ctrl+C (see sluice view)")
    .option('--batch', "send every LLM's requests through the provider's batch API (about half the price; answers within 24 h); also SLUICE_BATCH=1")
    .option('--keep <steps>', "with --run-dir: keep these steps' output rows in it (comma-separated step names), for `sluice inspect <dir> --step <name>`")
    .option('--restart', 'with --run-dir: start over even if the run there did not finish (its outputs are rewritten)')
    .option('--force', "let a definition's output: overwrite an existing file outside the working directory")
    .option('--accept-changes', 'with --run-dir: resume although the pipeline, its code, its input or its outputs changed since the run started')
    .option('--allow-failures', 'exit 0 even if some rows failed (they are still written to the failed file)')
    .option(
      '--max-failure-rate <r>',
      'failed rows allowed, as a share (0..1) of the records read: once 100 records are read the run stops when over it (exit 1); a finished run over it exits 3',
      numberFlag('--max-failure-rate', 0, 1),
    )
    .option('--fail-fast', 'stop the run at the first failed row (exit 1)')
    .option(
      '--grace <s>',
      'after Ctrl+C or SIGTERM, seconds that LLM requests already sent may take before they are aborted (default 30); their rows are left for a resume',
      numberFlag('--grace', 0),
    )
    .option(
      '--workers <redis-url>',
      'hand the row-wise steps (map, filter, scatter, the LLM steps) to `sluice worker` processes reading redis://[:password@]host:port[/db]; rpm and tpm then hold across all of them',
    )
    .option('--queue <name>', "with --workers: the work queue, which the workers' --queue must name too (default: the pipeline's name)")
    .option('--no-progress', 'no progress display on stderr')
    .option('--progress-interval <s>', 'seconds between progress lines when stderr is not a terminal (default 5)', numberFlag('--progress-interval', 0.05))
    .option('-q, --quiet', 'no progress and no summary on stderr')
    .addHelpText(
      'after',
      `
Examples:
  cat rows.jsonl | sluice run clean.yaml > out.jsonl
  sluice run examples/clean.ts -i rows.jsonl -o out.jsonl
  sluice run qa.yaml -i topics.jsonl -o out/ --set answer.params.temperature=0.2 --limit 10
  sluice run qa.yaml -i topics.jsonl -o out/ --run-dir runs/qa   # again after Ctrl+C to resume
  sluice run qa.yaml -i topics.jsonl -o out/ --workers redis://127.0.0.1:6379   # with: sluice worker qa.yaml --redis …

Progress: a live display on stderr when it is a terminal, else a line every --progress-interval seconds.

Exit codes: 0 ok, 1 run error, 2 usage error, 3 finished with failed rows, 130 interrupted.`,
    )
    .action(async (pipelinePath: string, flags: RunFlags) => {
      // The command is kept in the run directory: without the passwords its URLs may hold.
      setExit(await runCommand(pipelinePath, flags, ['sluice', ...process.argv.slice(2).map(withoutPassword)]));
    });
}
