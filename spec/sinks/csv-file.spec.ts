import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import type { Row } from '../../lib/core/row.ts';
import { toCsvFile } from '../../lib/sinks/csv-file.ts';
import { inferValue } from '../../lib/sources/csv-file.ts';
import { runSinkConformance } from '../conformance/sink.case.ts';
import { ndjsonTempDir } from '../helpers/ndjson-temp-dir.ts';

/** Reads a CSV file back with csv-parse directly (not Sluice's source), typing fields as the source would. */
function readCsv(path: string): Row[] {
  if (!existsSync(path)) return [];
  const records = parse(readFileSync(path, 'utf8'), { columns: true, bom: true }) as Record<string, string>[];
  return records.map((record) => Object.fromEntries(Object.entries(record).map(([k, v]) => [k, inferValue(v)])));
}

runSinkConformance(
  'toCsvFile',
  async ({ dir, broken }) => {
    if (!broken) return toCsvFile(join(dir, 'out.csv'));
    await writeFile(join(dir, 'blocker'), '');
    return toCsvFile(join(dir, 'blocker', 'out.csv'));
  },
  async (dir) => readCsv(join(dir, 'out.csv')),
);

const dir = ndjsonTempDir('csv-sink');

function write(sink: ReturnType<typeof toCsvFile>, rows: Row[]): Promise<Array<string | undefined>> {
  return Promise.all(
    rows.map(
      (row) =>
        new Promise<string | undefined>((resolve) =>
          sink.write(row, 'default', (error) => resolve(error ? `${(error as { code?: string }).code}: ${error.message}` : undefined)),
        ),
    ),
  );
}

describe('toCsvFile', () => {
  it('writes the header from the first row, nested values as JSON text, null as an empty field', async () => {
    const path = dir.path('nested.csv');
    const sink = toCsvFile(path);
    await sink.open?.();
    assert.deepEqual(await write(sink, [{ a: 1, b: { x: [1, 'two'] }, c: null, d: 'say "hi", then go' }]), [undefined]);
    await sink.close();
    assert.equal(readFileSync(path, 'utf8'), 'a,b,c,d\n1,"{""x"":[1,""two""]}",,"say ""hi"", then go"\n');
  });

  it('fails a row with a column the header lacks (its value would be lost), and writes the others', async () => {
    const path = dir.path('extra.csv');
    const sink = toCsvFile(path);
    await sink.open?.();
    const outcomes = await write(sink, [{ a: 1 }, { a: 2, b: 3 }, { a: 4 }]);
    await sink.close();
    assert.deepEqual(outcomes[0], undefined);
    assert.match(outcomes[1]!, /^SLUICE_OUTPUT_COLUMNS: A row has column `b`, which .*extra\.csv does not have \(its columns: `a`\)/);
    assert.equal(readFileSync(path, 'utf8'), 'a\n1\n4\n');
  });

  it('writes TSV for .tsv, and the columns given, in their order', async () => {
    const path = dir.path('cols.tsv');
    const sink = toCsvFile(path, { columns: ['b', 'a'] });
    await sink.open?.();
    await write(sink, [{ a: 1, b: 'x' }, { a: 2 }]);
    await sink.close();
    assert.equal(readFileSync(path, 'utf8'), 'b\ta\nx\t1\n\t2\n');
  });
});
