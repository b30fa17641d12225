/**
 * The summary a run returns: every row accounted for.
 * @module
 */
import type { StepStats } from './step-stats.ts';

export type RunStatus = 'ok' | 'failed-rows' | 'interrupted' | 'error';

export interface RunSummary {
  pipeline: string;
  status: RunStatus;
  startedAt: string;
  endedAt: string;
  wallMs: number;
  source: {
    name: string;
    /** Records pulled from the source (invalid ones included). */
    read: number;
    /** Records that could not be read (bad JSON…), recorded as failed rows. */
    invalid: number;
    /** Records skipped because an earlier run had finished them (resume). */
    skipped: number;
    /** Records finished: every row descended from them written, dropped or failed. */
    done: number;
  };
  steps: Record<string, StepStats & { wallMs: number }>;
  /** Rows written, per leaf (named output). */
  written: Record<string, number>;
  /** Failed rows written to the failed sink (invalid input included). */
  failed: number;
  /** Where failed rows went, when they went to a file. */
  failedPath?: string;
  /** The error that ended the run, for status `error`. */
  error?: { code: string; message: string };
  /** Extra sections added by services (LLM usage, cache). */
  [section: string]: unknown;
}
