/**
 * The options of a run, its handle, and what the engine needs of a pipeline.
 * @module
 */
import type { Observable } from 'rxjs';
import type { Envelope } from './envelope.ts';
import type { SluiceEvent } from './events.ts';
import type { RunServices } from './run-services.ts';
import type { StepStats } from './step-stats.ts';
import type { AnyStep, ErrorPolicy } from './step.ts';
import type { RunSummary } from './summary.ts';
import type { Sink } from './sink.ts';
import type { Source } from './source.ts';

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
  /**
   * The request cache: a folder, or `false` to turn it off. Default: `SLUICE_CACHE_DIR`, else
   * `.sluice/cache` (`SLUICE_NO_CACHE=1` turns it off).
   */
  cache?: false | string;
  /** A run directory: records the run, and resumes it if an earlier attempt did not finish. */
  runDir?: string;
  /** With `runDir`: the steps whose output rows are kept in it (`steps/<step>.jsonl`), by name. */
  keep?: readonly string[];
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
  readonly defaults: Readonly<Omit<RunOptions, 'source' | 'sink' | 'failed'>>;
  /** Makes the default failed-rows sink (a lazily created file). */
  readonly defaultFailedSink: (sink?: Sink | Readonly<Record<string, Sink>>) => Sink & { path?: string };
}

export interface RunHandle {
  /** Resolves with the summary when the run ends (status `ok`, `failed-rows` or `interrupted`); rejects on errors. */
  readonly summary: Promise<RunSummary>;
  /** The run's events, as they happen (read-only: subscribe to it). */
  readonly events: Observable<SluiceEvent>;
  /** Stops reading, drains the rows in flight, flushes the sinks. */
  stop(reason?: string): void;
  /** Stops reading and aborts the work in flight (HTTP requests are cancelled; their rows fail as aborted). */
  abort(reason?: string): void;
  /** Live counters, for progress displays. */
  readonly live: {
    readonly steps: ReadonlyMap<string, StepStats>;
    /** Source records in flight (pulled and not done) and the budget's size. */
    readonly budget: { readonly inFlight: number; readonly size: number };
    readonly failed: () => number;
    /** Source records read, skipped (resume) and done so far. */
    readonly source: () => { read: number; skipped: number; done: number; invalid: number };
    /** Rows written so far, per leaf. */
    readonly written: () => Readonly<Record<string, number>>;
    /** Run services with a `snapshot()` (LLM usage under `llm`, the cache under `cache`). */
    readonly services: ReadonlyMap<string, unknown>;
  };
}

/** What the package's own adapters pass besides the options; not part of the public API. */
export interface RunInternals {
  /** Receives rows instead of the sinks (embedding adapters). Must release the permit when the row is consumed. */
  readonly deliver?: (envelope: Envelope) => void;
  /** Services shared by steps (LLM accounting, caches), when the caller shares them across runs. */
  readonly services?: Map<string, unknown>;
  /** The cache and the run directory, plugged in by the caller. */
  readonly plugins?: RunServices;
}
