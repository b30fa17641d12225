import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot, runCli } from '../helpers/run-cli.ts';

describe('sluice runs', () => {
  it('lists the runs made here with --run-dir, newest first, by pipeline, as a table or JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-runs-'));
    await writeFile(join(dir, 'rows.jsonl'), '{"text":" a "}\n{"text":""}\n{"text":"b"}\n');
    await writeFile(join(dir, 'other.yaml'), 'name: other\nsteps:\n  - filter: { column: text, nonEmpty: true }\n');
    const clean = join(repoRoot, 'examples', 'clean.ts');
    const empty = await runCli(['runs'], '', { cwd: dir });
    assert.equal(empty.code, 0);
    assert.match(empty.stderr, /no runs recorded here/);
    for (const [pipeline, run] of [
      [clean, 'runs/first'],
      ['other.yaml', 'runs/second'],
      [clean, 'runs/third'],
    ] as const) {
      const result = await runCli(['run', pipeline, '-i', 'rows.jsonl', '-o', `${run}.jsonl`, '--run-dir', run, '--no-progress'], '', { cwd: dir });
      assert.equal(result.code, 0, result.stderr);
    }
    const table = await runCli(['runs'], '', { cwd: dir });
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trim().split('\n');
    assert.match(lines[0]!, /^started\s+status\s+pipeline\s+written\s+failed\s+cost\s+took\s+run dir$/);
    assert.deepEqual(
      lines.slice(1).map((line) => line.trim().split(/\s+/).at(-1)),
      ['runs/third', 'runs/second', 'runs/first'],
    );
    const json = await runCli(['runs', '--pipeline', 'other', '--json'], '', { cwd: dir });
    const records = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(records.length, 1);
    assert.equal(records[0]!.pipeline, 'other');
    assert.equal(records[0]!.status, 'ok');
    assert.equal(records[0]!.written, 2);
    assert.equal(records[0]!.runDir, 'runs/second');
    assert.match(String(records[0]!.definition), /^[0-9a-f]{16}$/);
  });
});
