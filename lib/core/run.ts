/**
 * The run engine: compiles a pipeline into one observable from the pull source through the
 * steps to the sinks, and accounts for every record. The parts it wires live beside it: the stop
 * control (`run-control.ts`), step contexts and the failure policy (`step-context.ts`,
 * `failed-row-writer.ts`), delivery to sinks (`sink-delivery.ts`), the summary
 * (`run-summary.ts`); the cache and the run directory are services the caller plugs in
 * (`run-services.ts`).
 * @module
 */
import { finalize, identity, type OperatorFunction, Subject, tap } from 'rxjs';
import { Budget } from './budget.ts';
import { closedColumns, unknownColumns } from './columns.ts';
import { checkPositiveInt } from './define-step.ts';
import { describeSteps } from './describe-steps.ts';
import { watchEmptyLoop } from './empty-loop.ts';
import type { Envelope } from './envelope.ts';
import { describeError, NoProgressError, SluiceConfigError, SluiceError } from './errors.ts';
import type { SluiceEvent } from './events.ts';
import { FailedRowWriter } from './failed-row-writer.ts';
import { LineageGate } from './lineage-gate.ts';
import { Outputs } from './outputs.ts';
import { pullSource } from './pull-source.ts';
import { consoleCapture } from './console-capture.ts';
import { quietOperator } from './quiet-operator.ts';
import { RunTelemetry } from './run-telemetry.ts';
import type { Row } from './row.ts';
import { RunControl } from './run-control.ts';
import type { RunCounts } from './run-counts.ts';
import type { RunHandle, RunInternals, RunnablePipeline, RunOptions } from './run-options.ts';
import type { RunLedger } from './run-services.ts';
import { summarize } from './run-summary.ts';
import { sinkDelivery } from './sink-delivery.ts';
import { sinkLocation } from './sink-location.ts';
import { stepContext } from './step-context.ts';
import { nameSteps } from './step-names.ts';
import type { StepStats } from './step-stats.ts';
import type { AnyStep } from './step.ts';
import type { RunSummary } from './summary.ts';
import { validateSteps } from './validate-steps.ts';

/** Starts a run of `pipeline`; `internals` are the package's own (adapters, plugged-in services). */
export function startRun(pipeline: RunnablePipeline, runOptions: RunOptions = {}, internals: RunInternals = {}): RunHandle {
  const options: RunOptions = { ...pipeline.defaults, ...runOptions };
  const source = options.source ?? pipeline.source;
  const sink = options.sink ?? pipeline.sink;
  const budget = new Budget(options.budget ?? 1024);
  const events = new Subject<SluiceEvent>();
  if (options.onEvent) events.subscribe(options.onEvent);
  const control = new RunControl(events, options.graceMs ?? 30_000);
  const stats = new Map<string, StepStats>();
  const services = internals.services ?? new Map<string, unknown>();
  const telemetry = new RunTelemetry(pipeline.name, stats, services);
  const written: Record<string, number> = {};
  const counts: RunCounts = { read: 0, invalid: 0, skipped: 0, done: 0, failed: 0 };
  const startedAt = new Date();
  const cache = internals.plugins?.openCache && !services.has('cache') ? internals.plugins.openCache(options.cache) : undefined;
  if (cache) services.set('cache', cache);
  if (options.concurrency !== undefined) services.set('concurrency', checkPositiveInt('concurrency', options.concurrency));
  if (options.limit !== undefined) checkPositiveInt('limit', options.limit);
  if (options.maxFailureRate !== undefined && !(options.maxFailureRate >= 0 && options.maxFailureRate <= 1)) {
    throw new SluiceConfigError(`Expected \`maxFailureRate\` to be a number from 0 to 1, got \`${options.maxFailureRate}\``, {
      option: 'maxFailureRate',
      expected: 'a number from 0 to 1',
      received: options.maxFailureRate,
    });
  }
  let onAllDone: (() => void) | undefined;
  const gate = new LineageGate();
  const failedSink = options.failed ?? pipeline.failed ?? pipeline.defaultFailedSink(sink);
  const failed = new FailedRowWriter(failedSink, control, counts, gate, {
    ...(options.maxFailureRate !== undefined ? { maxFailureRate: options.maxFailureRate } : {}),
    minRecords: options.minRecords ?? 100,
  });
  options.signal?.addEventListener('abort', () => control.stop('aborted'), { once: true });

  const taken = new Set<string>();
  // Steps whose output rows the run directory keeps (`keep`), and where they go once it is open.
  const kept = new Set(options.keep ?? []);
  let keeper: RunLedger['keep'];
  // Steps flagged `keep` or `quiet` in the pipeline itself, by qualified name.
  const flaggedKeep: string[] = [];
  const quietSteps: string[] = [];
  const consoleLines = { captured: 0, dropped: 0 };
  let consoleWriter: RunLedger['console'];
  let releaseConsole: (() => void) | undefined;
  let openedDir: string | undefined;
  function compile(steps: readonly AnyStep[], prefix: string): OperatorFunction<Envelope, Envelope> {
    const names = nameSteps(steps, prefix ? `${prefix}/` : '', taken);
    const scope = { control, events, services, failed, stats, defaultPolicy: options.onError ?? 'skip', compile, runDir: () => openedDir, telemetry };
    const operators = steps.map((step, i): OperatorFunction<Envelope, Envelope> => {
      const ctx = stepContext(scope, step, names[i]!);
      const stepOperator = step.operator(ctx);
      const name = names[i]!;
      if (step.keep) flaggedKeep.push(name);
      let inner = stepOperator;
      if (step.quiet) {
        quietSteps.push(name);
        inner = quietOperator(stepOperator, (level, text) => {
          if (consoleWriter) {
            consoleLines.captured++;
            consoleWriter(name, level, text);
          } else consoleLines.dropped++;
        });
      }
      const operator: OperatorFunction<Envelope, Envelope> =
        kept.has(name) || step.keep
          ? (input) => inner(input).pipe(tap((envelope) => keeper?.(name, { id: envelope.id, lineage: envelope.lineage, row: envelope.row })))
          : inner;
      return (input) =>
        operator(input).pipe(
          finalize(() => {
            ctx.stats.lastAt = Date.now();
            telemetry.stepDone(name, ctx.stats);
            if (events.observed) events.next({ type: 'step-done', step: ctx.step });
          }),
        );
    });
    if (operators.length === 0) return identity;
    return (input) => operators.reduce((stream, operator) => stream.pipe(operator), input);
  }

  const summary = (async (): Promise<RunSummary> => {
    if (!source) {
      throw new SluiceConfigError(
        `Pipeline \`${pipeline.name}\` has no source. Give it one with \`.from(…)\`, or pass \`source\` to \`run()\` (the CLI reads stdin or \`--input\`).`,
        { option: 'source', expected: 'a source', received: undefined },
      );
    }
    if (!sink && !internals.deliver) {
      throw new SluiceConfigError(
        `Pipeline \`${pipeline.name}\` has no sink. Give it one with \`.to(…)\`, or pass \`sink\` to \`run()\` (the CLI writes stdout or \`--output\`).`,
        { option: 'sink', expected: 'a sink', received: undefined },
      );
    }
    validateSteps(pipeline.steps, source.columns ? closedColumns(source.columns) : unknownColumns);

    const outputs = new Outputs(sink ?? {});
    const sinks = outputs.all;
    let ledger: RunLedger | undefined;
    // Compiled before the run directory opens: a `keep` naming no step is refused with nothing locked.
    const stepsOperator = compile(pipeline.steps, '');
    const unknown = [...kept].filter((name) => !taken.has(name));
    if (unknown.length > 0) {
      throw new SluiceConfigError(
        `\`keep\` names no step called ${unknown.map((n) => `\`${n}\``).join(', ')}. The steps are: ${[...taken].map((n) => `\`${n}\``).join(', ')}.`,
        {
          option: 'keep',
          expected: 'step names',
          received: unknown,
        },
      );
    }
    if (kept.size > 0 && !options.runDir) {
      throw new SluiceConfigError('`keep` writes step outputs into the run directory: give the run one (`--run-dir`).', {
        option: 'keep',
        expected: 'a run directory',
        received: [...kept],
      });
    }
    if (options.runDir) ledger = await openLedger(options.runDir);
    gate.ledger = ledger;
    keeper = ledger?.keep?.bind(ledger);
    consoleWriter = ledger?.console?.bind(ledger);
    openedDir = ledger?.dir;
    if (quietSteps.length > 0) releaseConsole = consoleCapture.hold();
    const append = ledger?.resuming === true;
    const opening = { append, ...(ledger ? { staging: ledger.staging } : {}) };
    await Promise.all(sinks.map((s) => s.open?.(opening)));
    await failedSink.open?.(opening);

    const deliver = internals.deliver ?? sinkDelivery(outputs, gate, failed, control, written);
    const source$ = pullSource(source, budget, control.stopping.signal, {
      counted: (kind) => counts[kind]++,
      invalid: (item, id, permit) => {
        counts.invalid++;
        failed.write(
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
        ledger?.markDone(id);
        options.onDone?.(id);
        if (counts.done === counts.read) onAllDone?.();
      },
      ...(ledger?.resuming ? { skip: (id: string) => ledger.isDone(id) || options.skip?.(id) === true } : options.skip ? { skip: options.skip } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      ...(source.columns ? {} : { first: (row: Row) => validateSteps(pipeline.steps, closedColumns(Object.keys(row))) }),
    });

    await flow(stepsOperator(source$), deliver);
    if (internals.deliver && counts.done < counts.read && !control.fatal) {
      // The consumer (an async iterable) still holds rows: the run ends when it has taken them all,
      // or, after a stop, when what it holds is released and the rest was cut short (never done).
      await Promise.race([new Promise<void>((resolve) => (onAllDone = resolve)), budget.whenEmpty()]);
    }
    control.settle();
    const closing = await Promise.allSettled(sinks.map((s) => s.close()));
    await cache?.close();
    await failedSink.close();
    // The last lineage lines finish the last records: flush them before counting and closing the ledger.
    await ledger?.flushLineage();
    for (const result of closing) if (result.status === 'rejected') control.fatal ??= result.reason as Error;

    releaseConsole?.();
    const result = summarize({ pipeline: pipeline.name, source: source.name, startedAt, counts, stats, written, failedSink, control, services });
    if (flaggedKeep.length > 0 || kept.size > 0) result.kept = { steps: [...new Set([...kept, ...flaggedKeep])], ...(ledger ? { dir: ledger.dir } : {}) };
    if (quietSteps.length > 0) result.console = { steps: quietSteps, ...consoleLines, ...(ledger ? { file: `${ledger.dir}/console.log` } : {}) };
    if (ledger) {
      result.runDir = { path: ledger.dir, resumed: ledger.resuming, droppedLines: ledger.dropped };
      await ledger.finish(result);
    }
    telemetry.finish(result, control.fatal);
    events.complete();
    if (control.fatal) {
      (control.fatal as Error & { summary?: RunSummary }).summary = result;
      throw control.fatal;
    }
    return result;

    async function openLedger(dir: string): Promise<RunLedger> {
      // A queue keeps its own record of what is done; the ledger's ids would not match its next delivery.
      if (typeof source!.done === 'function') {
        throw new SluiceConfigError(
          `Source \`${source!.name}\` acknowledges each record itself (a queue such as a Redis stream): what is done is kept by the queue, so it cannot be used with a run directory. ` +
            'Run without --run-dir: a record whose rows a stop cut short is delivered again.',
          { option: 'runDir', expected: 'a source read from the start on every run (a file, a URL, a dataset)', received: source!.name },
        );
      }
      // Resume repairs files and appends to them: a sink that cannot do both would lose or repeat rows.
      const unresumable = sinks.find((s) => typeof s.pathFor !== 'function' || typeof s.open !== 'function');
      if (unresumable) {
        throw new SluiceConfigError(
          `Sink \`${unresumable.name}\` cannot be resumed, so it cannot be used with a run directory: resume needs sinks that name their files (\`pathFor\`) and append to them (\`open({ append })\`). ` +
            'Files and folders in every format can (`-o out.parquet`, `-o out/ --format csv`, also with `--chunk-size`), and so can a Hub dataset written by `sluice run`; standard output and a Redis stream cannot. Write to a file, or run without a run directory.',
          { option: 'runDir', expected: 'sinks that name their files and append to them', received: unresumable.name },
        );
      }
      if (!internals.plugins?.openLedger) {
        throw new SluiceConfigError('`runDir` needs the run-directory service: start the run with `pipeline.run()` or `pipeline.start()`.', {
          option: 'runDir',
          expected: 'a run started by a pipeline',
          received: dir,
        });
      }
      const failedPath = (failedSink as { path?: string }).path;
      return internals.plugins.openLedger({
        dir,
        pipeline: pipeline.name,
        definition: { name: pipeline.name, source: source!.name, steps: describeSteps(pipeline.steps) },
        ...(options.command ? { command: options.command } : {}),
        // A folder sink is its folder (`out/`), not a file of a leaf that may never be written.
        outputs: Object.fromEntries(sinks.map((s) => [s.name, sinkLocation(s) ?? s.name])),
        ...(failedPath ? { failedPath } : {}),
        // Records named by their content are found again in an edited input: nothing to compare.
        ...(source!.ids === 'content' ? {} : source!.path !== undefined ? { inputPath: source!.path } : {}),
        ...(source!.ids !== 'content' && source!.path === undefined && source!.fingerprint ? { inputFingerprint: () => source!.fingerprint!() } : {}),
        ...(options.codeFingerprint ? { codeFingerprint: options.codeFingerprint } : {}),
        ...(options.record ? { record: options.record } : {}),
        ...(options.restart ? { restart: true } : {}),
        ...(options.acceptChanges ? { acceptChanges: true } : {}),
      });
    }
  })().then(
    (result) => {
      releaseConsole?.();
      return result;
    },
    (error: unknown) => {
      releaseConsole?.();
      // A run that ended on an error before its summary (a refused run directory, a bad sink) ends its spans too.
      if (!(error as { summary?: unknown }).summary) telemetry.finish(undefined, error);
      throw error;
    },
  );

  /**
   * Subscribes and waits for the end. Node empties its event loop only when nothing can happen any
   * more: if that comes while rows are in flight, the run is stuck (a sink holding rows without
   * acknowledging them, beyond the budget); end it with an error and its summary instead of
   * letting the process exit silently.
   */
  async function flow(rows: ReturnType<OperatorFunction<Envelope, Envelope>>, deliver: (envelope: Envelope) => void): Promise<void> {
    let stuck: (() => void) | undefined;
    const unwatch = watchEmptyLoop(() => {
      if (!stuck) return;
      const release = stuck;
      stuck = undefined;
      const held = counts.read - counts.done;
      control.stop(
        'no progress',
        new NoProgressError(
          `The run cannot go on: ${held} record${held === 1 ? ' is' : 's are'} in flight, holding ${budget.inFlight} of the budget's permits, and nothing is left to happen. ` +
            'A sink is likely holding rows without acknowledging them (it must call `done` for each row, not once per group larger than the budget). ' +
            'Fix the sink, or raise the budget (`--budget`) above its group size.',
        ),
      );
      control.hard.abort(control.fatal);
      release();
    });
    try {
      await new Promise<void>((resolve) => {
        const subscription = rows.subscribe({
          next: deliver,
          error: (error: unknown) => {
            control.fatal ??= error instanceof Error ? error : new SluiceError(String(error));
            resolve();
          },
          complete: () => resolve(),
        });
        // Called when the loop empties: stop listening to a stream that will not end.
        stuck = () => {
          subscription.unsubscribe();
          resolve();
        };
        if (subscription.closed) stuck = undefined;
      });
    } finally {
      stuck = undefined;
      unwatch();
    }
  }

  return {
    summary,
    events: events.asObservable(),
    stop: (reason) => control.stop(reason ?? 'stopped'),
    abort: (reason) => control.abort(reason ?? 'aborted'),
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
