/**
 * A folder sink laid out as a Hub dataset (distilabel's Distiset): one config per leaf (`default`
 * for the unnamed one), its rows in Parquet shards `<config>/<split>-00000-of-0000N.parquet`, and
 * a `README.md` dataset card whose `configs:` the Hub's viewer reads. `sluice push` uploads it.
 * @module
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Sink } from '../core/sink.ts';
import { toChunkedFiles } from '../sinks/chunked-files.ts';
import { leafFileName } from '../sinks/leaf-folder.ts';
import { toParquetFile } from '../sinks/parquet-file.ts';
import { writeDatasetCard } from './dataset-card.ts';

export interface DatasetFolderOptions {
  /** The split the rows are. Default `train`. */
  split?: string;
  /** Rows per Parquet shard. Default: one shard per config. */
  chunkSize?: number;
  /** Rows per Parquet row group (default 10,000). */
  rowGroupSize?: number;
  /** `owner/name`, for the card's loading example. */
  repo?: string;
  /** Write the card when the sink closes. Default true; false when the caller writes it after the run (with its summary). */
  card?: boolean;
}

/**
 * Writes a dataset folder; its card is written when the sink closes (with the rows each config
 * got). Call `writeDatasetCard` after the run to add the run's summary and `pipeline.yaml`.
 * @example
 * await pipeline('qa').from(rows).pipe(…).to(toDatasetFolder('out')).run();
 */
export function toDatasetFolder(dir: string, { split = 'train', chunkSize, rowGroupSize, repo, card = true }: DatasetFolderOptions = {}): Sink {
  const shards = toChunkedFiles(dir, {
    chunkSize: chunkSize ?? Number.MAX_SAFE_INTEGER,
    extension: '.parquet',
    // A leaf's config: `default` for the unnamed leaf, else its name (`a/b` → `a__b`).
    stem: (leaf) => join(leafFileName(leaf), split),
    make: (path) => toParquetFile(path, rowGroupSize ? { rowGroupSize } : {}),
  });
  return {
    ...shards,
    async open(options) {
      await shards.open?.(options);
      // What an earlier run left beside its shards describes that run, not this one.
      for (const file of ['README.md', 'pipeline.yaml', 'sluice-summary.json']) rmSync(join(dir, file), { force: true });
    },
    async close() {
      await shards.close();
      // A folder that could not be made (its rows were told) gets no card.
      if (card && existsSync(dir)) await writeDatasetCard(dir, repo ? { repo } : {});
    },
  };
}
