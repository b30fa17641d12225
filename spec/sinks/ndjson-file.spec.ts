import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Row } from '../../lib/core/row.ts';
import { toNdjsonFile } from '../../lib/sinks/ndjson-file.ts';
import type { Sink } from '../../lib/core/sink.ts';
import { runSinkConformance } from '../conformance/sink.case.ts';
import { ndjsonTempDir } from '../helpers/ndjson-temp-dir.ts';

async function readRows(path: string): Promise<Row[]> {
  if (!existsSync(path)) return [];
  const text = await readFile(path, 'utf8');
  return text === ''
    ? []
    : text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as Row);
}

runSinkConformance(
  'toNdjsonFile',
  async ({ dir, broken }) => {
    if (!broken) return toNdjsonFile(join(dir, 'out.jsonl'));
    // A parent "directory" that is a file: mkdir and open fail with ENOTDIR (EACCES would not stop root).
    await writeFile(join(dir, 'blocker'), '');
    return toNdjsonFile(join(dir, 'blocker', 'out.jsonl'));
  },
  (dir) => readRows(join(dir, 'out.jsonl')),
);

const tmp = ndjsonTempDir('ndjson-file-sink');

function write(sink: Sink, row: Row, leaf = 'out'): Promise<Error | null | undefined> {
  return new Promise((resolve) => sink.write(row, leaf, resolve));
}

describe('toNdjsonFile', () => {
  it('is named after its path', () => {
    assert.equal(toNdjsonFile('/out/qa.jsonl').name, '/out/qa.jsonl');
  });

  it('writes the rows of every leaf to the one file', async () => {
    const path = tmp.path('leaves.jsonl');
    const sink = toNdjsonFile(path);
    await sink.open?.();
    await Promise.all([write(sink, { a: 1 }, 'good'), write(sink, { a: 2 }, 'bad'), write(sink, { a: 3 }, 'good/deep')]);
    await sink.close();
    assert.equal(await readFile(path, 'utf8'), '{"a":1}\n{"a":2}\n{"a":3}\n');
  });

  it('creates the parent directories', async () => {
    const path = tmp.path('a', 'b', 'c', 'out.jsonl');
    const sink = toNdjsonFile(path);
    await sink.open?.();
    await write(sink, { a: 1 });
    await sink.close();
    assert.equal(await readFile(path, 'utf8'), '{"a":1}\n');
  });

  it('replaces an existing file, or adds to it with append', async () => {
    const path = tmp.path('existing.jsonl');
    await writeFile(path, '{"old":true}\n');
    const replacing = toNdjsonFile(path);
    await replacing.open?.();
    await write(replacing, { a: 1 });
    await replacing.close();
    assert.equal(await readFile(path, 'utf8'), '{"a":1}\n');

    const appending = toNdjsonFile(path, { append: true });
    await appending.open?.();
    await write(appending, { a: 2 });
    await appending.close();
    assert.equal(await readFile(path, 'utf8'), '{"a":1}\n{"a":2}\n');
  });

  it('leaves an empty file after a run with no rows, even if open() was not called', async () => {
    const path = tmp.path('empty', 'out.jsonl');
    await toNdjsonFile(path).close();
    assert.equal(await readFile(path, 'utf8'), '');
  });

  it('fails open() when the file cannot be created, naming the path', async () => {
    await writeFile(tmp.path('not-a-dir'), '');
    const path = tmp.path('not-a-dir', 'out.jsonl');
    await assert.rejects(toNdjsonFile(path).open!(), (error: NodeJS.ErrnoException) => {
      assert.ok(['ENOTDIR', 'EEXIST'].includes(error.code!), error.code);
      assert.match(error.message, /not-a-dir/);
      return true;
    });
  });
});
