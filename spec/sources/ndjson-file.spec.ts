import assert from 'node:assert/strict';
import { readdir, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SluiceConfigError, SluiceError } from '../../lib/core/errors.ts';
import { ndjsonFile } from '../../lib/sources/ndjson-file.ts';
import { runSourceConformance } from '../conformance/source.case.ts';
import { ndjsonCollect, ndjsonSummary } from '../helpers/ndjson-collect.ts';
import { ndjsonTempDir } from '../helpers/ndjson-temp-dir.ts';
import { waitFor } from '../helpers/wait-for.ts';

runSourceConformance(
  'ndjsonFile',
  async (rows, dir) => {
    const path = join(dir, 'rows.jsonl');
    await writeFile(path, rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
    return ndjsonFile(path);
  },
  { restartable: true },
);

const tmp = ndjsonTempDir('ndjson-file');

describe('ndjsonFile', () => {
  it('is named after the file, unless given a name', () => {
    assert.equal(ndjsonFile('/data/in/topics.jsonl').name, 'topics.jsonl');
    assert.equal(ndjsonFile('/data/in/topics.jsonl', { name: 'topics' }).name, 'topics');
  });

  it('reads bad lines as failed items with their line numbers', async () => {
    const path = tmp.path('mixed.jsonl');
    await writeFile(path, '{"a":1}\n\nnot json\n[2]\n{"a":5}');
    assert.deepEqual(ndjsonSummary(await ndjsonCollect(ndjsonFile(path))), [
      [1, { a: 1 }],
      [3, 'SLUICE_INPUT_INVALID_JSON'],
      [4, 'SLUICE_INPUT_NOT_OBJECT'],
      [5, { a: 5 }],
    ]);
  });

  it('passes maxLineBytes on to the codec', async () => {
    const path = tmp.path('long.jsonl');
    await writeFile(path, `{"a":1}\n{"a":"${'x'.repeat(100)}"}\n{"a":3}\n`);
    assert.deepEqual(ndjsonSummary(await ndjsonCollect(ndjsonFile(path, { maxLineBytes: 50 }))), [
      [1, { a: 1 }],
      [2, 'SLUICE_INPUT_LINE_TOO_LONG'],
      [3, { a: 3 }],
    ]);
  });

  it('fails a read of a missing file with SLUICE_INPUT_NOT_FOUND, naming the path and what to check', async () => {
    const path = tmp.path('nowhere', 'missing.jsonl');
    const source = ndjsonFile(path);
    await assert.rejects(ndjsonCollect(source), (error: unknown) => {
      assert.ok(error instanceof SluiceError);
      assert.equal(error.code, 'SLUICE_INPUT_NOT_FOUND');
      assert.equal(
        error.message,
        `Input file \`${path}\` was not found (looked for ${path}). Check the path, and that it is relative to the working directory ${process.cwd()}.`,
      );
      assert.equal((error.cause as NodeJS.ErrnoException).code, 'ENOENT');
      return true;
    });
  });

  it('checks maxLineBytes when the source is made', () => {
    assert.throws(
      () => ndjsonFile('x.jsonl', { maxLineBytes: 0 }),
      (error: unknown) => {
        assert.ok(error instanceof SluiceConfigError);
        assert.equal(error.message, 'Expected `maxLineBytes` to be an integer from 1 and up, got `0`');
        return true;
      },
    );
  });

  it('closes the file when the signal aborts mid-read', { skip: process.platform !== 'linux' && 'reads /proc/self/fd' }, async () => {
    const path = tmp.path('big.jsonl');
    await writeFile(path, `${JSON.stringify({ pad: 'p'.repeat(300) })}\n`.repeat(10_000));
    const controller = new AbortController();
    const iterator = ndjsonFile(path).read(controller.signal)[Symbol.asyncIterator]();
    assert.equal((await iterator.next()).done, false);
    assert.equal(await openFds(path), 1);
    controller.abort();
    assert.deepEqual(await iterator.next(), { done: true, value: undefined });
    // The close itself is asynchronous: wait for it.
    await waitFor(async () => (await openFds(path)) === 0);
    assert.equal(await openFds(path), 0);
  });
});

/** How many of this process's file descriptors are open on `path`. */
async function openFds(path: string): Promise<number> {
  let count = 0;
  for (const fd of await readdir('/proc/self/fd')) {
    try {
      if ((await readlink(`/proc/self/fd/${fd}`)) === path) count++;
    } catch {
      // The fd closed while we looked.
    }
  }
  return count;
}
