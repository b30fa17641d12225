import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm/node';
import type { Row } from '../../lib/core/row.ts';
import { map } from '../../lib/operators/map.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import { toParquetFile } from '../../lib/sinks/parquet-file.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';

/**
 * Reads a Parquet file with the Apache Arrow Rust implementation (compiled to WebAssembly:
 * `parquet-wasm`), which shares no code with the JavaScript libraries Sluice writes with.
 */
async function readIndependently(path: string): Promise<{ rows: Row[]; schema: string[] }> {
  const table = tableFromIPC(readParquet(new Uint8Array(await readFile(path))).intoIPCStream());
  const plain = (value: unknown): unknown => {
    if (typeof value === 'bigint') return Number(value);
    if (value && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function')
      return plain((value as { toJSON(): unknown }).toJSON());
    if (Array.isArray(value)) return value.map(plain);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
    return value;
  };
  return {
    rows: table.toArray().map((row) => plain(row) as Row),
    schema: table.schema.fields.map((f) => `${f.name}: ${String(f.type)}`),
  };
}

describe('Parquet written by Sluice, read by an independent implementation (Arrow’s Rust reader)', () => {
  it('reads back every row and type: strings, integers, floats, booleans, nulls, lists and structs, over several row groups', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-parquet-arrow-'));
    const path = join(dir, 'out.parquet');
    const rows = Array.from({ length: 2_500 }, (_, i) => ({
      id: i,
      text: `row ${i} ünïcödé`,
      score: i / 8,
      ok: i % 3 === 0,
      note: i % 5 === 0 ? null : `note ${i}`,
      tags: i % 4 === 0 ? [] : [`t${i % 7}`, `u${i % 3}`],
      meta: { source: 'spec', rank: i % 10 },
    }));
    const summary = await pipeline('parquet-out')
      .from(fromIterable(rows))
      .pipe(map((row) => row, { name: 'same' }))
      .to(toParquetFile(path, { rowGroupSize: 1_000 }))
      .run({ cache: false });
    assert.equal(summary.status, 'ok');
    const read = await readIndependently(path);
    assert.deepEqual(read.schema, [
      'id: Int64',
      'text: Utf8',
      'score: Float64',
      'ok: Bool',
      'note: Utf8',
      'tags: List<Utf8>',
      'meta: Struct<{source:Utf8, rank:Int64}>',
    ]);
    assert.equal(read.rows.length, rows.length);
    assert.deepEqual(read.rows, rows);
  });
});
