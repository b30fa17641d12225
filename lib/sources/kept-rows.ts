/**
 * The rows a finished (or running) run kept of a step (`--keep`, `keep(step)`, `keep: true`), as a
 * source: a later pipeline reads a step's output as its input, the way a tracked job's artifacts
 * feed the next job. Streamed from `<run-dir>/steps/<step>.jsonl`, in the order they were kept.
 * @module
 */
import { existsSync } from 'node:fs';
import { keptSteps } from '../core/kept-steps.ts';
import type { Row } from '../core/row.ts';
import type { Source, SourceItem } from '../core/source.ts';
import { ndjsonFile } from './ndjson-file.ts';

export interface KeptRowsOptions {
  /** Also give each row the id and lineage it had in the run, as `_kept: { id, lineage }`. Default false. */
  withIds?: boolean;
}

/**
 * @example
 * // After `sluice run tracked.ts --run-dir runs/a` with `keep(map(clean, { name: 'clean' }))`:
 * await pipeline('report').from(keptRows('runs/a', 'clean')).pipe(…).to(toNdjsonFile('report.jsonl')).run();
 */
export function keptRows<R extends object = Row>(runDir: string, step: string, { withIds = false }: KeptRowsOptions = {}): Source<R> {
  const path = keptSteps.path(runDir, step);
  const file = ndjsonFile<{ id: string; lineage: string[]; row: R }>(path, { name: step });
  return {
    name: step,
    path,
    async *read(signal) {
      if (!existsSync(path)) throw keptSteps.missing(runDir, step);
      for await (const batch of file.read(signal)) {
        yield batch.map((item): SourceItem<R> => {
          if (!item.ok) return item;
          const { id, lineage, row } = item.row;
          return { ok: true, position: item.position, row: (withIds ? { ...row, _kept: { id, lineage } } : row) as R };
        });
      }
    },
  };
}
