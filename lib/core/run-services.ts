/**
 * What a run plugs in for the cache and the run directory. The core knows these contracts only:
 * `lib/pipeline/standard-run-services.ts` fills them with the LMDB request cache and the run
 * directory, so that the engine itself loads neither.
 * @module
 */
import type { RunSummary } from './summary.ts';

/** A run directory, as the engine uses it: the done ledger, the lineage sidecars, the record of the run. */
export interface RunLedger {
  readonly dir: string;
  /** Where sinks keep the line copies of files written whole (`stagingPaths`). */
  readonly staging: string;
  /** True when an earlier attempt did not finish and this run picks it up. */
  readonly resuming: boolean;
  /** Torn lines dropped from the outputs while repairing them for the resume. */
  readonly dropped: number;
  isDone(id: string): boolean;
  markDone(id: string): void;
  /** Appends the lineage line of a row just written to `file`; `done` once it is written. */
  lineage(file: string, ids: readonly string[], done: (error?: Error | null) => void): void;
  flushLineage(): Promise<void>;
  /** Keeps a row a step passed on (`keep`), with its id and lineage, for a look back after the run. */
  keep?(step: string, row: { readonly id: string; readonly lineage: readonly string[]; readonly row: unknown }): void;
  /** Appends a console line of a `quiet` step to `console.log`. */
  console?(step: string, level: string, text: string): void;
  /** Records the summary and releases the directory. */
  finish(summary: RunSummary): Promise<void>;
}

/** What opening a run directory needs to know about the run. */
export interface LedgerRequest {
  readonly dir: string;
  readonly pipeline: string;
  /** The definition's steps and params, compared on resume. */
  readonly definition: Readonly<Record<string, unknown>>;
  readonly command?: readonly string[];
  /** Output names to files or folders. */
  readonly outputs: Readonly<Record<string, string>>;
  readonly failedPath?: string;
  /** The source file, when it is one: its fingerprint is compared on resume. */
  readonly inputPath?: string;
  /** An input that is not a file, fingerprinted by its source (see `Source.fingerprint`). */
  readonly inputFingerprint?: () => Promise<{ location: string; size: number; sha256: string } | undefined>;
  readonly codeFingerprint?: string;
  readonly record?: { readonly fields?: Readonly<Record<string, unknown>>; readonly definitionYaml?: string };
  readonly restart?: boolean;
  readonly acceptChanges?: boolean;
}

/** A request cache, as the engine sees it: something to close when the run ends. */
export interface CacheService {
  close(): Promise<void>;
}

export interface RunServices {
  /** The request cache for the run's `cache` option (`undefined`: the default), or none. */
  openCache?(option: false | string | undefined): CacheService | undefined;
  /** Opens a run directory, or resumes it when an earlier attempt did not finish. */
  openLedger?(request: LedgerRequest): Promise<RunLedger>;
}
