import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import type { Row } from '../../lib/core/row.ts';
import type { Sink, SinkOpenOptions } from '../../lib/core/sink.ts';
import { stagingPaths } from '../../lib/core/staging-paths.ts';
import { sinkFor } from '../../lib/formats/sink-for.ts';
import { sourceFor } from '../../lib/formats/source-for.ts';
import { ndjsonTempDir } from '../helpers/ndjson-temp-dir.ts';

const dir = ndjsonTempDir('staged');

/** Opens `sink`, writes `rows` (each row's outcome: an error code or `ok`), and closes it unless told not to. */
async function write(sink: Sink, options: SinkOpenOptions, rows: Row[], close = true): Promise<string[]> {
  await sink.open?.(options);
  const outcomes = await Promise.all(
    rows.map((row) => new Promise<string>((resolve) => sink.write(row, '', (error) => resolve(error ? String((error as { code?: string }).code) : 'ok')))),
  );
  if (close) await sink.close();
  return outcomes;
}

async function rowsIn(path: string): Promise<Row[]> {
  const got: Row[] = [];
  for await (const batch of sourceFor(path).read(new AbortController().signal)) for (const item of batch) if (item.ok) got.push(item.row);
  return got;
}

describe('files written whole, with a run directory', () => {
  it('without one, names the file itself, and writes it under a temporary name until it closes', async () => {
    const path = dir.path('plain/plain.csv');
    const sink = sinkFor(path);
    assert.equal(sink.pathFor?.(''), path);
    await write(sink, {}, [{ a: 1 }, { a: 2 }], false);
    assert.deepEqual(readdirSync(dir.path('plain')), ['.writing-plain.csv'], 'a stop now leaves no half file at the path');
    await sink.close();
    assert.deepEqual(readdirSync(dir.path('plain')), ['plain.csv']);
    assert.deepEqual(await rowsIn(path), [{ a: 1 }, { a: 2 }]);
  });

  it('writes under a hidden name until it closes, copies each row it took, and names the copy for the lineage', async () => {
    const path = dir.path('one/out.csv');
    const staging = dir.path('one-run/staging');
    const sink = sinkFor(path);
    const outcomes = await write(sink, { staging }, [{ a: 1 }, { a: 2, extra: true }, { a: 3 }], false);
    // The second row has a column the CSV header lacks: the file refused it, so the copy does not hold it.
    assert.deepEqual(outcomes, ['ok', 'SLUICE_OUTPUT_COLUMNS', 'ok']);
    assert.equal(sink.pathFor?.(''), stagingPaths.file(staging, path));
    assert.equal(readFileSync(stagingPaths.file(staging, path), 'utf8'), '{"a":1}\n{"a":3}\n');
    assert.deepEqual(readdirSync(dir.path('one')), ['.writing-out.csv']);
    await sink.close();
    assert.deepEqual(readdirSync(dir.path('one')), ['out.csv']);
    assert.deepEqual(await rowsIn(path), [{ a: 1 }, { a: 3 }]);
  });

  for (const name of ['resumed.parquet', 'resumed.json', 'resumed.jsonl.gz']) {
    it(`a resumed run writes ${name} again from its repaired copy, then its own rows`, async () => {
      const path = dir.path(name);
      const staging = dir.path(`${name}-run/staging`);
      // A first attempt: three rows taken, then killed before the file closed.
      await write(sinkFor(path), { staging }, [{ n: 1 }, { n: 2 }, { n: 3 }], false);
      assert.equal(existsSync(path), false, 'no file in place before it closes');
      // The repair dropped the row of a record that did not finish.
      await writeFile(stagingPaths.file(staging, path), '{"n":1}\n{"n":3}\n');
      await write(sinkFor(path), { append: true, staging }, [{ n: 2 }, { n: 4 }]);
      if (name.endsWith('.gz')) {
        assert.deepEqual(gunzipSync(readFileSync(path)).toString('utf8'), '{"n":1}\n{"n":3}\n{"n":2}\n{"n":4}\n');
      } else {
        assert.deepEqual(await rowsIn(path), [{ n: 1 }, { n: 3 }, { n: 2 }, { n: 4 }]);
      }
      assert.deepEqual(
        readdirSync(dir.path('.')).filter((file) => file.startsWith('.writing-')),
        [],
      );
    });
  }

  it('a leaf folder resumed with no new row for a leaf still writes that leaf from its copy, and drops files with no copy', async () => {
    const out = dir.path('leaves');
    const staging = dir.path('leaves-run/staging');
    const first = sinkFor(out, { folder: true, format: 'parquet' });
    await first.open?.({ staging });
    await Promise.all(
      (['a', 'b'] as const).map((leaf) => new Promise<void>((resolve, reject) => first.write({ leaf }, leaf, (error) => (error ? reject(error) : resolve())))),
    );
    // Killed: neither file is in place. A file from before, with no copy, is there too.
    await writeFile(join(out, 'c.parquet'), 'stale');
    const resumed = sinkFor(out, { folder: true, format: 'parquet' });
    await write(resumed, { append: true, staging }, []);
    assert.deepEqual(readdirSync(out).sort(), ['a.parquet', 'b.parquet']);
    assert.deepEqual(await rowsIn(join(out, 'b.parquet')), [{ leaf: 'b' }]);
  });
});
