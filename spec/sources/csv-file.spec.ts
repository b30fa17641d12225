import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { SourceItem } from '../../lib/core/source.ts';
import { csvFile } from '../../lib/sources/csv-file.ts';
import { runSourceConformance } from '../conformance/source.case.ts';
import { ndjsonTempDir } from '../helpers/ndjson-temp-dir.ts';

/** CSV text of `rows`, nested values as JSON text, written by csv-stringify directly (not by Sluice's sink). */
function csvOf(rows: Record<string, unknown>[], delimiter = ','): string {
  const columns = Object.keys(rows[0] ?? {});
  const cell = (v: unknown) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : v);
  return stringify([columns, ...rows.map((row) => columns.map((c) => cell(row[c])))], { delimiter });
}

runSourceConformance(
  'csvFile',
  async (rows, dir) => {
    const path = join(dir, 'rows.csv');
    await writeFile(path, rows.length === 0 ? 'n,text,nested\n' : csvOf(rows));
    return csvFile(path);
  },
  { restartable: true },
);

runSourceConformance(
  'csvFile on a gzip-compressed TSV',
  async (rows, dir) => {
    const path = join(dir, 'rows.tsv.gz');
    await writeFile(path, gzipSync(rows.length === 0 ? 'n\ttext\tnested\n' : csvOf(rows, '\t')));
    return csvFile(path);
  },
  { restartable: true },
);

const dir = ndjsonTempDir('csv-source');

async function items(path: string, options: Parameters<typeof csvFile>[1] = {}): Promise<Array<[number, unknown]>> {
  const out: Array<[number, unknown]> = [];
  for await (const batch of csvFile(path, options).read(new AbortController().signal)) {
    for (const item of batch as SourceItem[])
      out.push(item.ok ? [item.position, item.row] : [item.position, `${item.error.code}: ${item.error.message} | ${item.raw}`]);
  }
  return out;
}

describe('csvFile', () => {
  it('reads a header, quoting, a BOM, CRLF and a field over two lines; a malformed record is a failed item at its line', async () => {
    const path = dir.path('quirks.csv');
    writeFileSync(
      path,
      '\uFEFFid,text,score,tags\r\n1,"hello, ""world""",3.5,"[""a"",""b""]"\r\n2,plain,,\r\n3,too,many,fields,here\r\n4,"two\nlines",-7e2,{}\r\n',
    );
    assert.deepEqual(await items(path), [
      [2, { id: 1, text: 'hello, "world"', score: 3.5, tags: ['a', 'b'] }],
      [3, { id: 2, text: 'plain', score: null, tags: null }],
      [4, 'SLUICE_INPUT_CSV: Line 4 is not a valid CSV record: Invalid Record Length: columns length is 4, got 5. | 3,too,many,fields,here'],
      [5, { id: 4, text: 'two\nlines', score: -700, tags: {} }],
    ]);
  });

  it('keeps every field a string with infer: false; infers no number from leading zeros or digits a number cannot hold', async () => {
    const path = dir.path('strings.csv');
    writeFileSync(path, 'id,flag,phone\n007,true,12345678901234567890\n');
    assert.deepEqual(await items(path, { infer: false }), [[2, { id: '007', flag: 'true', phone: '12345678901234567890' }]]);
    assert.deepEqual(await items(path), [[2, { id: '007', flag: true, phone: '12345678901234567890' }]]);
  });

  it('checks rows with a schema (its failures are failed items) and gives validation its columns', async () => {
    const path = dir.path('schema.csv');
    writeFileSync(path, 'question,votes\nwhy,3\nhow,many\n');
    const schema = z.object({ question: z.string(), votes: z.number() });
    const got = await items(path, { schema });
    assert.deepEqual(got[0], [2, { question: 'why', votes: 3 }]);
    assert.match(String(got[1]![1]), /^SLUICE_INPUT_SCHEMA: Record 3 does not match the source's schema: `votes`/);
    assert.deepEqual(csvFile(path, { schema }).columns, ['question', 'votes']);
  });

  it('reads zstd-compressed files and semicolon-separated ones', async () => {
    const path = dir.path('rows.csv.zst');
    writeFileSync(path, zstdCompressSync('a;b\n1;x\n'));
    assert.deepEqual(await items(path, { delimiter: ';' }), [[2, { a: 1, b: 'x' }]]);
  });

  it('streams an http:// URL, and names an HTTP error with the URL but not its query', async () => {
    const server = createServer((req, res) => {
      if (req.url?.startsWith('/data.csv.gz')) {
        res.end(gzipSync('a,b\n1,2\n3,4\n'));
        return;
      }
      res.statusCode = 404;
      res.end('no');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      assert.deepEqual(await items(`${base}/data.csv.gz?token=secret`), [
        [2, { a: 1, b: 2 }],
        [3, { a: 3, b: 4 }],
      ]);
      await assert.rejects(items(`${base}/missing.csv?token=secret`), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'SLUICE_INPUT_HTTP');
        assert.match(error.message, /\/missing\.csv answered HTTP 404/);
        assert.doesNotMatch(error.message, /secret/);
        return true;
      });
    } finally {
      server.close();
    }
  });

  it('names the line an unclosed quote opened on, with LF or CRLF line ends', async () => {
    for (const end of ['\n', '\r\n']) {
      const path = dir.path('unclosed.csv');
      writeFileSync(path, ['a,b', '1,x', '2,"never closed', 'more', ''].join(end));
      const got = await items(path);
      assert.deepEqual(got[0], [2, { a: 1, b: 'x' }]);
      assert.match(String(got[1]![1]), /^SLUICE_INPUT_CSV: Line 3 is not a valid CSV record: Quote Not Closed/);
      assert.equal(got[1]![0], 3, JSON.stringify(end));
    }
  });
});
