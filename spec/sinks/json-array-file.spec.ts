import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { Row } from '../../lib/core/row.ts';
import { toJsonArrayFile } from '../../lib/sinks/json-array-file.ts';
import { runSinkConformance } from '../conformance/sink.case.ts';
import { ndjsonTempDir } from '../helpers/ndjson-temp-dir.ts';

runSinkConformance(
  'toJsonArrayFile',
  async ({ dir, broken }) => {
    if (!broken) return toJsonArrayFile(join(dir, 'out.json'));
    await writeFile(join(dir, 'blocker'), '');
    return toJsonArrayFile(join(dir, 'blocker', 'out.json'));
  },
  async (dir) => (existsSync(join(dir, 'out.json')) ? (JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as Row[]) : []),
);

const dir = ndjsonTempDir('json-sink');

describe('toJsonArrayFile', () => {
  it('writes [] when no row comes, and a gzip-compressed array for .json.gz', async () => {
    const empty = dir.path('empty.json');
    const none = toJsonArrayFile(empty);
    await none.open?.();
    await none.close();
    assert.equal(readFileSync(empty, 'utf8'), '[]\n');

    const zipped = dir.path('rows.json.gz');
    const sink = toJsonArrayFile(zipped);
    await sink.open?.();
    await new Promise((resolve) => sink.write({ a: 1 }, 'default', resolve));
    await new Promise((resolve) => sink.write({ a: 2 }, 'default', resolve));
    await sink.close();
    assert.equal(gunzipSync(readFileSync(zipped)).toString(), '[\n{"a":1},\n{"a":2}\n]\n');
  });
});
