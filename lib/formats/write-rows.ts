/**
 * `writeRows`: a list of rows written to a file in the format its extension names (`.csv`,
 * `.jsonl`, `.json`, `.parquet`, compressed with `.gz`/`.zst`), through the same sinks as `-o`. For
 * a step that saves a small table of its own, such as a results table in the run directory.
 * @module
 */
import type { Row } from '../core/row.ts';
import { type SinkForOptions, sinkFor } from './sink-for.ts';

/**
 * @example
 * map(async (row, { runDir }) => { await writeRows(join(runDir ?? '.', 'results.csv'), row.results); return row; })
 */
export async function writeRows(
  path: string,
  rows: Iterable<Row> | AsyncIterable<Row>,
  options: Pick<SinkForOptions, 'format' | 'delimiter' | 'columns' | 'rowGroupSize'> = {},
): Promise<number> {
  const sink = sinkFor(path, options);
  await sink.open?.();
  let written = 0;
  let failure: Error | undefined;
  try {
    for await (const row of rows) {
      await new Promise<void>((resolve, reject) => sink.write(row, 'default', (error) => (error ? reject(error) : resolve())));
      written++;
    }
  } catch (error) {
    failure = error as Error;
  }
  await sink.close();
  if (failure) throw failure;
  return written;
}
