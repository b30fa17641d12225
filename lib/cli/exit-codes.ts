/**
 * Exit codes of the `sluice` command. Documented in the README's CLI reference.
 * @module
 */
export const ExitCode = {
  /** Every row written; no failed rows (or failures were allowed). */
  ok: 0,
  /** The run failed: an error stopped it (bad source, sink error, failure policy). */
  runError: 1,
  /** Usage or definition error: bad flags, a module that exports no pipeline, missing columns. */
  usage: 2,
  /** The run finished but some rows failed; they are in the failed-rows file. */
  failedRows: 3,
  /** Interrupted (SIGINT): reading stopped, rows in flight were drained and flushed. */
  interrupted: 130,
} as const;
