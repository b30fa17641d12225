/**
 * A step: a named RxJS operator over row envelopes, with the metadata that drives validation,
 * the graph view, serialization and cache keys.
 * @module
 */
import type { Context } from '@opentelemetry/api';
import type { OperatorFunction, Subject } from 'rxjs';
import type { Columns } from './columns.ts';
import type { Envelope } from './envelope.ts';
import type { SluiceEvent } from './events.ts';
import type { StepStats } from './step-stats.ts';

/** What a step does with a row that fails in it. `fail` stops the run after draining. */
export type ErrorPolicy = 'skip' | 'fail';

declare const addsBrand: unique symbol;
/** Phantom marker: a step whose output is its input row plus (or overriding) the columns of `A`. */
export interface Adds<A> {
  readonly [addsBrand]: A;
}

/** The row type after a step: the input with the step's columns added, or the step's own output type. */
export type Next<Row, Out> =
  Out extends Adds<infer A>
    ? string extends keyof Row
      ? Row & A // An open row (`Record<string, unknown>`): mapping over its keys would lose `A`'s.
      : { [K in keyof (Omit<Row, keyof A> & A)]: (Omit<Row, keyof A> & A)[K] }
    : Out;

/** Handed to a step's operator factory when the pipeline is compiled for a run. */
export interface StepContext {
  /** The step's qualified name (`branch/step` inside branches). */
  readonly step: string;
  readonly stats: StepStats;
  /** Aborted when the run is stopped hard; pass it to I/O. */
  readonly signal: AbortSignal;
  /** Aborted when the run stops taking work (a signal, a fatal error): start nothing new, such as a retry. */
  readonly stopping?: AbortSignal;
  /** The run's event stream. Emit only when `events.observed`, to keep the hot path cheap. */
  readonly events: Subject<SluiceEvent>;
  /**
   * Records a per-row failure: writes the failed row, releases its permit, counts it, applies the
   * policy. An abandoning error (`isAbandoning`) leaves the row not done instead, for a resume.
   */
  fail(envelope: Envelope<unknown>, error: unknown, extra?: { attempts?: number; raw?: string }): void;
  /** Drops a row on purpose (a filter, an empty scatter): releases its permit and counts it. */
  drop(envelope: Envelope<unknown>): void;
  /** Compiles a nested chain of steps (a branch) under `prefix`, for steps that hold branches. */
  compile(steps: readonly AnyStep[], prefix: string): OperatorFunction<Envelope, Envelope>;
  /** Services shared by the run (LLM accounting, caches), by key. */
  readonly services: Map<string, unknown>;
  /** The run directory, once the run has opened one. */
  readonly runDir?: string | undefined;
  /** The OpenTelemetry context of the step's span: LLM steps start their request spans under it. */
  readonly telemetry?: Context | undefined;
}

export interface StepInfo {
  /** Unique within the pipeline; the summary, the graph and cache keys use it. */
  readonly name: string;
  /** True when the user chose the name (duplicates are then an error, not renamed). */
  readonly named: boolean;
  /** The builder that made it: `map`, `scatter`, `generate`… */
  readonly kind: string;
  /** Bumped when the step's behaviour changes, so cached results are not reused across it. */
  readonly version: number;
  /** Parameters that define the step's output (JSON-serialisable), for the graph, saving and cache keys. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Columns the step reads. */
  readonly needs: readonly string[];
  /**
   * How the step changes the columns; validation threads `Columns` through it.
   * Steps with branches get the columns each branch ends with.
   */
  columnsAfter(input: Columns, branchOutputs?: Readonly<Record<string, Columns>>): Columns;
  /** Branches the step holds (broadcast, route), for validation and the graph. */
  readonly branches?: Readonly<Record<string, readonly AnyStep[]>>;
  /**
   * The step handles each row on its own and keeps nothing across rows (map, filter, scatter, the
   * LLM steps): its rows may run in any process, so a run with workers hands it to them.
   */
  readonly rowWise?: boolean;
  /** Failure policy for rows failing in this step (default: the pipeline's). */
  readonly onError?: ErrorPolicy;
  /** Its output rows are kept in the run directory (`keep(step)`, `keep: true`): how a run runs, not what it makes. */
  readonly keep?: boolean;
  /** Its console output goes to the run directory's `console.log` (`quiet(step)`, `quiet: true`). */
  readonly quiet?: boolean;
  /**
   * Shared objects the step uses, by role (`{ llm }` for LLM steps), so that saving a pipeline
   * can name them and write their configuration.
   */
  readonly resources?: Readonly<Record<string, unknown>>;
}

export interface Step<In = any, Out = any> extends StepInfo {
  operator(ctx: StepContext): OperatorFunction<Envelope<In>, Envelope<any>>;
  /** Phantom: carries the row types for inference. Never set. */
  readonly __types?: { readonly in: (row: In) => void; readonly out: Out };
}

export type AnyStep = Step<any, any>;

/** Options every built-in step accepts. */
export interface StepOptions {
  /** Unique step name; defaults to the builder's kind. */
  name?: string;
  /** What to do with a row that fails in this step. */
  onError?: ErrorPolicy;
}
