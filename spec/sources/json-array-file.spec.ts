import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InputError, SluiceConfigError, SluiceError } from '../../lib/core/errors.ts';
import { jsonArrayFile } from '../../lib/sources/json-array-file.ts';
import { runSourceConformance } from '../conformance/source.case.ts';
import { ndjsonCollect, ndjsonSummary } from '../helpers/ndjson-collect.ts';
import { ndjsonTempDir } from '../helpers/ndjson-temp-dir.ts';

runSourceConformance(
  'jsonArrayFile',
  async (rows, dir) => {
    const path = join(dir, 'rows.json');
    await writeFile(path, JSON.stringify(rows, null, 2));
    return jsonArrayFile(path);
  },
  { restartable: true },
);

const tmp = ndjsonTempDir('json-array-file');

async function itemsOf(name: string, content: string | Buffer, options: { batchSize?: number } = {}) {
  const path = tmp.path(name);
  await writeFile(path, content);
  return ndjsonCollect(jsonArrayFile(path, options));
}

describe('jsonArrayFile', () => {
  it('is named after the file, unless given a name', () => {
    assert.equal(jsonArrayFile('/data/export.json').name, 'export.json');
    assert.equal(jsonArrayFile('/data/export.json', { name: 'export' }).name, 'export');
  });

  it('reads each element as a row at its 0-based index', async () => {
    assert.deepEqual(ndjsonSummary(await itemsOf('three.json', '[{"a":1},{"a":2},{"a":3}]')), [
      [0, { a: 1 }],
      [1, { a: 2 }],
      [2, { a: 3 }],
    ]);
  });

  it('turns an element that is not an object into a failed item at its index, and reads on', async () => {
    const items = await itemsOf('mixed.json', '[{"a":1}, 2, null, [3], "four", {"a":5}]');
    assert.deepEqual(ndjsonSummary(items), [
      [0, { a: 1 }],
      [1, 'SLUICE_INPUT_NOT_OBJECT'],
      [2, 'SLUICE_INPUT_NOT_OBJECT'],
      [3, 'SLUICE_INPUT_NOT_OBJECT'],
      [4, 'SLUICE_INPUT_NOT_OBJECT'],
      [5, { a: 5 }],
    ]);
    const failed = items[4]!;
    assert.ok(!failed.ok);
    assert.ok(failed.error instanceof InputError);
    assert.equal(failed.error.message, `Element 4 of \`${tmp.path('mixed.json')}\` is a string, not a JSON object. Each element must be one JSON object.`);
    assert.equal(failed.raw, '"four"');
  });

  it('drops a UTF-8 BOM at the start of the file', async () => {
    assert.deepEqual(ndjsonSummary(await itemsOf('bom.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[{"a":1}]')]))), [[0, { a: 1 }]]);
  });

  it('gives batches of batchSize elements', async () => {
    const path = tmp.path('ten.json');
    await writeFile(path, JSON.stringify(Array.from({ length: 10 }, (_, n) => ({ n }))));
    const sizes: number[] = [];
    for await (const batch of jsonArrayFile(path, { batchSize: 4 }).read(new AbortController().signal)) sizes.push(batch.length);
    assert.deepEqual(sizes, [4, 4, 2]);
  });

  it('reads the elements of an array that breaks off, then fails where it broke, so the run counts it', async () => {
    const items = await itemsOf('broken.json', '[{"a":1},{"b":');
    assert.deepEqual(ndjsonSummary(items), [
      [0, { a: 1 }],
      [1, 'SLUICE_INPUT_INVALID_JSON'],
    ]);
    assert.ok(!items[1]!.ok);
    assert.match(
      items[1]!.error.message,
      /^File `.*broken\.json` is not valid JSON \(it ends before its array closes, after 1 element\)\. It must hold one JSON array of objects; for one object per line, use `ndjsonFile`\.$/,
    );
    assert.equal(items[1]!.raw, '{"b":');
  });

  it('fails an element that is not valid JSON at its index and reads on, and streams a file far larger than one chunk', async () => {
    const elements = Array.from({ length: 20_000 }, (_, i) => (i === 7 ? '{"x": nope}' : JSON.stringify({ i, text: 'a "quoted" [bracket] {brace}, comma' })));
    const items = await itemsOf('big.json', `[\n${elements.join(',\n')}\n]\n`);
    assert.equal(items.length, 20_000);
    assert.deepEqual(ndjsonSummary(items.slice(6, 9)), [
      [6, { i: 6, text: 'a "quoted" [bracket] {brace}, comma' }],
      [7, 'SLUICE_INPUT_INVALID_JSON'],
      [8, { i: 8, text: 'a "quoted" [bracket] {brace}, comma' }],
    ]);
  });

  it('turns a file that holds something other than an array into one failed item', async () => {
    const items = await itemsOf('object.json', '{"rows":[]}');
    assert.deepEqual(ndjsonSummary(items), [[0, 'SLUICE_INPUT_SCHEMA']]);
    assert.ok(!items[0]!.ok);
    assert.equal(
      items[0]!.error.message,
      `File \`${tmp.path('object.json')}\` holds an object, not a JSON array. It must hold one JSON array of objects; for one object per line, use \`ndjsonFile\`.`,
    );
  });

  it('turns a file that is not UTF-8 into one failed item', async () => {
    const items = await itemsOf('latin1.json', Buffer.from('[{"a":"caf\xe9"}]', 'latin1'));
    assert.deepEqual(ndjsonSummary(items), [[0, 'SLUICE_INPUT_INVALID_UTF8']]);
  });

  it('fails a read of a missing file with SLUICE_INPUT_NOT_FOUND', async () => {
    const path = tmp.path('missing.json');
    await assert.rejects(ndjsonCollect(jsonArrayFile(path)), (error: unknown) => {
      assert.ok(error instanceof SluiceError);
      assert.equal(error.code, 'SLUICE_INPUT_NOT_FOUND');
      assert.match(error.message, /^Input file `.*missing\.json` was not found/);
      return true;
    });
  });

  it('checks batchSize when the source is made', () => {
    assert.throws(
      () => jsonArrayFile('x.json', { batchSize: 0 }),
      (error: unknown) => {
        assert.ok(error instanceof SluiceConfigError);
        assert.equal(error.message, 'Expected `batchSize` to be an integer from 1 and up, got `0`');
        return true;
      },
    );
  });
});
