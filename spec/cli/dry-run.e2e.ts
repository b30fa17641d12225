import assert from 'node:assert/strict';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot, runCli } from '../helpers/run-cli.ts';

const fixture = join(repoRoot, 'spec/fixtures/graph-pipeline.ts');

describe('sluice dry-run', () => {
  it('sends the first record through every step and prints the rows after each, then what would be written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-dry-'));
    const result = await runCli(['dry-run', fixture], '{"text":"  hi  "}\n{"text":"second"}\n', { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      [
        'sluice dry-run: features, the first record of stdin',
        '── source stdin: 1 record',
        '{"text":"  hi  "}',
        '── trim (map): 1 row',
        '{"text":"hi"}',
        '── non-empty (filter): 1 row',
        '{"text":"hi"}',
        '── fan/upper/shout (map): 1 row',
        '{"text":"hi","upper":"HI"}',
        '── fan/size/count (map): 1 row',
        '{"text":"hi","chars":2}',
        '── fan (broadcast): 2 rows',
        '{"text":"hi","upper":"HI"}',
        '{"text":"hi","chars":2}',
        '── merge (join): 1 row',
        '{"text":"hi","upper":"HI","chars":2}',
        '── written to default: 1 row',
        '{"text":"hi","upper":"HI","chars":2}',
        '',
      ].join('\n'),
    );
    assert.deepEqual(await readdir(dir), [], 'a dry run writes no files');
  });

  it('shows where a row was filtered out', async () => {
    const result = await runCli(['dry-run', fixture], '{"text":"   "}\n');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /── non-empty \(filter\): 0 rows, 1 filtered\n── fan\/upper\/shout \(map\): 0 rows\n/);
    assert.match(result.stdout, /── written: nothing\n$/);
  });

  it('prints NDJSON of {step, rows} with --json, reading -i', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-dry-'));
    await writeFile(join(dir, 'in.jsonl'), '{"text":"ok"}\n');
    const result = await runCli(['dry-run', fixture, '-i', join(dir, 'in.jsonl'), '--json']);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(lines[0], { source: 'in.jsonl', rows: [{ text: 'ok' }], failed: [] });
    assert.deepEqual(
      lines.slice(1, -1).map((l) => [l.step, l.kind, (l.rows as unknown[]).length]),
      [
        ['trim', 'map', 1],
        ['non-empty', 'filter', 1],
        ['fan/upper/shout', 'map', 1],
        ['fan/size/count', 'map', 1],
        ['fan', 'broadcast', 2],
        ['merge', 'join', 1],
      ],
    );
    assert.deepEqual(lines.at(-1), { written: { default: [{ text: 'ok', upper: 'OK', chars: 2 }] } });
  });

  it('reports a record that fails in a step, and exits 3', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-dry-'));
    const module = join(repoRoot, 'spec/fixtures/failing-pipeline.ts');
    const result = await runCli(['dry-run', module], '{"a":1}\n', { cwd: dir });
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stdout, /── explode \(map\): 0 rows, 1 failed\n✗ Error: no good\n── written: nothing\n$/);
    assert.deepEqual(await readdir(dir), [], 'no failed-rows file either');
  });
});
