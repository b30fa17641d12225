import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Row } from '../../lib/core/row.ts';
import { stagingPaths } from '../../lib/core/staging-paths.ts';
import { sinkFor } from '../../lib/formats/sink-for.ts';
import { sourceFor } from '../../lib/formats/source-for.ts';
import { route } from '../../lib/operators/route.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';
import { toChunkedFiles } from '../../lib/sinks/chunked-files.ts';
import { toNdjsonFile } from '../../lib/sinks/ndjson-file.ts';
import { runSinkConformance } from '../conformance/sink.case.ts';
import { failedCollector } from '../helpers/failed-collector.ts';
import { ndjsonTempDir } from '../helpers/ndjson-temp-dir.ts';
import { waitFor } from '../helpers/wait-for.ts';

runSinkConformance(
  'toChunkedFiles (NDJSON, 1,000 rows a file)',
  async ({ dir, broken }) => {
    const root = broken ? join(dir, 'blocker') : dir;
    if (broken) await writeFile(root, '');
    return toChunkedFiles(join(root, 'out'), { chunkSize: 1000, extension: '.jsonl', make: (path) => toNdjsonFile(path) });
  },
  async (dir) => {
    const out = join(dir, 'out');
    if (!existsSync(out)) return [];
    return readdirSync(out)
      .sort()
      .flatMap((name) =>
        readFileSync(join(out, name), 'utf8')
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line) as Row),
      );
  },
);

const dir = ndjsonTempDir('chunks');

describe('chunked outputs', () => {
  it('starts a file every chunkSize rows of a leaf and names each with the count at the end', async () => {
    const out = dir.path('parts/');
    const rows = Array.from({ length: 10 }, (_, i) => ({ i }));
    const summary = await pipeline('chunks')
      .from(fromIterable(rows))
      .pipe(route((row: { i: number }) => (row.i < 7 ? 'train' : 'test')))
      .to(sinkFor(out, { folder: true, format: 'parquet', chunkSize: 3 }))
      .run({ cache: false, failed: failedCollector() });
    assert.deepEqual(summary.written, { train: 7, test: 3 });
    assert.deepEqual(readdirSync(out).sort(), [
      'test-00000-of-00001.parquet',
      'train-00000-of-00003.parquet',
      'train-00001-of-00003.parquet',
      'train-00002-of-00003.parquet',
    ]);
    const read = async (name: string) => {
      const got: Row[] = [];
      for await (const batch of sourceFor(join(out, name)).read(new AbortController().signal)) for (const item of batch) if (item.ok) got.push(item.row);
      return got.map((row) => row.i);
    };
    assert.deepEqual(await read('train-00002-of-00003.parquet'), [6]);
    assert.deepEqual(await read('test-00000-of-00001.parquet'), [7, 8, 9]);
  });

  it('keeps NDJSON chunks under their streaming names; a resumed run fills the short ones first, so boundaries stay exact', async () => {
    const out = dir.path('resumable');
    const lines = (name: string) =>
      readFileSync(join(out, name), 'utf8')
        .split('\n')
        .filter((line) => line !== '').length;
    const write = async (options: { append?: boolean }, from: number, count: number) => {
      const sink = sinkFor(out, { folder: true, chunkSize: 4 });
      await sink.open?.(options);
      const went: string[] = [];
      const dones: Promise<void>[] = [];
      for (let i = from; i < from + count; i++) {
        went.push(sink.pathFor!('')!);
        dones.push(new Promise((resolve, reject) => sink.write({ i }, '', (error) => (error ? reject(error) : resolve()))));
      }
      await Promise.all(dones);
      await sink.close();
      return went.map((path) => path.slice(out.length + 1));
    };
    // A file an earlier run left behind is not this run's: a fresh run removes it.
    mkdirSync(out, { recursive: true });
    await writeFile(join(out, 'part-00007.jsonl'), '{"i":-1}\n');
    const first = await write({}, 0, 10);
    assert.deepEqual(readdirSync(out).sort(), ['part-00000.jsonl', 'part-00001.jsonl', 'part-00002.jsonl']);
    assert.deepEqual(
      first,
      [...Array(4).fill('part-00000.jsonl'), ...Array(4).fill('part-00001.jsonl'), ...Array(2).fill('part-00002.jsonl')],
      'pathFor names the file each row goes to',
    );
    // As a repair after a kill may leave them: the first file lost two lines.
    const kept = readFileSync(join(out, 'part-00000.jsonl'), 'utf8').split('\n').slice(0, 2).join('\n');
    await writeFile(join(out, 'part-00000.jsonl'), `${kept}\n`);
    const resumed = await write({ append: true }, 10, 5);
    assert.deepEqual(resumed, ['part-00000.jsonl', 'part-00000.jsonl', 'part-00002.jsonl', 'part-00002.jsonl', 'part-00003.jsonl']);
    assert.deepEqual(
      readdirSync(out)
        .sort()
        .map((name) => [name, lines(name)]),
      [
        ['part-00000.jsonl', 4],
        ['part-00001.jsonl', 4],
        ['part-00002.jsonl', 4],
        ['part-00003.jsonl', 1],
      ],
    );
  });

  it('stages files written whole with a run directory: a resumed run keeps full chunks, rebuilds the others from their copies, removes files with no copy', async () => {
    const out = dir.path('staged');
    const staging = dir.path('staged-run/staging');
    const copy = (name: string) => stagingPaths.file(staging, join(out, name));
    const rowsIn = async (name: string) => {
      const got: number[] = [];
      for await (const batch of sourceFor(join(out, name)).read(new AbortController().signal))
        for (const item of batch) if (item.ok) got.push(item.row.i as number);
      return got;
    };
    const write = async (options: { append?: boolean }, values: number[], close = true) => {
      const sink = sinkFor(out, { folder: true, format: 'csv', chunkSize: 3 });
      await sink.open?.({ ...options, staging });
      const went: string[] = [];
      const dones: Promise<void>[] = [];
      for (const i of values) {
        went.push(sink.pathFor!('')!);
        dones.push(new Promise((resolve, reject) => sink.write({ i }, '', (error) => (error ? reject(error) : resolve()))));
      }
      await Promise.all(dones);
      if (close) await sink.close();
      return { sink, went };
    };
    // A first run stopped after 7 rows: two chunks closed and renamed into place, the third open under its temporary name.
    const { went } = await write({}, [0, 1, 2, 3, 4, 5, 6], false);
    assert.deepEqual(
      went,
      [...Array(3).fill(copy('part-00000.csv')), ...Array(3).fill(copy('part-00001.csv')), copy('part-00002.csv')],
      'pathFor names the copies',
    );
    // The closed chunks are renamed into place as their writes end.
    await waitFor(() => existsSync(join(out, 'part-00000.csv')) && existsSync(join(out, 'part-00001.csv')));
    assert.deepEqual(readdirSync(out).sort(), ['.writing-part-00002.csv', 'part-00000.csv', 'part-00001.csv']);
    assert.deepEqual(await rowsIn('part-00001.csv'), [3, 4, 5]);
    assert.equal(readFileSync(copy('part-00002.csv'), 'utf8'), '{"i":6}\n');
    // The repair after the kill shortened the second chunk's copy (a record of row 4 was not finished), and a file an
    // even earlier attempt named with its count has no copy at all: its records are done again.
    await writeFile(copy('part-00001.csv'), '{"i":3}\n{"i":5}\n');
    await writeFile(join(out, 'part-00009-of-00010.csv'), 'i\n99\n');
    const resumed = await write({ append: true }, [4, 7, 8, 9]);
    assert.deepEqual(resumed.went, [copy('part-00001.csv'), copy('part-00002.csv'), copy('part-00002.csv'), copy('part-00003.csv')]);
    assert.deepEqual(readdirSync(out).sort(), ['part-00000-of-00004.csv', 'part-00001-of-00004.csv', 'part-00002-of-00004.csv', 'part-00003-of-00004.csv']);
    assert.deepEqual(
      [
        await rowsIn('part-00000-of-00004.csv'),
        await rowsIn('part-00001-of-00004.csv'),
        await rowsIn('part-00002-of-00004.csv'),
        await rowsIn('part-00003-of-00004.csv'),
      ],
      [[0, 1, 2], [3, 5, 4], [6, 7, 8], [9]],
    );
    // Killed again after the files were named with their count: a resume with nothing left to write keeps them, named the same.
    await write({ append: true }, []);
    assert.deepEqual(readdirSync(out).sort(), ['part-00000-of-00004.csv', 'part-00001-of-00004.csv', 'part-00002-of-00004.csv', 'part-00003-of-00004.csv']);
    // A chunk whose file never made it into place (a kill during its rename) is written again from its copy.
    rmSync(join(out, 'part-00002-of-00004.csv'));
    await write({ append: true }, []);
    assert.deepEqual(await rowsIn('part-00002-of-00004.csv'), [6, 7, 8]);
  });

  it('refuses chunkSize with a single file', () => {
    assert.throws(() => sinkFor(dir.path('one.jsonl'), { chunkSize: 2 }), { message: /^`chunkSize` writes a folder of files: give a folder/ });
  });

  it('fails the rows of a second leaf that would share a Parquet file with another (`a/b`, `a__b`)', async () => {
    const out = dir.path('clash/');
    const sink = sinkFor(out, { folder: true, format: 'parquet' });
    await sink.open?.();
    const write = (leaf: string) =>
      new Promise<string | undefined>((resolve) => sink.write({ n: 1 }, leaf, (error) => resolve((error as { code?: string } | undefined)?.code)));
    const outcomes = [await write('a/b'), await write('a__b')];
    await sink.close();
    assert.deepEqual(outcomes, [undefined, 'SLUICE_SINK_LEAF_CONFLICT']);
    assert.deepEqual(readdirSync(out), ['a__b.parquet']);
  });
});
