import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { map } from '../../lib/operators/map.ts';
import { scatter } from '../../lib/operators/scatter.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import { toMemory } from '../../lib/sinks/memory.ts';
import { ndjsonFile } from '../../lib/sources/ndjson-file.ts';
import { failedCollector } from '../helpers/failed-collector.ts';
import { ndjsonTempDir } from '../helpers/ndjson-temp-dir.ts';

const dir = ndjsonTempDir('checked-rows');

describe('a source with a schema', () => {
  it('passes matching rows (as the schema parsed them) and fails the others with the path and line', async () => {
    const input = dir.path('topics.jsonl');
    writeFileSync(input, '{"topic":"tides","n":1}\n{"topic":7}\n{"n":2}\n{"topic":"bread","extra":true}\n');
    const out = toMemory();
    const failed = failedCollector();
    const schema = z.object({ topic: z.string() });
    const summary = await pipeline('p')
      .from(ndjsonFile(input, { schema }))
      .pipe(map((row) => ({ ...row, upper: row.topic.toUpperCase() })))
      .to(out)
      .run({ cache: false, failed });
    assert.deepEqual(out.rows, [
      { topic: 'tides', upper: 'TIDES' },
      { topic: 'bread', upper: 'BREAD' },
    ]);
    assert.deepEqual(
      failed.rows.map((f: any) => [f.line, f.error.code, f.error.message]),
      [
        [2, 'SLUICE_INPUT_SCHEMA', "Record 2 does not match the source's schema: `topic`: Invalid input: expected string, received number."],
        [3, 'SLUICE_INPUT_SCHEMA', "Record 3 does not match the source's schema: `topic`: Invalid input: expected string, received undefined."],
      ],
    );
    assert.deepEqual([summary.source.read, summary.source.invalid, summary.source.done], [4, 2, 4]);
  });

  it('tells validation its columns before any row is read', async () => {
    const source = ndjsonFile(dir.path('none.jsonl'), { schema: z.object({ topic: z.string() }) });
    await assert.rejects(
      pipeline('p')
        .from(source)
        // @ts-expect-error `subtopics` is not a list column of the source's rows
        .pipe(scatter('subtopics'))
        .to(toMemory())
        .run({ cache: false, failed: failedCollector() }),
      { code: 'SLUICE_MISSING_COLUMNS' },
    );
  });
});
