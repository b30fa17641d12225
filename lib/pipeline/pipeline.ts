/**
 * The pipeline builder: a source, a chain of steps, and sinks, composed into one observable per run.
 * @module
 */
import { Chain } from '../core/chain.ts';
import { closedColumns, unknownColumns } from '../core/columns.ts';
import { SluiceConfigError } from '../core/errors.ts';
import type { Row } from '../core/row.ts';
import { startRun } from '../core/run.ts';
import type { RunHandle, RunnablePipeline, RunOptions } from '../core/run-options.ts';
import type { AnyStep } from '../core/step.ts';
import type { RunSummary } from '../core/summary.ts';
import { validateSteps } from '../core/validate-steps.ts';
import { toFailedFile } from '../sinks/failed-rows.ts';
import type { Sink } from '../core/sink.ts';
import type { Source } from '../core/source.ts';
import { standardRunServices } from './standard-run-services.ts';

declare module '../core/chain.ts' {
  /** A pipeline's `pipe` returns a pipeline. */
  interface ChainKinds<R, In> {
    pipeline: Pipeline<R, In>;
  }
}

export type PipelineDefaults = RunnablePipeline['defaults'];

interface PipelineParts {
  readonly name: string;
  readonly steps: readonly AnyStep[];
  readonly source: Source<any> | undefined;
  readonly sink: Sink | Readonly<Record<string, Sink>> | undefined;
  readonly failed: Sink | undefined;
  readonly defaults: PipelineDefaults;
}

/**
 * A pipeline of rows of type `R`. Immutable: every method returns a new pipeline.
 * @example
 * const p = pipeline('clean')
 *   .from(ndjsonFile('rows.jsonl'))
 *   .pipe(map((row) => ({ ...row, text: String(row.text).trim() })), filter((row) => row.text !== ''))
 *   .to(toNdjsonFile('out.jsonl'));
 * const summary = await p.run();
 */
export class Pipeline<R = Row, I = unknown> extends Chain<R, 'pipeline', I> implements RunnablePipeline {
  readonly name: string;
  readonly source: Source<any> | undefined;
  readonly sink: Sink | Readonly<Record<string, Sink>> | undefined;
  readonly failed: Sink | undefined;
  readonly defaults: PipelineDefaults;

  constructor(parts: PipelineParts) {
    super(parts.steps);
    this.name = parts.name;
    this.source = parts.source;
    this.sink = parts.sink;
    this.failed = parts.failed;
    this.defaults = parts.defaults;
  }

  #parts(): PipelineParts {
    return { name: this.name, steps: this.steps, source: this.source, sink: this.sink, failed: this.failed, defaults: this.defaults };
  }

  protected override with(steps: readonly AnyStep[]): Pipeline<any, I> {
    return new Pipeline({ ...this.#parts(), steps: [...this.steps, ...steps] });
  }

  /** Sets the source. Its row type becomes the pipeline's input type. */
  from<S extends object>(source: Source<S>): Pipeline<S, S> {
    if (this.steps.length > 0) {
      throw new SluiceConfigError("Call `.from(source)` before `.pipe(…)`: the steps are typed by the source's rows.");
    }
    return new Pipeline<S, S>({ ...this.#parts(), source });
  }

  /** Sets where rows go: one sink for every leaf, or one per leaf name (`'*'` for the rest). */
  to(sink: Sink | Readonly<Record<string, Sink>>): Pipeline<R, I> {
    return new Pipeline<R, I>({ ...this.#parts(), sink });
  }

  /** Sets where failed rows go (default: `failed.jsonl`, created only if a row fails). */
  failedTo(sink: Sink): Pipeline<R, I> {
    return new Pipeline<R, I>({ ...this.#parts(), failed: sink });
  }

  /** Sets run defaults (budget, failure policy…); `run()` options override them. */
  configure(defaults: PipelineDefaults): Pipeline<R, I> {
    return new Pipeline<R, I>({ ...this.#parts(), defaults: { ...this.defaults, ...defaults } });
  }

  /**
   * Where failed rows go when nothing else is set: beside the output file (`out/qa.failed.jsonl`),
   * in the output folder (`out/failed.jsonl`), else `failed.jsonl` in the working directory, appended
   * to, so that runs at the same time cannot clobber each other's.
   */
  defaultFailedSink(sink: Sink | Readonly<Record<string, Sink>> | undefined = this.sink): Sink & { path?: string } {
    const beside = sink && typeof (sink as Sink).write === 'function' ? (sink as Sink).failedPath : undefined;
    return beside === undefined ? toFailedFile('failed.jsonl', { append: true }) : toFailedFile(beside);
  }

  /** Checks that every step's inputs are produced upstream, against the source's declared columns or `columns`. */
  validate(columns?: readonly string[]): void {
    const known = columns ?? this.source?.columns;
    validateSteps(this.steps, known ? closedColumns(known) : unknownColumns);
  }

  /** Starts a run and returns a handle (summary promise, events, `stop()`). */
  start(options?: RunOptions): RunHandle {
    return startRun(this, options, { plugins: standardRunServices });
  }

  /** Runs to the end and resolves with the summary. */
  run(options?: RunOptions): Promise<RunSummary> {
    return this.start(options).summary;
  }

  /**
   * Writes the pipeline's definition to `path` (YAML, or JSON for `.json`), for `loadDefinition`
   * or `sluice run`. Only built-in steps can be saved; a step running your own code is an error
   * that says to use an `import:` step. Loads `sluice/config` (and `yaml`) on first use.
   * @example
   * await pipeline('qa').pipe(generate({ llm, prompt: 'Answer: {{ question }}', as: 'answer' })).save('qa.yaml');
   */
  async save(path: string): Promise<void> {
    const { savePipeline } = await import('../config/save-definition.ts');
    await savePipeline(this, path);
  }
}

/** Starts a pipeline named `name`, for rows of type `R` (set by `.from(source)` when there is one). */
export function pipeline<R extends object = Row>(name: string, defaults: PipelineDefaults = {}): Pipeline<R, R> {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new SluiceConfigError(`Expected the pipeline \`name\` to be a non-empty string, got \`${String(name)}\``);
  }
  return new Pipeline<R, R>({ name, steps: [], source: undefined, sink: undefined, failed: undefined, defaults });
}
