import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, toJson } from 'hyparquet';
import { z } from 'zod';
import type { Row } from '../../lib/core/row.ts';
import { toParquetFile } from '../../lib/sinks/parquet-file.ts';
import { runSinkConformance } from '../conformance/sink.case.ts';
import { ndjsonTempDir } from '../helpers/ndjson-temp-dir.ts';

/** Reads a Parquet file with hyparquet directly: a reader the sink does not use to write. */
async function readBack(path: string): Promise<Row[]> {
  if (!existsSync(path)) return [];
  const file = await asyncBufferFromFile(path);
  return (await parquetReadObjects({ file })).map((row) => toJson(row) as Row);
}

runSinkConformance(
  'toParquetFile',
  async ({ dir, broken }) => {
    if (!broken) return toParquetFile(join(dir, 'out.parquet'), { rowGroupSize: 1000 });
    await writeFile(join(dir, 'blocker'), '');
    return toParquetFile(join(dir, 'blocker', 'out.parquet'));
  },
  (dir) => readBack(join(dir, 'out.parquet')),
);

const dir = ndjsonTempDir('parquet-sink');

function writeRows(sink: ReturnType<typeof toParquetFile>, rows: Row[]): Promise<Array<string | undefined>> {
  return Promise.all(
    rows.map(
      (row) =>
        new Promise<string | undefined>((resolve) =>
          sink.write(row, 'default', (error) => resolve(error ? `${(error as { code?: string }).code}: ${error.message}` : undefined)),
        ),
    ),
  );
}

describe('toParquetFile', () => {
  it('writes nested objects as structs and lists as LIST columns, in row groups of rowGroupSize', async () => {
    const path = dir.path('nested.parquet');
    const sink = toParquetFile(path, { rowGroupSize: 4 });
    await sink.open?.();
    const rows = Array.from({ length: 10 }, (_, i) => ({ id: i, score: i / 4, text: `t${i}`, tags: ['a', `b${i}`], meta: { ok: i % 2 === 0, model: 'm' } }));
    const outcomes = writeRows(sink, rows);
    await sink.close();
    assert.deepEqual(
      await outcomes,
      rows.map(() => undefined),
    );
    assert.deepEqual(await readBack(path), rows);
    const metadata = await parquetMetadataAsync(await asyncBufferFromFile(path));
    assert.deepEqual(
      metadata.row_groups.map((group) => Number(group.num_rows)),
      [4, 4, 2],
    );
    const schema = metadata.schema.map((e) => [e.name, e.type ?? null, e.converted_type ?? null]);
    assert.deepEqual(schema, [
      ['root', null, null],
      ['id', 'INT64', null],
      ['score', 'DOUBLE', null],
      ['text', 'BYTE_ARRAY', 'UTF8'],
      ['tags', null, 'LIST'],
      ['list', null, null],
      ['element', 'BYTE_ARRAY', 'UTF8'],
      ['meta', null, null],
      ['ok', 'BOOLEAN', null],
      ['model', 'BYTE_ARRAY', 'UTF8'],
    ]);
    assert.equal(metadata.row_groups[0]!.columns[0]!.meta_data?.codec, 'SNAPPY');
  });

  it('fails a later row whose value or column the schema from the first rows cannot hold, and writes the others', async () => {
    const path = dir.path('drift.parquet');
    const sink = toParquetFile(path, { sampleRows: 2 });
    await sink.open?.();
    const outcomes = writeRows(sink, [{ n: 1 }, { n: 2 }, { n: 'three' }, { n: 4, extra: true }, { n: 5 }]);
    await sink.close();
    const got = await outcomes;
    assert.deepEqual([got[0], got[1], got[4]], [undefined, undefined, undefined]);
    assert.match(got[2]!, /^SLUICE_OUTPUT_TYPE: Column `n` holds a string, but the Parquet file's schema \(from its first rows\) says int/);
    assert.match(got[3]!, /^SLUICE_OUTPUT_COLUMNS: A row has column `extra`/);
    assert.deepEqual(await readBack(path), [{ n: 1 }, { n: 2 }, { n: 5 }]);
  });

  it('takes the schema from zod when given, and writes a valid file with no rows', async () => {
    const path = dir.path('typed.parquet');
    const sink = toParquetFile(path, { schema: z.object({ q: z.string(), votes: z.number().int().nullable(), tags: z.array(z.string()) }) });
    await sink.open?.();
    const outcomes = writeRows(sink, [{ q: 'why', votes: null, tags: [] }]);
    await sink.close();
    assert.deepEqual(await outcomes, [undefined]);
    assert.deepEqual(await readBack(path), [{ q: 'why', votes: null, tags: [] }]);
    const empty = dir.path('empty.parquet');
    const none = toParquetFile(empty);
    await none.open?.();
    await none.close();
    assert.deepEqual(await readBack(empty), []);
  });
});
