import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot, runCli } from '../helpers/run-cli.ts';

const clean = join(repoRoot, 'examples/clean.ts');

describe('sluice run across formats', () => {
  it('examples/clean.ts from CSV to gzip-compressed CSV and back to NDJSON gives the rows an NDJSON run gives', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-formats-'));
    const csv = join(dir, 'data.csv');
    await writeFile(csv, 'text,lang,n\r\n"  The tide, twice a day.  ",en,1\r\n"   ",en,2\r\nLa marée,fr,3\r\n"a ""quoted"" word",en,4\r\nbroken,"row\r\n');
    const first = await runCli(['run', clean, '-i', csv, '-o', join(dir, 'out.csv.gz'), '--no-progress']);
    assert.equal(first.code, 3, first.stderr); // the broken last record is a failed row
    const failed = readFileSync(join(dir, 'out.failed.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { step: string; error: { code: string }; line: number });
    assert.deepEqual(
      failed.map((f) => [f.step, f.error.code, f.line]),
      [['source', 'SLUICE_INPUT_CSV', 6]],
    );

    const back = await runCli(['run', clean, '-i', join(dir, 'out.csv.gz'), '-o', join(dir, 'back.jsonl'), '--no-progress']);
    assert.equal(back.code, 0, back.stderr);
    const rows = readFileSync(join(dir, 'back.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    assert.deepEqual(rows, [
      { text: 'The tide, twice a day.', lang: 'en', n: 1 },
      { text: 'La marée', lang: 'fr', n: 3 },
      { text: 'a "quoted" word', lang: 'en', n: 4 },
    ]);
  });

  it('--format and --input-format override the extension; an unknown extension exits 2 naming the known ones and writes nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-formats-'));
    const input = join(dir, 'rows.txt');
    await writeFile(input, 'text\nhello\n');
    const ok = await runCli(['run', clean, '-i', input, '--input-format', 'csv', '-o', join(dir, 'out/'), '--format', 'json', '--no-progress']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'out', 'default.json'), 'utf8')), [{ text: 'hello' }]);

    const bad = await runCli(['run', clean, '-i', input, '--input-format', 'csv', '-o', join(dir, 'x.xlsx'), '--no-progress']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /ends in `\.xlsx`, a format Sluice does not know\. It reads and writes `\.jsonl`.*`\.csv`, `\.tsv`, `\.parquet`/);
    assert.equal(existsSync(join(dir, 'x.xlsx')), false);
  });

  it('examples/clean.ts from CSV to Parquet and back gives the same rows', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-formats-'));
    const csv = join(dir, 'data.csv');
    await writeFile(csv, 'text,lang,n,tags\n" tides ",en,1,"[""a""]"\nbread,fr,2.5,[]\n');
    const there = await runCli(['run', clean, '-i', csv, '-o', join(dir, 'data.parquet'), '--no-progress']);
    assert.equal(there.code, 0, there.stderr);
    const back = await runCli(['run', clean, '-i', join(dir, 'data.parquet'), '-o', join(dir, 'back.csv'), '--no-progress']);
    assert.equal(back.code, 0, back.stderr);
    assert.equal(readFileSync(join(dir, 'back.csv'), 'utf8'), 'text,lang,n,tags\ntides,en,1,"[""a""]"\nbread,fr,2.5,[]\n');
  });
});
