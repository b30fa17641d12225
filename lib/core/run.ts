/**
 * The run engine: compiles a pipeline into one observable from the pull source through the
 * steps to the sinks, wires permits, failed rows and failure policies, and builds the summary.
 * @module
 */
import { Subject, finalize, identity, type OperatorFunction } from 'rxjs';
import { Budget } from './budget.ts';
import { type Columns, closedColumns, unknownColumns } from './columns.ts';
import type { Envelope } from './envelope.ts';
import { leafOf } from './envelope.ts';
import {
  describeError,
  FailurePolicyError,
  isAbandoning,
  NoProgressError,
  SinkWriteError,
  isRunFatal,
  MissingColumnsError,
  SluiceConfigError,
  SluiceError,
} from './errors.ts';
import type { SluiceEvent } from './events.ts';
import { fileFingerprint } from '../cache/file-fingerprint.ts';
import { setOwn } from './set-own.ts';
import { loseCopy } from './fan.ts';
import type { Permit } from './permit.ts';
import { pullSource } from './pull-source.ts';
import type { Row } from './row.ts';
import { newStepStats, type StepStats } from './step-stats.ts';
import type { AnyStep, ErrorPolicy, StepContext } from './step.ts';
import type { RunStatus, RunSummary } from './summary.ts';
import type { Sink } from '../sinks/sink.ts';
import type { Source } from '../sources/source.ts';
import type { FailedRow } from '../sinks/failed-rows.ts';
import { RequestCache } from '../cache/request-cache.ts';
import { RunDirectory } from '../cache/run-directory.ts';
import { checkPositiveInt } from './define-step.ts';
import { describeSteps } from './describe-steps.ts';

export interface RunOptions {
  /** Overrides the pipeline's source. */
  source?: Source<any>;
  /** Overrides the pipeline's sinks: one sink for every leaf, or one per leaf name. */
  sink?: Sink | Readonly<Record<string, Sink>>;
  /** Where failed rows go. Defaults to the pipeline's, then to a `failed.jsonl` created only if a row fails. */
  failed?: Sink;
  /** Most source records in flight at once (pulled and not done). Default 1024. */
  budget?: number;
  /** Default policy for rows failing in a step: `skip` (default) records them and goes on; `fail` stops the run. */
  onError?: ErrorPolicy;
  /** Stops the run when failed rows exceed this share of the records read (0..1), once `minRecords` are read. */
  maxFailureRate?: number;
  /** Records to read before `maxFailureRate` applies. Default 100. */
  minRecords?: number;
  /** Stops the run gracefully when aborted (like `stop()`). */
  signal?: AbortSignal;
  /**
   * After a graceful stop, how long requests already sent may take before they are aborted (their
   * rows are left not done, for a resume). No new request starts after the stop. Default 30 000 ms.
   */
  graceMs?: number;
  /** Called for each event of the run. */
  onEvent?: (event: SluiceEvent) => void;
  /** Called with each source record id once it is done (the resume ledger). */
  onDone?: (id: string) => void;
  /** Source record ids to skip (done in an earlier run). */
  skip?: (id: string) => boolean;
  /** Receives rows instead of the sinks (embedding adapters). Must release the permit when the row is consumed. */
  deliver?: (envelope: Envelope) => void;
  /** Services shared by steps (LLM accounting, caches). */
  services?: Map<string, unknown>;
  /**
   * The request cache: a folder, or `false` to turn it off. Default: `SLUICE_CACHE_DIR`, else
   * `.sluice/cache` (`SLUICE_NO_CACHE=1` turns it off).
   */
  cache?: false | string;
  /** A run directory: records the run, and resumes it if an earlier attempt did not finish. */
  runDir?: string;
  /** With `runDir`: start over even if an earlier attempt did not finish. */
  restart?: boolean;
  /** With `runDir`: resume although the pipeline, its code, its input or its outputs changed. */
  acceptChanges?: boolean;
  /** A hash of the pipeline's code (the CLI hashes the module and its local imports), compared on resume. */
  codeFingerprint?: string;
  /**
   * More for the run directory to keep, so the run can be replayed: fields for `run.json` (the
   * working directory, the LLMs and their sampling parameters), and the definition as YAML text
   * (written to `pipeline.yaml`) when the pipeline can be saved as one.
   */
  record?: { fields?: Readonly<Record<string, unknown>>; definitionYaml?: string };
  /** Reads at most this many source records. */
  limit?: number;
  /** Rows in flight per LLM step, over each step's own `concurrency`. */
  concurrency?: number;
  /** The command line, recorded in the run directory. */
  command?: readonly string[];
}

export interface RunnablePipeline {
  readonly name: string;
  readonly steps: readonly AnyStep[];
  readonly source: Source<any> | undefined;
  readonly sink: Sink | Readonly<Record<string, Sink>> | undefined;
  readonly failed: Sink | undefined;
  readonly defaults: Readonly<Omit<RunOptions, 'source' | 'sink' | 'failed' | 'deliver'>>;
  /** Makes the default failed-rows sink (a lazily created file). */
  readonly defaultFailedSink: (sink?: Sink | Readonly<Record<string, Sink>>) => Sink & { path?: string };
}

export interface RunHandle {
  /** Resolves with the summary when the run ends (status `ok`, `failed-rows` or `interrupted`); rejects on errors. */
  readonly summary: Promise<RunSummary>;
  /** The run's events, as they happen. */
  readonly events: Subject<SluiceEvent>;
  /** Stops reading, drains the rows in flight, flushes the sinks. */
  stop(reason?: string): void;
  /** Stops reading and aborts the work in flight (HTTP requests are cancelled; their rows fail as aborted). */
  abort(reason?: string): void;
  /** Live counters, for progress displays. */
  readonly live: {
    readonly steps: ReadonlyMap<string, StepStats>;
    readonly budget: Budget;
    readonly failed: () => number;
    /** Source records read, skipped (resume) and done so far. */
    readonly source: () => { read: number; skipped: number; done: number; invalid: number };
    /** Rows written so far, per leaf. */
    readonly written: () => Readonly<Record<string, number>>;
    /** Run services with a `snapshot()` (LLM usage under `llm`, the cache under `cache`). */
    readonly services: ReadonlyMap<string, unknown>;
  };
}

/** Gives each step a unique name under `prefix`; user-chosen duplicates are an error. */
export function nameSteps(steps: readonly AnyStep[], prefix: string, taken: Set<string>): string[] {
  return steps.map((step) => {
    let name = prefix + step.name;
    if (taken.has(name)) {
      if (step.named) {
        throw new SluiceConfigError(`Two steps are named \`${name}\`. Step names must be unique: rename one with \`name: '…'\`.`);
      }
      let n = 2;
      while (taken.has(`${prefix}${step.name}-${n}`)) n++;
      name = `${prefix}${step.name}-${n}`;
    }
    taken.add(name);
    return name;
  });
}

/** Checks that every step's inputs are produced upstream. Returns the columns at the end. */
export function validateSteps(steps: readonly AnyStep[], columns: Columns, prefix = '', taken = new Set<string>()): Columns {
  const names = nameSteps(steps, prefix, taken);
  let current = columns;
  steps.forEach((step, i) => {
    const missing = step.needs.filter((column) => !current.known.has(column));
    if (missing.length > 0 && !current.open) {
      throw new MissingColumnsError(names[i]!, missing, [...current.known]);
    }
    let branchOutputs: Record<string, Columns> | undefined;
    if (step.branches) {
      branchOutputs = {};
      for (const [branch, branchSteps] of Object.entries(step.branches)) {
        branchOutputs[branch] = validateSteps(branchSteps, current, `${names[i]}/${branch}/`, taken);
      }
    }
    current = step.columnsAfter(current, branchOutputs);
  });
  return current;
}

function leafSink(sink: Sink | Readonly<Record<string, Sink>>, leaf: string): Sink | undefined {
  if (typeof (sink as Sink).write === 'function') return sink as Sink;
  const byLeaf = sink as Readonly<Record<string, Sink>>;
  // Leaves can come from data (`constructor`, `__proto__`): only the sinks given count.
  if (Object.hasOwn(byLeaf, leaf)) return byLeaf[leaf];
  return Object.hasOwn(byLeaf, '*') ? byLeaf['*'] : undefined;
}

function sinksOf(sink: Sink | Readonly<Record<string, Sink>> | undefined): Sink[] {
  if (!sink) return [];
  if (typeof (sink as Sink).write === 'function') return [sink as Sink];
  return [...new Set(Object.values(sink as Record<string, Sink>))];
}

/**
 * Runs waiting on Node's `beforeExit` (the event loop is empty): one process listener for all of
 * them, so that hundreds of runs at once (an HTTP handler's requests) add no listener each.
 */
const emptyLoopWatchers = new Set<() => void>();
function onBeforeExit(): void {
  for (const watcher of [...emptyLoopWatchers]) watcher();
}
function watchEmptyLoop(watcher: () => void): void {
  if (emptyLoopWatchers.size === 0) process.on('beforeExit', onBeforeExit);
  emptyLoopWatchers.add(watcher);
}
function unwatchEmptyLoop(watcher: () => void): void {
  emptyLoopWatchers.delete(watcher);
  if (emptyLoopWatchers.size === 0) process.off('beforeExit', onBeforeExit);
}

function isNotJson(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'SLUICE_OUTPUT_NOT_JSON';
}

/** A write error that is the row's own (it cannot be serialised, its leaf has no file of its own), not the sink's. */
function isRowLevel(error: unknown): boolean {
  return isNotJson(error) || (error as { code?: unknown } | null)?.code === 'SLUICE_SINK_LEAF_CONFLICT';
}

export function startRun(pipeline: RunnablePipeline, runOptions: RunOptions = {}): RunHandle {
  const options: RunOptions = { ...pipeline.defaults, ...runOptions };
  const source = options.source ?? pipeline.source;
  const sink = options.sink ?? pipeline.sink;
  const budget = new Budget(options.budget ?? 1024);
  const events = new Subject<SluiceEvent>();
  if (options.onEvent) events.subscribe(options.onEvent);
  const stopper = new AbortController();
  const hard = new AbortController();
  const stats = new Map<string, StepStats>();
  const services = options.services ?? new Map<string, unknown>();
  const written: Record<string, number> = {};
  const counts = { read: 0, invalid: 0, skipped: 0, done: 0, failed: 0 };
  const startedAt = new Date();
  const cacheDir = options.cache ?? (process.env.SLUICE_NO_CACHE === '1' ? false : process.env.SLUICE_CACHE_DIR ?? '.sluice/cache');
  if (cacheDir !== false && !services.has('cache')) services.set('cache', new RequestCache(cacheDir));
  if (options.concurrency !== undefined) services.set('concurrency', checkPositiveInt('concurrency', options.concurrency));
  if (options.limit !== undefined) checkPositiveInt('limit', options.limit);
  let runDir: RunDirectory | undefined;
  let onAllDone: (() => void) | undefined;
  let fatal: Error | undefined;
  let interrupted = false;
  const failedSink = options.failed ?? pipeline.failed ?? pipeline.defaultFailedSink(sink);
  const defaultPolicy = options.onError ?? 'skip';
  const minRecords = options.minRecords ?? 100;

  if (options.maxFailureRate !== undefined && !(options.maxFailureRate >= 0 && options.maxFailureRate <= 1)) {
    throw new SluiceConfigError(`Expected \`maxFailureRate\` to be a number from 0 to 1, got \`${options.maxFailureRate}\``);
  }

  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  function stop(reason = 'stopped', error?: Error): void {
    if (error && !fatal) fatal = error;
    if (stopper.signal.aborted) return;
    if (!error) interrupted = true;
    if (events.observed) events.next({ type: 'run-stopping', reason });
    stopper.abort(error ?? new SluiceError(reason));
    // Requests already sent get a grace period; then they are aborted and their rows left not done.
    const graceMs = options.graceMs ?? 30_000;
    if (graceMs !== Infinity) {
      graceTimer = setTimeout(() => hard.abort(new SluiceError(`The grace period of ${graceMs} ms after the stop ran out`)), graceMs);
      graceTimer.unref();
    }
  }
  options.signal?.addEventListener('abort', () => stop('aborted'), { once: true });

  function writeFailed(failed: FailedRow, permit: Permit, lineage: readonly string[] = [failed.id]): void {
    counts.failed++;
    const finish = twoPhase(failedSink, 'failed', lineage, (error) => {
      if (error && isNotJson(error)) {
        // The row itself cannot be written (too deep, a BigInt, a cycle): write the failure without it.
        const { row: _row, ...rest } = failed;
        failedSink.write({ ...rest, rowNotWritten: describeError(error).message } as unknown as Row, 'failed', twoPhase(failedSink, 'failed', lineage, afterFailedWrite));
        return;
      }
      afterFailedWrite(error);
    });
    function afterFailedWrite(error?: Error | null) {
      // Losing a failed row silently would break the accounting promise: stop the run instead.
      if (error) stop('failed-rows sink error', new SluiceError(`Could not write a failed row: ${error.message}`, { cause: error }));
      permit.release();
    }
    failedSink.write(failed as unknown as Row, 'failed', finish);
    const rate = options.maxFailureRate;
    if (rate !== undefined && counts.read >= minRecords && counts.failed / counts.read > rate) {
      stop('failure rate', new FailurePolicyError(
        `${counts.failed} of ${counts.read} records failed, over the allowed rate of ${rate}. ` +
          'See the failed rows for the reasons, or raise `maxFailureRate`.',
      ));
    }
  }

  /**
   * With a run directory, a row's line and then its lineage line must both be written before the
   * row counts as written: `done` runs once, after both. The lineage line follows its data line,
   * never goes first: a row that fails to be written leaves the sidecar in step with the output.
   */
  function twoPhase(target: Sink, leaf: string, lineage: readonly string[], done: (error?: Error | null) => void): (error?: Error | null) => void {
    const file = runDir ? target.pathFor?.(leaf) : undefined;
    const dir = runDir;
    if (!dir || file === undefined) return done;
    return (error) => {
      if (error) done(error);
      else dir.lineage(file, lineage, done);
    };
  }

  const taken = new Set<string>();
  function contextFor(step: AnyStep, name: string): StepContext {
    const stepStats = newStepStats();
    stats.set(name, stepStats);
    const policy = step.onError ?? defaultPolicy;
    return {
      step: name,
      stats: stepStats,
      signal: hard.signal,
      stopping: stopper.signal,
      events,
      services,
      fail(envelope, error, extra) {
        if (isAbandoning(error)) {
          // Cut short, not judged: the run is stopping, or no row would fare better (the LLM refuses
          // the key, its server is gone). The row stays not done, so that a resume redoes it.
          stepStats.abandoned = (stepStats.abandoned ?? 0) + 1;
          loseCopy(envelope.fans);
          envelope.permit.abandon();
          if (isRunFatal(error)) stop('fatal error', error as Error);
          return;
        }
        stepStats.failed++;
        const described = describeError(error);
        if (events.observed) events.next({ type: 'row-failed', step: name, id: envelope.id, code: described.code });
        loseCopy(envelope.fans);
        writeFailed(
          {
            id: envelope.id,
            step: name,
            error: described,
            ...(extra?.attempts !== undefined ? { attempts: extra.attempts } : {}),
            ...(extra?.raw !== undefined ? { raw: extra.raw } : {}),
            row: envelope.row,
            at: new Date().toISOString(),
          },
          envelope.permit,
          envelope.lineage,
        );
        if (policy === 'fail') {
          stop('row failed', new FailurePolicyError(
            `Step \`${name}\` failed on row \`${envelope.id}\` (${described.code}: ${described.message}) and its policy is \`fail\`. ` +
              'Use `onError: \'skip\'` to record such rows and go on.',
          ));
        }
      },
      drop(envelope) {
        stepStats.filtered++;
        loseCopy(envelope.fans);
        envelope.permit.release();
      },
      compile,
    };
  }

  function compile(steps: readonly AnyStep[], prefix: string): OperatorFunction<Envelope, Envelope> {
    const names = nameSteps(steps, prefix ? `${prefix}/` : '', taken);
    const operators = steps.map((step, i): OperatorFunction<Envelope, Envelope> => {
      const ctx = contextFor(step, names[i]!);
      const operator = step.operator(ctx);
      return (input) => operator(input).pipe(finalize(() => {
        ctx.stats.lastAt = Date.now();
        if (events.observed) events.next({ type: 'step-done', step: ctx.step });
      }));
    });
    if (operators.length === 0) return identity;
    return (input) => operators.reduce((stream, operator) => stream.pipe(operator), input);
  }

  const summary = (async (): Promise<RunSummary> => {
    if (!source) {
      throw new SluiceConfigError(`Pipeline \`${pipeline.name}\` has no source. Give it one with \`.from(…)\`, or pass \`source\` to \`run()\` (the CLI reads stdin or \`--input\`).`);
    }
    if (!sink && !options.deliver) {
      throw new SluiceConfigError(`Pipeline \`${pipeline.name}\` has no sink. Give it one with \`.to(…)\`, or pass \`sink\` to \`run()\` (the CLI writes stdout or \`--output\`).`);
    }
    if (source.columns) validateSteps(pipeline.steps, closedColumns(source.columns));
    else validateSteps(pipeline.steps, unknownColumns);

    const sinks = sinksOf(sink);
    if (options.runDir) {
      // Resume repairs files and appends to them: a sink that cannot do both would lose or repeat rows.
      const unresumable = sinks.find((s) => typeof s.pathFor !== 'function' || typeof s.open !== 'function');
      if (unresumable) {
        throw new SluiceConfigError(
          `Sink \`${unresumable.name}\` cannot be resumed, so it cannot be used with a run directory: resume needs sinks that name their files (\`pathFor\`) and append to them (\`open({ append })\`). `
          + 'Write to files (`toNdjsonFile`, `-o`), or run without a run directory.',
        );
      }
      const input = source.path === undefined ? undefined : await fileFingerprint(source.path);
      runDir = await RunDirectory.open(options.runDir, {
        pipeline: pipeline.name,
        definition: { name: pipeline.name, source: source.name, steps: describeSteps(pipeline.steps) },
        ...(options.command ? { command: options.command } : {}),
        // A folder sink is its folder (`out/`), not a file of a leaf that may never be written.
        outputs: Object.fromEntries(sinks.map((s) => {
          const file = s.pathFor?.('default');
          return [s.name, file === undefined ? s.name : file === s.name ? file : `${s.name.replace(/\/+$/, '')}/`];
        })),
        ...((failedSink as { path?: string }).path ? { failedPath: (failedSink as { path?: string }).path } : {}),
        fingerprint: { ...(input ? { inputs: [input] } : {}), ...(options.codeFingerprint ? { code: options.codeFingerprint } : {}) },
        ...(options.record?.fields ? { extra: options.record.fields } : {}),
        ...(options.record?.definitionYaml !== undefined ? { definitionYaml: options.record.definitionYaml } : {}),
      }, { ...(options.restart ? { restart: true } : {}), ...(options.acceptChanges ? { acceptChanges: true } : {}) });
    }
    const append = runDir?.resuming === true;
    await Promise.all(sinks.map((s) => s.open?.({ append })));
    await failedSink.open?.({ append });

    const deliver = options.deliver ?? function writeToSink(envelope: Envelope) {
      const leaf = leafOf(envelope);
      const target = leafSink(sink!, leaf);
      if (!target) {
        writeFailed(
          { id: envelope.id, step: 'sink', error: { code: 'SLUICE_NO_SINK', message: `No sink for leaf \`${leaf}\`. Add one to \`.to({ ${leaf}: … })\`.` }, row: envelope.row, at: new Date().toISOString() },
          envelope.permit,
        );
        return;
      }
      target.write(envelope.row as Row, leaf, twoPhase(target, leaf, envelope.lineage, (error) => {
        if (error) {
          writeFailed(
            { id: envelope.id, step: 'sink', error: describeError(error), row: envelope.row, at: new Date().toISOString() },
            envelope.permit,
            envelope.lineage,
          );
          // A row that cannot be serialised is that row's failure; any other write error is the sink's.
          if (!isRowLevel(error)) stop('sink error', new SinkWriteError(`Could not write to ${target.pathFor?.(leaf) ?? target.name}: ${error.message}. Fix the cause (free some space, or the path), then run the same command again; with --run-dir it resumes where it stopped.`, { cause: error }));
          return;
        }
        // Keyed by leaf, which can come from data (`__proto__`, `constructor`).
        setOwn(written, leaf, (Object.hasOwn(written, leaf) ? written[leaf]! : 0) + 1);
        envelope.permit.release();
      }));
    };

    const source$ = pullSource(source, budget, stopper.signal, {
      counted: (kind) => counts[kind]++,
      invalid: (item, id, permit) => {
        counts.invalid++;
        writeFailed(
          {
            id,
            step: 'source',
            error: describeError(item.error),
            ...(source.positions === 'index' ? { index: item.position } : { line: item.position }),
            ...(item.raw !== undefined ? { raw: item.raw } : {}),
            at: new Date().toISOString(),
          },
          permit,
        );
      },
      done: (id) => {
        counts.done++;
        runDir?.markDone(id);
        options.onDone?.(id);
        if (counts.done === counts.read) onAllDone?.();
      },
      ...(runDir?.resuming
        ? { skip: (id: string) => runDir!.isDone(id) || options.skip?.(id) === true }
        : options.skip ? { skip: options.skip } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      ...(source.columns ? {} : {
        first: (row: Row) => validateSteps(pipeline.steps, closedColumns(Object.keys(row))),
      }),
    });

    // Node empties its event loop only when nothing can happen any more. If that comes while rows
    // are in flight, the run is stuck (a sink holding rows without acknowledging them, beyond the
    // budget): end it with an error and its summary instead of letting the process exit silently.
    let stuck: (() => void) | undefined;
    const onEmptyLoop = () => {
      if (!stuck) return;
      const release = stuck;
      stuck = undefined;
      const held = counts.read - counts.done;
      stop('no progress', new NoProgressError(
        `The run cannot go on: ${held} record${held === 1 ? ' is' : 's are'} in flight, holding ${budget.inFlight} of the budget's permits, and nothing is left to happen. `
        + 'A sink is likely holding rows without acknowledging them (it must call `done` for each row, not once per group larger than the budget). '
        + 'Fix the sink, or raise the budget (`--budget`) above its group size.',
      ));
      hard.abort(fatal);
      release();
    };
    watchEmptyLoop(onEmptyLoop);
    try {
      await new Promise<void>((resolve) => {
        stuck = resolve;
        const subscription = compile(pipeline.steps, '')(source$).subscribe({
          next: deliver,
          error: (error: unknown) => {
            fatal ??= error instanceof Error ? error : new SluiceError(String(error));
            resolve();
          },
          complete: () => resolve(),
        });
        // Resolved by onEmptyLoop: stop listening to a stream that will not end.
        const resolveStuck = stuck;
        stuck = () => {
          subscription.unsubscribe();
          resolveStuck();
        };
      });
    } finally {
      stuck = undefined;
      unwatchEmptyLoop(onEmptyLoop);
    }
    if (options.deliver && counts.done < counts.read && !fatal) {
      // The consumer (an async iterable) still holds rows: the run ends when it has taken them all.
      await new Promise<void>((resolve) => (onAllDone = resolve));
    }
    clearTimeout(graceTimer);
    const closing = await Promise.allSettled([...sinks.map((s) => s.close())]);
    await (services.get('cache') as RequestCache | undefined)?.close();
    await failedSink.close();
    // The last lineage lines finish the last records: flush them before counting and closing the ledger.
    await runDir?.flushLineage();
    for (const result of closing) if (result.status === 'rejected') fatal ??= result.reason as Error;

    const endedAt = new Date();
    const status: RunStatus = fatal ? 'error' : interrupted ? 'interrupted' : counts.failed > 0 ? 'failed-rows' : 'ok';
    const stepSummary: RunSummary['steps'] = {};
    for (const [name, s] of stats) stepSummary[name] = { ...s, wallMs: s.firstAt ? Math.max(0, s.lastAt - s.firstAt) : 0 };
    const result: RunSummary = {
      pipeline: pipeline.name,
      status,
      startedAt: startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      wallMs: endedAt.getTime() - startedAt.getTime(),
      source: { name: source.name, read: counts.read, invalid: counts.invalid, skipped: counts.skipped, done: counts.done },
      steps: stepSummary,
      written,
      failed: counts.failed,
      ...((failedSink as { path?: string }).path ? { failedPath: (failedSink as { path?: string }).path } : {}),
      ...(fatal ? { error: describeError(fatal) } : {}),
    };
    for (const [key, service] of services) {
      const snapshot = (service as { snapshot?: () => unknown }).snapshot;
      if (typeof snapshot === 'function') result[key] = snapshot.call(service);
    }
    if (runDir) {
      result.runDir = { path: runDir.dir, resumed: runDir.resuming, droppedLines: runDir.dropped };
      await runDir.finish(result);
    }
    events.complete();
    if (fatal) {
      (fatal as Error & { summary?: RunSummary }).summary = result;
      throw fatal;
    }
    return result;
  })();

  return {
    summary,
    events,
    stop: (reason) => stop(reason ?? 'stopped'),
    abort: (reason) => {
      stop(reason ?? 'aborted');
      hard.abort(new SluiceError(`The run was aborted: ${reason ?? 'aborted'}`));
    },
    live: {
      steps: stats,
      budget,
      failed: () => counts.failed,
      source: () => ({ read: counts.read, skipped: counts.skipped, done: counts.done, invalid: counts.invalid }),
      written: () => written,
      services,
    },
  };
}
