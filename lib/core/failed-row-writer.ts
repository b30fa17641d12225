/**
 * Writes failed rows and applies the run's failure policies: losing a failed row would break the
 * accounting promise, so a failed-rows sink that cannot write stops the run, and so does a failure
 * rate over `maxFailureRate`.
 * @module
 */
import { describeError, FailurePolicyError, SluiceError } from './errors.ts';
import type { FailedRow } from './failed-row.ts';
import type { LineageGate } from './lineage-gate.ts';
import type { Permit } from './permit.ts';
import type { Row } from './row.ts';
import type { RunControl } from './run-control.ts';
import type { RunCounts } from './run-counts.ts';
import type { Sink } from './sink.ts';

export interface FailureRate {
  /** Stops the run when failed rows exceed this share of the records read (0..1). */
  readonly maxFailureRate?: number;
  /** Records to read before `maxFailureRate` applies. */
  readonly minRecords: number;
}

/** A write error that is the row's own (it cannot be serialised), not the sink's. */
export function isNotJson(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'SLUICE_OUTPUT_NOT_JSON';
}

export class FailedRowWriter {
  readonly sink: Sink;
  readonly #control: RunControl;
  readonly #counts: RunCounts;
  readonly #gate: LineageGate;
  readonly #rate: FailureRate;

  constructor(sink: Sink, control: RunControl, counts: RunCounts, gate: LineageGate, rate: FailureRate) {
    this.sink = sink;
    this.#control = control;
    this.#counts = counts;
    this.#gate = gate;
    this.#rate = rate;
  }

  /** Writes the failed row; its permit is released once the line (and its lineage) is written. */
  write(failed: FailedRow, permit: Permit, lineage: readonly string[] = [failed.id]): void {
    const counts = this.#counts;
    counts.failed++;
    const afterWrite = (error?: Error | null) => {
      if (error) this.#control.stop('failed-rows sink error', new SluiceError(`Could not write a failed row: ${error.message}`, { cause: error }));
      permit.release();
    };
    const finish = this.#gate.after(this.sink, 'failed', lineage, (error) => {
      if (error && isNotJson(error)) {
        // The row itself cannot be written (too deep, a BigInt, a cycle): write the failure without it.
        const { row: _row, ...rest } = failed;
        this.sink.write(
          { ...rest, rowNotWritten: describeError(error).message } as unknown as Row,
          'failed',
          this.#gate.after(this.sink, 'failed', lineage, afterWrite),
        );
        return;
      }
      afterWrite(error);
    });
    this.sink.write(failed as unknown as Row, 'failed', finish);
    const rate = this.#rate.maxFailureRate;
    if (rate !== undefined && counts.read >= this.#rate.minRecords && counts.failed / counts.read > rate) {
      this.#control.stop(
        'failure rate',
        new FailurePolicyError(
          `${counts.failed} of ${counts.read} records failed, over the allowed rate of ${rate}. ` +
            'See the failed rows for the reasons, or raise `maxFailureRate`.',
        ),
      );
    }
  }
}
