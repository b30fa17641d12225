import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { Row } from '../../lib/core/row.ts';
import type { SourceItem } from '../../lib/core/source.ts';
import { parquetFile } from '../../lib/sources/parquet-file.ts';
import { runSourceConformance } from '../conformance/source.case.ts';
import { repoRoot } from '../helpers/run-cli.ts';

runSourceConformance(
  'parquetFile',
  async (rows, dir) => {
    const path = join(dir, 'rows.parquet');
    // Written by hyparquet-writer directly, in row groups of 7, nested values as JSON columns.
    const names = ['n', 'text', 'nested'];
    const columnData = names.map((name) => ({ name, data: rows.map((row) => row[name] ?? null), ...(name === 'nested' ? { type: 'JSON' as const } : {}) }));
    await writeFile(path, Buffer.from(parquetWriteBuffer({ columnData: rows.length ? columnData : [{ name: 'n', data: [] }], rowGroupSize: 7 })));
    return parquetFile(path);
  },
  { restartable: true },
);

const fixture = (name: string) => join(repoRoot, 'spec/fixtures/parquet', name);

async function read(path: string, options: Parameters<typeof parquetFile>[1] = {}): Promise<{ rows: Row[]; batches: number }> {
  const rows: Row[] = [];
  let batches = 0;
  for await (const batch of parquetFile(path, options).read(new AbortController().signal)) {
    batches++;
    for (const item of batch as SourceItem[]) rows.push(item.ok ? item.row : { failed: item.error.message });
  }
  return { rows, batches };
}

describe('parquetFile on files from other writers (apache/parquet-testing)', () => {
  it('reads Impala’s all-types table (snappy), 64-bit integers as numbers and timestamps as ISO text', async () => {
    const { rows } = await read(fixture('alltypes_plain.snappy.parquet'));
    assert.equal(rows.length, 2);
    assert.deepEqual(Object.keys(rows[0]!), [
      'id',
      'bool_col',
      'tinyint_col',
      'smallint_col',
      'int_col',
      'bigint_col',
      'float_col',
      'double_col',
      'date_string_col',
      'string_col',
      'timestamp_col',
    ]);
    assert.deepEqual([rows[0]!.id, rows[0]!.bool_col, rows[1]!.bigint_col, rows[1]!.string_col], [6, true, 10, '1']);
    assert.match(String(rows[0]!.timestamp_col), /^2009-04-01T00:00:00\.000Z$/);
  });

  it('reads nested lists, Spark INT96 timestamps, pyarrow zstd and list columns with nulls', async () => {
    assert.deepEqual((await read(fixture('nested_lists.snappy.parquet'))).rows[0], {
      a: [
        [['a', 'b'], ['c']],
        [null, ['d']],
      ],
      b: 1,
    });
    assert.deepEqual((await read(fixture('int96_from_spark.parquet'))).rows[0], { a: '2024-01-01T20:34:56.123Z' });
    const zstd = await read(fixture('byte_stream_split.zstd.parquet'));
    assert.equal(zstd.rows.length, 300);
    assert.ok(zstd.rows.every((row) => typeof row.f32 === 'number' && typeof row.f64 === 'number'));
    assert.deepEqual((await read(fixture('list_columns.parquet'))).rows, [
      { int64_list: [1, 2, 3], utf8_list: ['abc', 'efg', 'hij'] },
      { int64_list: [null, 1], utf8_list: null },
      { int64_list: [4], utf8_list: ['efg', null, 'hij', 'xyz'] },
    ]);
  });

  it('decodes only the columns asked for, one row group per batch', async () => {
    const { rows } = await read(fixture('alltypes_plain.snappy.parquet'), { columns: ['id', 'string_col'] });
    assert.deepEqual(rows, [
      { id: 6, string_col: '0' },
      { id: 7, string_col: '1' },
    ]);
    const path = join(await mkdtemp(join(tmpdir(), 'sluice-parquet-')), 'groups.parquet');
    await writeFile(path, Buffer.from(parquetWriteBuffer({ columnData: [{ name: 'i', data: [0, 1, 2, 3, 4, 5, 6] }], rowGroupSize: 3 })));
    const grouped = await read(path);
    assert.deepEqual([grouped.batches, grouped.rows.map((row) => row.i)], [3, [0, 1, 2, 3, 4, 5, 6]]);
  });
});
