import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Row } from '../../lib/core/row.ts';
import { toNdjsonDir } from '../../lib/sinks/ndjson-dir.ts';
import type { Sink } from '../../lib/core/sink.ts';
import { runSinkConformance } from '../conformance/sink.case.ts';
import { ndjsonTempDir } from '../helpers/ndjson-temp-dir.ts';

runSinkConformance(
  'toNdjsonDir',
  async ({ dir, broken }) => {
    if (!broken) return toNdjsonDir(join(dir, 'leaves'));
    // The output "directory" is a file: mkdir fails.
    await writeFile(join(dir, 'leaves'), '');
    return toNdjsonDir(join(dir, 'leaves'));
  },
  async (dir) => {
    const leaves = join(dir, 'leaves');
    if (!existsSync(leaves)) return [];
    const rows: Row[] = [];
    for (const file of (await readdir(leaves)).sort()) {
      const text = await readFile(join(leaves, file), 'utf8');
      if (text !== '')
        rows.push(
          ...text
            .trimEnd()
            .split('\n')
            .map((line) => JSON.parse(line) as Row),
        );
    }
    return rows;
  },
);

const tmp = ndjsonTempDir('ndjson-dir-sink');

function write(sink: Sink, row: Row, leaf: string): Promise<Error | null | undefined> {
  return new Promise((resolve) => sink.write(row, leaf, resolve));
}

describe('toNdjsonDir', () => {
  it('writes each leaf to its own file, flattening leaf paths and naming the unnamed leaf default', async () => {
    const dir = tmp.path('split');
    const sink = toNdjsonDir(dir);
    await sink.open?.();
    await Promise.all([
      write(sink, { a: 1 }, 'good'),
      write(sink, { a: 2 }, 'bad'),
      write(sink, { a: 3 }, 'good'),
      write(sink, { a: 4 }, 'qa/answers'),
      write(sink, { a: 5 }, ''),
    ]);
    await sink.close();
    assert.deepEqual((await readdir(dir)).sort(), ['bad.jsonl', 'default.jsonl', 'good.jsonl', 'qa__answers.jsonl']);
    assert.equal(await readFile(join(dir, 'good.jsonl'), 'utf8'), '{"a":1}\n{"a":3}\n');
    assert.equal(await readFile(join(dir, 'bad.jsonl'), 'utf8'), '{"a":2}\n');
    assert.equal(await readFile(join(dir, 'qa__answers.jsonl'), 'utf8'), '{"a":4}\n');
    assert.equal(await readFile(join(dir, 'default.jsonl'), 'utf8'), '{"a":5}\n');
  });

  it('creates the directory on open(), and a leaf file only on its first row', async () => {
    const dir = tmp.path('lazy', 'nested');
    const sink = toNdjsonDir(dir);
    await sink.open?.();
    assert.deepEqual(await readdir(dir), []);
    await write(sink, { a: 1 }, 'only');
    await sink.close();
    assert.deepEqual(await readdir(dir), ['only.jsonl']);
  });

  it('keeps a leaf named with backslashes or dots inside the directory', async () => {
    const dir = tmp.path('safe');
    const sink = toNdjsonDir(dir);
    await Promise.all([write(sink, { a: 1 }, '../escape'), write(sink, { a: 2 }, 'a\\b')]);
    await sink.close();
    assert.deepEqual((await readdir(dir)).sort(), ['..__escape.jsonl', 'a__b.jsonl']);
  });
});

describe('toNdjsonDir, leaves that flatten to one name', () => {
  it('never mix: the first leaf keeps the file, a row of the other fails with SLUICE_SINK_LEAF_CONFLICT', async () => {
    const dir = tmp.path('shared');
    const sink = toNdjsonDir(dir);
    const errors = await Promise.all([write(sink, { a: 1 }, 'a/b'), write(sink, { a: 2 }, 'a__b'), write(sink, { a: 3 }, 'a/b')]);
    await sink.close();
    assert.deepEqual(
      errors.map((e) => (e as { code?: string } | undefined)?.code),
      [undefined, 'SLUICE_SINK_LEAF_CONFLICT', undefined],
    );
    assert.match(
      String((errors[1] as Error).message),
      /^Leaf `a__b` would write to .*a__b\.jsonl, which holds the rows of leaf `a\/b`\. Give the branch another name\.$/,
    );
    assert.deepEqual(await readdir(dir), ['a__b.jsonl']);
    assert.equal(await readFile(join(dir, 'a__b.jsonl'), 'utf8'), '{"a":1}\n{"a":3}\n');
  });
});

describe('toNdjsonDir after close()', () => {
  it('gives a row for a new leaf a SLUICE_SINK_CLOSED error and makes no file', async () => {
    const dir = tmp.path('closed');
    const sink = toNdjsonDir(dir);
    await sink.open?.();
    await sink.close();
    const error = await write(sink, { a: 1 }, 'late');
    assert.equal((error as { code?: string } | undefined)?.code, 'SLUICE_SINK_CLOSED');
    assert.deepEqual(await readdir(dir), []);
  });
});
