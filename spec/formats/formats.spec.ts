import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { gunzipSync, zstdDecompressSync } from 'node:zlib';
import type { Row } from '../../lib/core/row.ts';
import { formatOf } from '../../lib/formats/format-of.ts';
import { sinkFor } from '../../lib/formats/sink-for.ts';
import { sourceFor } from '../../lib/formats/source-for.ts';
import { map } from '../../lib/operators/map.ts';
import { route } from '../../lib/operators/route.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';
import { failedCollector } from '../helpers/failed-collector.ts';
import { ndjsonTempDir } from '../helpers/ndjson-temp-dir.ts';

const dir = ndjsonTempDir('formats');
const rows: Row[] = Array.from({ length: 50 }, (_, i) => ({ i, text: `row ${i}, "quoted"\nnext`, tags: [i, 'x'], meta: { even: i % 2 === 0 } }));

async function copy(from: string, to: string): Promise<void> {
  const summary = await pipeline('copy')
    .from(sourceFor(from))
    .pipe(map((row) => row))
    .to(sinkFor(to))
    .run({ cache: false, failed: failedCollector() });
  assert.equal(summary.status, 'ok');
}

async function readAll(location: string): Promise<Row[]> {
  const out: Row[] = [];
  for await (const batch of sourceFor(location).read(new AbortController().signal)) for (const item of batch) if (item.ok) out.push(item.row);
  return out;
}

describe('formats by extension', () => {
  it('knows a file by its extension, compression aside; no extension is NDJSON; --format overrides', () => {
    assert.deepEqual(
      ['a.jsonl', 'a.NDJSON', 'a.json', 'a.csv.gz', 'a.tsv.zst', 'out', 'https://h/x.csv?y=1', 'odd.txt'].map((p, i) =>
        i === 7 ? formatOf(p, 'csv') : formatOf(p),
      ),
      ['ndjson', 'ndjson', 'json', 'csv', 'tsv', 'ndjson', 'csv', 'csv'],
    );
  });

  it('refuses an extension it does not know, listing the ones it does', () => {
    assert.throws(
      () => formatOf('data.xlsx'),
      (error: Error & { code?: string; option?: string }) => {
        assert.equal(error.code, 'SLUICE_CONFIG');
        assert.match(
          error.message,
          /^`data\.xlsx` ends in `\.xlsx`, a format Sluice does not know\. It reads and writes `\.jsonl`, `\.ndjson`, `\.jsonlines`, `\.json`, `\.csv`, `\.tsv`, `\.parquet` \(each but `\.parquet`, which compresses inside, also as `\.gz` or `\.zst`\)/,
        );
        return true;
      },
    );
    assert.throws(() => formatOf('a.jsonl', 'xml'), { message: 'Expected `format` to be one of `ndjson`, `json`, `csv`, `tsv`, `parquet`, `hf`, got `xml`' });
  });

  it('gives back the same rows through every format and compression: NDJSON → CSV.gz → JSON.zst → TSV → Parquet → NDJSON', async () => {
    const start = dir.path('start.jsonl');
    await pipeline('seed').from(fromIterable(rows)).to(sinkFor(start)).run({ cache: false, failed: failedCollector() });
    const chain = ['start.jsonl', 'b.csv.gz', 'c.json.zst', 'd.tsv', 'e.parquet', 'f.ndjson'].map((f) => dir.path(f));
    for (let i = 1; i < chain.length; i++) await copy(chain[i - 1]!, chain[i]!);
    assert.deepEqual(await readAll(chain.at(-1)!), rows);
    assert.match(gunzipSync(readFileSync(chain[1]!)).toString(), /^i,text,tags,meta\n0,"row 0, ""quoted""\nnext","\[0,""x""\]","\{""even"":true\}"\n/);
    assert.match(zstdDecompressSync(readFileSync(chain[2]!)).toString(), /^\[\n\{"i":0,/);
  });

  it('writes each leaf of a folder output in the format asked for', async () => {
    const out = dir.path('leaves/');
    const summary = await pipeline('split')
      .from(fromIterable(rows.slice(0, 6)))
      .pipe(route((row: Row) => ((row.i as number) % 2 === 0 ? 'even' : 'odd')))
      .to(sinkFor(out, { folder: true, format: 'csv', compression: '.gz' }))
      .run({ cache: false, failed: failedCollector() });
    assert.deepEqual(summary.written, { even: 3, odd: 3 });
    assert.deepEqual(readdirSync(out).sort(), ['even.csv.gz', 'odd.csv.gz']);
    assert.deepEqual(
      (await readAll(dir.path('leaves/odd.csv.gz'))).map((r) => r.i),
      [1, 3, 5],
    );
    assert.equal(existsSync(dir.path('leaves/default.jsonl')), false);
  });

  it('closes a JSON array written into a folder even when its only rows are still buffered at the close', async () => {
    const out = dir.path('arrays/');
    await pipeline('one')
      .from(fromIterable([{ a: 1 }]))
      .to(sinkFor(out, { folder: true, format: 'json' }))
      .run({ cache: false, failed: failedCollector() });
    assert.deepEqual(JSON.parse(readFileSync(dir.path('arrays/default.json'), 'utf8')), [{ a: 1 }]);
  });
});
