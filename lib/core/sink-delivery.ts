/**
 * Where a row goes at the end of the steps: to the sink of its leaf. The row counts as written, and
 * its permit is released, only once the sink acknowledged it (and its lineage line, with a run
 * directory). A row the sink cannot take becomes a failed row; a sink that fails stops the run.
 * @module
 */
import { type Envelope, leafOf } from './envelope.ts';
import { describeError, SinkWriteError } from './errors.ts';
import { type FailedRowWriter, isNotJson } from './failed-row-writer.ts';
import type { LineageGate } from './lineage-gate.ts';
import type { Outputs } from './outputs.ts';
import type { Row } from './row.ts';
import type { RunControl } from './run-control.ts';
import { setOwn } from './set-own.ts';

/** A write error that is the row's own (it cannot be serialised, its leaf has no file of its own, a column its file lacks), not the sink's. */
function isRowLevel(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return isNotJson(error) || code === 'SLUICE_SINK_LEAF_CONFLICT' || code === 'SLUICE_OUTPUT_COLUMNS' || code === 'SLUICE_OUTPUT_TYPE';
}

export function sinkDelivery(
  outputs: Outputs,
  gate: LineageGate,
  failed: FailedRowWriter,
  control: RunControl,
  written: Record<string, number>,
): (envelope: Envelope) => void {
  return function writeToSink(envelope) {
    const leaf = leafOf(envelope);
    const target = outputs.forLeaf(leaf);
    const at = () => new Date().toISOString();
    if (!target) {
      failed.write(
        {
          id: envelope.id,
          step: 'sink',
          error: { code: 'SLUICE_NO_SINK', message: `No sink for leaf \`${leaf}\`. Add one to \`.to({ ${leaf}: … })\`.` },
          row: envelope.row,
          at: at(),
        },
        envelope.permit,
      );
      return;
    }
    target.write(
      envelope.row as Row,
      leaf,
      gate.after(target, leaf, envelope.lineage, (error) => {
        if (error) {
          failed.write({ id: envelope.id, step: 'sink', error: describeError(error), row: envelope.row, at: at() }, envelope.permit, envelope.lineage);
          // A row that cannot be serialised is that row's failure; any other write error is the sink's.
          if (!isRowLevel(error)) {
            control.stop(
              'sink error',
              new SinkWriteError(
                `Could not write to ${target.pathFor?.(leaf) ?? target.name}: ${error.message}. Fix the cause (free some space, or the path), then run the same command again; with --run-dir it resumes where it stopped.`,
                { cause: error },
              ),
            );
          }
          return;
        }
        // Keyed by leaf, which can come from data (`__proto__`, `constructor`).
        setOwn(written, leaf, (Object.hasOwn(written, leaf) ? written[leaf]! : 0) + 1);
        envelope.permit.release();
      }),
    );
  };
}
