import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/run-cli.ts';

describe('leaves of a folder output', () => {
  it('never writes a leaf named `failed` into the failed-rows file: its rows fail with the reason, and every row is accounted for', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-leaf-'));
    const input = [
      { bad: true, n: 1 },
      { bad: false, n: 2 },
      { bad: true, n: 3 },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n');
    const result = await runCli(['run', 'spec/fixtures/leaf-failed.yaml', '-o', `${join(dir, 'out')}/`, '--no-progress'], input);
    assert.equal(result.code, 3, result.stderr);
    const failed = (await readFile(join(dir, 'out', 'failed.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; error: { code: string; message: string } });
    assert.deepEqual(
      failed.map((f) => f.error.code),
      ['SLUICE_SINK_LEAF_CONFLICT', 'SLUICE_SINK_LEAF_CONFLICT'],
    );
    assert.match(failed[0]!.error.message, /^Leaf `failed` would write to .*failed\.jsonl, which holds the failed rows\. Give the branch another name\.$/);
    const kept = (await readFile(join(dir, 'out', 'kept.jsonl'), 'utf8')).trim().split('\n');
    assert.equal(kept.length, 1);
    assert.match(result.stderr, /written: kept 1/);
    assert.match(result.stderr, /failed: 2/);
  });
});
