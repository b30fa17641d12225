import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, toJson } from 'hyparquet';
import { parseDefinition } from '../../lib/config/parse-definition.ts';
import { definitionYamlOf } from '../../lib/config/save-definition.ts';
import { failedCollector } from '../helpers/failed-collector.ts';
import { ndjsonTempDir } from '../helpers/ndjson-temp-dir.ts';

const dir = ndjsonTempDir('io-definition');

describe('input: and output: with format options in a definition', () => {
  it('reads a semicolon CSV and writes Parquet in row groups of 2, and saves the options back', async () => {
    const input = dir.path('in.txt');
    const output = dir.path('out.parquet');
    writeFileSync(input, 'q;n\nwhy;1\nhow;2\nwhat;3\n');
    const yaml = [
      'name: io',
      `input: { path: ${JSON.stringify(input)}, format: csv, delimiter: ";" }`,
      `output: { path: ${JSON.stringify(output)}, rowGroupSize: 2 }`,
      'steps:',
      '  - map: { rename: { q: question } }',
    ].join('\n');
    const pipeline = await parseDefinition(yaml);
    const summary = await pipeline.run({ cache: false, failed: failedCollector() });
    assert.equal(summary.status, 'ok');
    const file = await asyncBufferFromFile(output);
    assert.deepEqual(
      (await parquetReadObjects({ file })).map((row) => toJson(row)),
      [
        { question: 'why', n: 1 },
        { question: 'how', n: 2 },
        { question: 'what', n: 3 },
      ],
    );
    assert.deepEqual(
      (await parquetMetadataAsync(file)).row_groups.map((g) => Number(g.num_rows)),
      [2, 1],
    );
    const saved = definitionYamlOf(pipeline);
    assert.match(saved, /input:\n {2}path: .*in\.txt\n {2}format: csv\n {2}delimiter: ;/);
    assert.match(saved, /output:\n {2}path: .*out\.parquet\n {2}rowGroupSize: 2/);
  });

  it('names a misspelt option with its place in the definition', async () => {
    await assert.rejects(parseDefinition('name: io\ninput: { path: a.csv, delimitr: ";" }\nsteps: []\n'), (error: Error) => {
      assert.match(error.message, /delimitr/);
      return true;
    });
  });
});
