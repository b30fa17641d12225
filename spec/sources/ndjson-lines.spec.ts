import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { InputError, SluiceConfigError } from '../../lib/core/errors.ts';
import { ndjsonLines } from '../../lib/sources/ndjson-lines.ts';
import type { SourceItem } from '../../lib/core/source.ts';
import { ndjsonCollect, ndjsonSummary } from '../helpers/ndjson-collect.ts';
import { ndjsonTempDir } from '../helpers/ndjson-temp-dir.ts';

const tmp = ndjsonTempDir('ndjson-lines');

async function* chunks(data: Buffer | string, size = Infinity): AsyncGenerator<Buffer> {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data);
  if (size === Infinity) size = Math.max(bytes.length, 1);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function parse(data: Buffer | string, options: { maxLineBytes?: number; chunkSize?: number } = {}): Promise<SourceItem[]> {
  return ndjsonCollect(ndjsonLines(chunks(data, options.chunkSize), options.maxLineBytes === undefined ? {} : { maxLineBytes: options.maxLineBytes }));
}

function failureOf(item: SourceItem | undefined): { position: number; code: string; message: string; line: number | undefined; raw: string | undefined } {
  assert.ok(item && !item.ok, 'expected a failed item');
  assert.ok(item.error instanceof InputError);
  return { position: item.position, code: item.error.code, message: item.error.message, line: item.error.line, raw: item.raw };
}

const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))));

describe('ndjsonLines', () => {
  it('reads one object per line, with 1-based line numbers as positions', async () => {
    assert.deepEqual(ndjsonSummary(await parse('{"a":1}\n{"a":2}\n{"a":3}\n')), [
      [1, { a: 1 }],
      [2, { a: 2 }],
      [3, { a: 3 }],
    ]);
  });

  it('reads CRLF line ends like LF ones', async () => {
    assert.deepEqual(ndjsonSummary(await parse('{"a":1}\r\n{"a":"x\\r"}\r\n')), [
      [1, { a: 1 }],
      [2, { a: 'x\r' }],
    ]);
  });

  it('skips blank and whitespace-only lines, but counts them as lines', async () => {
    assert.deepEqual(ndjsonSummary(await parse('\n{"a":1}\n\n  \t\n\r\n{"a":6}\n\n')), [
      [2, { a: 1 }],
      [6, { a: 6 }],
    ]);
  });

  it('drops a UTF-8 BOM at the start of the input', async () => {
    assert.deepEqual(ndjsonSummary(await parse(bytes([0xef, 0xbb, 0xbf], '{"a":1}\n{"a":2}\n'))), [
      [1, { a: 1 }],
      [2, { a: 2 }],
    ]);
  });

  it('keeps a BOM that is not at the start, where it makes the line invalid JSON', async () => {
    const items = await parse(bytes('{"a":1}\n', [0xef, 0xbb, 0xbf], '{"a":2}\n'));
    assert.deepEqual(ndjsonSummary(items), [
      [1, { a: 1 }],
      [2, 'SLUICE_INPUT_INVALID_JSON'],
    ]);
  });

  it('reads a last line that has no newline', async () => {
    assert.deepEqual(ndjsonSummary(await parse('{"a":1}\n{"a":2}')), [
      [1, { a: 1 }],
      [2, { a: 2 }],
    ]);
    assert.deepEqual(ndjsonSummary(await parse('{"a":1}\r\n{"a":2}\r')), [
      [1, { a: 1 }],
      [2, { a: 2 }],
    ]);
  });

  it('yields nothing for empty input, or input of blank lines only', async () => {
    assert.deepEqual(await parse(''), []);
    assert.deepEqual(await parse('\n\n\r\n  \n'), []);
  });

  it('turns a line that is not JSON into a failed item that says which line and why, and reads on', async () => {
    const items = await parse('{"a":1}\n{"a":\n{"a":3}\n');
    assert.deepEqual(ndjsonSummary(items), [
      [1, { a: 1 }],
      [2, 'SLUICE_INPUT_INVALID_JSON'],
      [3, { a: 3 }],
    ]);
    const failure = failureOf(items[1]);
    assert.equal(failure.line, 2);
    assert.equal(failure.raw, '{"a":');
    assert.match(failure.message, /^Line 2 is not valid JSON \(.+\)\. Each line must hold one JSON object\.$/);
    let reason = '';
    try {
      JSON.parse('{"a":');
    } catch (error) {
      reason = (error as Error).message;
    }
    assert.equal(failure.message, `Line 2 is not valid JSON (${reason}). Each line must hold one JSON object.`);
  });

  it('turns a JSON value that is not an object into a failed item that names what it is', async () => {
    const items = await parse('[1,2]\nnull\n42\n"text"\ntrue\n{}\n');
    assert.deepEqual(
      items.map((item) => (item.ok ? item.row : item.error.message)),
      [
        'Line 1 holds an array, not a JSON object. Each line must hold one JSON object.',
        'Line 2 holds null, not a JSON object. Each line must hold one JSON object.',
        'Line 3 holds a number, not a JSON object. Each line must hold one JSON object.',
        'Line 4 holds a string, not a JSON object. Each line must hold one JSON object.',
        'Line 5 holds a boolean, not a JSON object. Each line must hold one JSON object.',
        {},
      ],
    );
    assert.ok(items.slice(0, 5).every((item) => !item.ok && item.error.code === 'SLUICE_INPUT_NOT_OBJECT'));
    assert.equal(failureOf(items[0]).raw, '[1,2]');
  });

  it('turns a line of invalid UTF-8 into a failed item that gives the bad byte and its offset', async () => {
    const items = await parse(bytes('{"a":1}\n{"b":"', [0xff], '"}\n{"a":3}\n'));
    assert.deepEqual(ndjsonSummary(items), [
      [1, { a: 1 }],
      [2, 'SLUICE_INPUT_INVALID_UTF8'],
      [3, { a: 3 }],
    ]);
    const failure = failureOf(items[1]);
    assert.equal(failure.message, 'Line 2 is not valid UTF-8 (byte 0xff at offset 6 of the line). Save the input as UTF-8.');
    assert.equal(failure.raw, '{"b":"\uFFFD"}');
  });

  it('flags a truncated character, an overlong encoding and an encoded surrogate as invalid UTF-8', async () => {
    const items = await parse(bytes('{"a":"', [0xc3], '"}\n{"a":"', [0xc0, 0xaf], '"}\n{"a":"', [0xed, 0xa0, 0x80], '"}\n{"end":"', [0xe6, 0x97]));
    assert.deepEqual(ndjsonSummary(items), [
      [1, 'SLUICE_INPUT_INVALID_UTF8'],
      [2, 'SLUICE_INPUT_INVALID_UTF8'],
      [3, 'SLUICE_INPUT_INVALID_UTF8'],
      [4, 'SLUICE_INPUT_INVALID_UTF8'],
    ]);
  });

  it('accepts a U+FFFD that is really in the input, and still finds a bad byte after one', async () => {
    const items = await parse('{"a":"\uFFFD"}\n{"b":"\uFFFD"}\n');
    assert.deepEqual(ndjsonSummary(items), [
      [1, { a: '\uFFFD' }],
      [2, { b: '\uFFFD' }],
    ]);
    const mixed = await parse(bytes('{"a":"\uFFFD', [0xfe], '"}\n'));
    assert.equal(failureOf(mixed[0]).message, 'Line 1 is not valid UTF-8 (byte 0xfe at offset 9 of the line). Save the input as UTF-8.');
  });

  it('accepts a line of exactly maxLineBytes and fails the one a byte longer', async () => {
    const exact = '{"a":"12345"}'; // 13 bytes
    const items = await parse(`${exact}\n{"a":"123456"}\n${exact}\n`, { maxLineBytes: 13 });
    assert.deepEqual(ndjsonSummary(items), [
      [1, { a: '12345' }],
      [2, 'SLUICE_INPUT_LINE_TOO_LONG'],
      [3, { a: '12345' }],
    ]);
    assert.equal(
      failureOf(items[1]).message,
      "Line 2 is longer than `maxLineBytes` (13 bytes), so it was skipped. If lines this long are expected, raise the limit: `--max-line-bytes` on the command line, `maxLineBytes:` in a definition, or the source's `maxLineBytes` option.",
    );
    assert.equal(failureOf(items[1]).raw, '{"a":"123456"}');
  });

  it('counts the CR of a CRLF line end against maxLineBytes', async () => {
    const items = await parse('{"a":"12345"}\r\n', { maxLineBytes: 13 });
    assert.deepEqual(ndjsonSummary(items), [[1, 'SLUICE_INPUT_LINE_TOO_LONG']]);
  });

  it('skips a line far over the limit as it streams, keeping its first 200 characters as raw', async () => {
    const long = `{"text":"${'z'.repeat(5 * 1024 * 1024)}"}`;
    for (const chunkSize of [1000, 64 * 1024, 1024 * 1024]) {
      const items = await parse(`{"a":1}\n${long}\n{"a":3}\n${long}`, { maxLineBytes: 4096, chunkSize });
      assert.deepEqual(ndjsonSummary(items), [
        [1, { a: 1 }],
        [2, 'SLUICE_INPUT_LINE_TOO_LONG'],
        [3, { a: 3 }],
        [4, 'SLUICE_INPUT_LINE_TOO_LONG'],
      ]);
      assert.equal(failureOf(items[1]).raw, long.slice(0, 200));
      assert.equal(failureOf(items[3]).raw, long.slice(0, 200));
    }
  });

  it('cuts the raw text of a long bad line to 200 characters', async () => {
    const items = await parse(`{"a": ${'1'.repeat(1000)}\n`);
    assert.equal(failureOf(items[0]).raw, `{"a": ${'1'.repeat(194)}`);
  });

  it('gives the same items whatever the chunk boundaries, even inside a character, a CRLF or the BOM', async () => {
    const data = bytes(
      [0xef, 0xbb, 0xbf],
      '{"a":"café"}\r\n\n{"b":"日本語😀"}\n[1]\nnope\r\n{"c":"',
      [0xff],
      '"}\n{"long":"',
      'w'.repeat(60),
      '"}\n   \n{"d":"\uFFFD"}\r\n{"e":"last"}',
    );
    const expected = ndjsonSummary(await parse(data, { maxLineBytes: 40 }));
    assert.deepEqual(expected, [
      [1, { a: 'café' }],
      [3, { b: '日本語😀' }],
      [4, 'SLUICE_INPUT_NOT_OBJECT'],
      [5, 'SLUICE_INPUT_INVALID_JSON'],
      [6, 'SLUICE_INPUT_INVALID_UTF8'],
      [7, 'SLUICE_INPUT_LINE_TOO_LONG'],
      [9, { d: '\uFFFD' }],
      [10, { e: 'last' }],
    ]);
    for (let chunkSize = 1; chunkSize <= data.length; chunkSize++) {
      const items = await parse(data, { maxLineBytes: 40, chunkSize });
      assert.deepEqual(ndjsonSummary(items), expected, `chunk size ${chunkSize}`);
      assert.deepEqual(
        items.map((item) => (item.ok ? undefined : item.raw)),
        (await parse(data, { maxLineBytes: 40 })).map((item) => (item.ok ? undefined : item.raw)),
      );
    }
  });

  it('reads string and Uint8Array chunks like Buffers', async () => {
    async function* strings() {
      yield '{"a":"é';
      yield '"}\n{"a":2}\n';
    }
    async function* arrays() {
      const all = new TextEncoder().encode('{"a":1}\n{"a":2}\n');
      yield all.subarray(0, 5);
      yield all.subarray(5);
    }
    assert.deepEqual(ndjsonSummary(await ndjsonCollect(ndjsonLines(strings()))), [
      [1, { a: 'é' }],
      [2, { a: 2 }],
    ]);
    assert.deepEqual(ndjsonSummary(await ndjsonCollect(ndjsonLines(arrays()))), [
      [1, { a: 1 }],
      [2, { a: 2 }],
    ]);
  });

  it('keeps a copy of an unfinished line, so a source that reuses its buffer does not corrupt it', async () => {
    async function* reusing() {
      const buf = Buffer.alloc(8);
      for (const part of ['{"a":"xy', 'z"}\n{"b"', ':2}\n']) {
        buf.fill(0x21);
        const n = buf.write(part);
        yield buf.subarray(0, n);
      }
    }
    assert.deepEqual(ndjsonSummary(await ndjsonCollect(ndjsonLines(reusing()))), [
      [1, { a: 'xyz' }],
      [2, { b: 2 }],
    ]);
  });

  it('yields one batch per chunk that ends a line, and no empty batches', async () => {
    async function* parts() {
      yield '{"a":1}\n{"a":2}\n';
      yield '{"a":';
      yield '3}\n\n';
      yield '\n';
      yield '{"a":4}';
    }
    const batches: SourceItem[][] = [];
    for await (const batch of ndjsonLines(parts())) batches.push(batch);
    assert.deepEqual(
      batches.map((batch) => batch.map((item) => item.position)),
      [[1, 2], [3], [6]],
    );
  });

  it('checks maxLineBytes when called, not on the first read', () => {
    assert.doesNotThrow(() => ndjsonLines(chunks(''), { maxLineBytes: 1 }));
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      assert.throws(
        () => ndjsonLines(chunks(''), { maxLineBytes: bad }),
        (error: unknown) => {
          assert.ok(error instanceof SluiceConfigError);
          assert.equal(error.message, `Expected \`maxLineBytes\` to be an integer from 1 and up, got \`${bad}\``);
          return true;
        },
      );
    }
  });

  it('reads a 200,000-line file with a few bad lines: every line is a row, a failure or a counted blank', async () => {
    const path = tmp.path('200k.jsonl');
    const bad = new Map<number, string>([
      [17, 'SLUICE_INPUT_INVALID_JSON'],
      [50_000, 'SLUICE_INPUT_NOT_OBJECT'],
      [99_999, 'SLUICE_INPUT_LINE_TOO_LONG'],
      [123_456, 'SLUICE_INPUT_INVALID_UTF8'],
      [199_999, 'SLUICE_INPUT_INVALID_JSON'],
    ]);
    const blank = new Set([2, 150_000, 150_001]);
    const parts: Buffer[] = [];
    for (let line = 1; line <= 200_000; line++) {
      let text: Buffer;
      if (blank.has(line)) text = Buffer.from('');
      else if (bad.get(line) === 'SLUICE_INPUT_INVALID_JSON') text = Buffer.from(`{"line":${line},`);
      else if (bad.get(line) === 'SLUICE_INPUT_NOT_OBJECT') text = Buffer.from(`[${line}]`);
      else if (bad.get(line) === 'SLUICE_INPUT_LINE_TOO_LONG') text = Buffer.from(`{"line":${line},"pad":"${'p'.repeat(70_000)}"}`);
      else if (bad.get(line) === 'SLUICE_INPUT_INVALID_UTF8') text = bytes(`{"line":${line},"bad":"`, [0xc3, 0x28], '"}');
      else text = Buffer.from(JSON.stringify({ line, text: `row ${line} · ünïcödé ✓`, pad: 'x'.repeat(line % 100) }));
      parts.push(text, Buffer.from(line % 3 === 0 ? '\r\n' : '\n'));
    }
    await writeFile(path, Buffer.concat(parts));

    const items = await ndjsonCollect(ndjsonLines(createReadStream(path, { highWaterMark: 1024 * 1024 }), { maxLineBytes: 64 * 1024 }));
    const good = items.filter((item) => item.ok);
    const failed = items.filter((item) => !item.ok);
    assert.equal(good.length + failed.length + blank.size, 200_000);
    assert.equal(failed.length, bad.size);
    assert.deepEqual(
      failed.map((item) => [item.position, item.ok ? '' : item.error.code]),
      [...bad],
    );
    // Each good row says which line it was on: positions are exact across 1 MiB chunk boundaries.
    for (const item of good) {
      assert.ok(item.ok);
      assert.equal(item.row.line, item.position);
    }
    assert.equal(good.length, 200_000 - bad.size - blank.size);
  });
});
