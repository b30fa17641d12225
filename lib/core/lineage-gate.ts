/**
 * With a run directory, a row's line and then its lineage line must both be written before the
 * row counts as written. The lineage line follows its data line, never goes first: a row that
 * fails to be written leaves the sidecar in step with the output.
 * @module
 */
import type { RunLedger } from './run-services.ts';
import type { Sink } from './sink.ts';

export class LineageGate {
  /** Set once the run directory is open. */
  ledger: RunLedger | undefined;

  /** `done`, called once after the data line and its lineage line are both written (or either failed). */
  after(target: Sink, leaf: string, lineage: readonly string[], done: (error?: Error | null) => void): (error?: Error | null) => void {
    const ledger = this.ledger;
    const file = ledger ? target.pathFor?.(leaf) : undefined;
    if (!ledger || file === undefined) return done;
    return (error) => {
      if (error) done(error);
      else ledger.lineage(file, lineage, done);
    };
  }
}
