/**
 * A source that streams a dataset from the Hugging Face Hub: the Parquet files of one config's
 * split, each read a row group at a time over HTTP range requests (no file is downloaded whole),
 * optionally shuffled with a seed as `datasets` shuffles a streamed dataset: the files' order,
 * then rows within a buffer.
 * @module
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { SluiceConfigError } from '../core/errors.ts';
import type { Row } from '../core/row.ts';
import { seededRandom } from '../core/seeded-random.ts';
import type { Source, SourceItem } from '../core/source.ts';
import { checkedRows } from '../sources/checked-rows.ts';
import { type ParquetBytes, parquetRowGroups } from '../sources/parquet-file.ts';
import { datasetShards, type Shard } from './dataset-shards.ts';
import { HubError } from './hub-error.ts';
import { type HubAccess, hubAccess, parseHubLocation } from './hub-location.ts';

export interface HubDatasetOptions<R extends object = Row> {
  /** The split to read. Default `train`. */
  split?: string;
  /** The columns to read (the others are never downloaded). Default: all. */
  columns?: readonly string[];
  /** Shuffle with this seed: the files' order, then rows within `bufferSize` (default 1,000). */
  shuffle?: { seed: number | string; bufferSize?: number };
  /** Checks (and types) each row; rows that do not match become failed rows. */
  schema?: z.ZodType<R>;
  /** Where the Hub is and the token: default `HF_ENDPOINT` and `HF_TOKEN`. */
  access?: HubAccess;
}

/** A Hub blob (fetched by range) as the bytes hyparquet reads. */
async function shardBytes(shard: Shard, repo: string, access: HubAccess): Promise<ParquetBytes> {
  const { downloadFile } = await import('@huggingface/hub');
  const blob = await downloadFile({ repo: { type: 'dataset', name: repo }, path: shard.path, revision: shard.revision, ...access });
  if (!blob) throw new HubError(`hf://datasets/${repo}/${shard.path} is listed but could not be downloaded`);
  const { cachedAsyncBuffer } = await import('hyparquet');
  return cachedAsyncBuffer({ byteLength: blob.size, slice: (start, end) => blob.slice(start, end ?? blob.size).arrayBuffer() });
}

/** Rows in a seeded order: each new row takes the place of a random one in the buffer, which goes out. */
async function* shuffledWithin(batches: AsyncIterable<SourceItem[]>, bufferSize: number, random: () => number): AsyncGenerator<SourceItem[]> {
  const buffer: SourceItem[] = [];
  for await (const batch of batches) {
    const out: SourceItem[] = [];
    for (const item of batch) {
      if (buffer.length < bufferSize) buffer.push(item);
      else {
        const i = Math.floor(random() * bufferSize);
        out.push(buffer[i]!);
        buffer[i] = item;
      }
    }
    if (out.length > 0) yield out;
  }
  for (let i = buffer.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [buffer[i], buffer[j]] = [buffer[j]!, buffer[i]!];
  }
  for (let i = 0; i < buffer.length; i += 1000) yield buffer.slice(i, i + 1000);
}

/**
 * Reads `hf://datasets/<owner>/<name>[/<config>][@<revision>]`. Positions count rows in the order
 * read (0-based), which a seed makes the same in every run, so a resumed run skips the same rows.
 * @example
 * pipeline('p').from(hubDataset('hf://datasets/openai/gsm8k/main', { split: 'test', shuffle: { seed: 42 } })).pipe(…)
 */
export function hubDataset<R extends object = Row>(location: string, options: HubDatasetOptions<R> = {}): Source<R> {
  const where = parseHubLocation(location);
  const split = options.split ?? 'train';
  const bufferSize = options.shuffle?.bufferSize ?? 1000;
  if (!Number.isInteger(bufferSize) || bufferSize < 1) {
    throw new SluiceConfigError(`Expected \`shuffle.bufferSize\` to be an integer from 1 and up, got \`${String(bufferSize)}\``);
  }
  const source: Source = {
    name: `${where.repo.split('/')[1]}${where.config ? `/${where.config}` : ''}:${split}`,
    positions: 'index',
    // What resume compares: the split's files and their ids, and what orders and picks the rows.
    async fingerprint() {
      const shards = await datasetShards(where, split, options.access ?? hubAccess());
      const hash = createHash('sha256').update(
        JSON.stringify({ shards: shards.map((s) => [s.path, s.revision, s.oid, s.size]), shuffle: options.shuffle ?? null, columns: options.columns ?? null }),
      );
      return { location, size: shards.reduce((sum, s) => sum + s.size, 0), sha256: hash.digest('hex') };
    },
    ...(options.columns ? { columns: [...options.columns] } : {}),
    async *read(signal) {
      const access = options.access ?? hubAccess();
      const shards = await datasetShards(where, split, access);
      const random = options.shuffle ? seededRandom(options.shuffle.seed) : undefined;
      if (random) {
        for (let i = shards.length - 1; i > 0; i--) {
          const j = Math.floor(random() * (i + 1));
          [shards[i], shards[j]] = [shards[j]!, shards[i]!];
        }
      }
      // Positions count rows as this source hands them out, across files (and, shuffled, in the new order).
      async function* inFileOrder(): AsyncGenerator<SourceItem[]> {
        let offset = 0;
        for (const shard of shards) {
          if (signal.aborted) return;
          let bytes: ParquetBytes;
          try {
            bytes = await shardBytes(shard, where.repo, access);
          } catch (error) {
            throw error instanceof HubError ? error : HubError.from(error, `Reading hf://datasets/${where.repo}/${shard.path}`, access);
          }
          for await (const batch of parquetRowGroups(bytes, signal, options.columns, offset)) {
            offset += batch.length;
            yield batch;
          }
        }
      }
      if (!random) {
        yield* inFileOrder();
        return;
      }
      let position = 0;
      for await (const batch of shuffledWithin(inFileOrder(), bufferSize, random)) {
        yield batch.map((item) => ({ ...item, position: position++ }));
      }
    },
  };
  return checkedRows(source, options.schema);
}
