import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { SluiceConfigError } from '../../lib/core/errors.ts';
import { ndjsonReadable } from '../../lib/sources/ndjson-readable.ts';
import { runSourceConformance } from '../conformance/source.case.ts';
import { ndjsonCollect, ndjsonSummary } from '../helpers/ndjson-collect.ts';

runSourceConformance(
  'ndjsonReadable',
  (rows) => {
    // 64 KiB chunks cut at byte offsets, so lines and characters straddle chunks.
    const bytes = Buffer.from(rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 65_537) chunks.push(bytes.subarray(i, i + 65_537));
    return ndjsonReadable(Readable.from(chunks, { objectMode: false }));
  },
  { restartable: false },
);

describe('ndjsonReadable', () => {
  it("is named 'stream' unless given a name", () => {
    assert.equal(ndjsonReadable(Readable.from([])).name, 'stream');
    assert.equal(ndjsonReadable(Readable.from([]), { name: 'socket' }).name, 'socket');
  });

  it('reads a stream that was set to give strings', async () => {
    const stream = new PassThrough();
    stream.setEncoding('utf8');
    stream.end('{"a":"é"}\n{"a":2}\n');
    assert.deepEqual(ndjsonSummary(await ndjsonCollect(ndjsonReadable(stream))), [
      [1, { a: 'é' }],
      [2, { a: 2 }],
    ]);
  });

  it('ends the read, without an error, when the signal aborts while it waits for data that never comes', async () => {
    const stream = new PassThrough();
    stream.write('{"a":1}\n');
    const controller = new AbortController();
    const iterator = ndjsonReadable(stream).read(controller.signal)[Symbol.asyncIterator]();
    assert.deepEqual(ndjsonSummary((await iterator.next()).value!), [[1, { a: 1 }]]);
    const waiting = iterator.next();
    setTimeout(() => controller.abort(), 20);
    assert.deepEqual(await waiting, { done: true, value: undefined });
    assert.equal(stream.destroyed, true);
  });

  it('passes on an error of the stream itself', async () => {
    const stream = new PassThrough();
    stream.write('{"a":1}\n');
    setTimeout(() => stream.destroy(Object.assign(new Error('connection reset'), { code: 'ECONNRESET' })), 10);
    await assert.rejects(ndjsonCollect(ndjsonReadable(stream)), { code: 'ECONNRESET', message: 'connection reset' });
  });

  it('checks maxLineBytes when the source is made', () => {
    assert.throws(
      () => ndjsonReadable(Readable.from([]), { maxLineBytes: -5 }),
      (error: unknown) => {
        assert.ok(error instanceof SluiceConfigError);
        assert.equal(error.message, 'Expected `maxLineBytes` to be an integer from 1 and up, got `-5`');
        return true;
      },
    );
  });
});
