/**
 * What a worker sends back for one task: the rows the segment made of it, each with its id's
 * suffix under the task's row (`.0`, `.1.2`), and the rows that failed, with their step and reason.
 * @module
 */
import type { UsageDelta } from './worker-counts.ts';

export interface RemoteFailure {
  /** The failed row's id suffix under the task's row (empty for the row itself). */
  readonly suffix: string;
  readonly step: string;
  readonly error: { readonly code: string; readonly message: string };
  readonly row?: unknown;
  readonly attempts?: number;
  readonly raw?: string;
}

export interface TaskResult {
  /** The task's key, given by its coordinator. */
  readonly key: string;
  readonly rows: readonly (readonly [suffix: string, row: unknown])[];
  readonly failed: readonly RemoteFailure[];
  /** The worker's LLM usage since its previous result. */
  readonly usage?: Readonly<Record<string, UsageDelta>>;
}
