/**
 * What crosses to a worker thread for one unit of work, and what the thread entry does with it:
 * load the user's module once per thread, call its export with the row (or the batch of rows).
 * Functions cannot cross threads: the work is named by module and export instead.
 * @module
 */

export interface ThreadTask {
  /** The module's file URL. */
  module: string;
  /** Its export to call. */
  export: string;
  /** Passed to the function beside the row (structured-cloned). */
  params: Record<string, unknown>;
  /**
   * `rows`: call the export once per row (an error is that row's result); `batch`: once with all
   * the rows; `probe`: load the module and check the export, before any row.
   */
  mode: 'rows' | 'batch' | 'probe';
  /** The rows, with their ids in `ids`. */
  input?: unknown;
  ids?: readonly string[];
}
