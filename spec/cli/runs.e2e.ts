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

  it('--keep writes the rows a step passed on into the run directory, and inspect --step prints them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-keep-'));
    await writeFile(join(dir, 'rows.jsonl'), '{"text":"a"}\n{"text":""}\n{"text":"b"}\n');
    await writeFile(
      join(dir, 'p.yaml'),
      'name: kept\nsteps:\n  - filter: { name: nonempty, column: text, nonEmpty: true }\n  - map: { name: tag, set: { seen: true } }\n',
    );
    const run = await runCli(['run', 'p.yaml', '-i', 'rows.jsonl', '-o', 'out.jsonl', '--run-dir', 'runs/k', '--keep', 'nonempty', '--no-progress'], '', {
      cwd: dir,
    });
    assert.equal(run.code, 0, run.stderr);
    const shown = await runCli(['inspect', 'runs/k', '--step', 'nonempty'], '', { cwd: dir });
    assert.equal(shown.code, 0, shown.stderr);
    const kept = shown.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; lineage: string[]; row: { text: string } });
    assert.deepEqual(
      kept.map((k) => [k.id, k.lineage, k.row]),
      [
        ['rows.jsonl:1', ['rows.jsonl:1'], { text: 'a' }],
        ['rows.jsonl:3', ['rows.jsonl:3'], { text: 'b' }],
      ],
    );
    const other = await runCli(['inspect', 'runs/k', '--step', 'tag'], '', { cwd: dir });
    assert.equal(other.code, 2);
    assert.match(other.stderr, /kept no rows of step `tag`\. It kept: `nonempty`/);
    const unknown = await runCli(['run', 'p.yaml', '-i', 'rows.jsonl', '-o', 'out2.jsonl', '--run-dir', 'runs/u', '--keep', 'nope', '--no-progress'], '', {
      cwd: dir,
    });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /`keep` names no step called `nope`\. The steps are: `nonempty`, `tag`/);
    const noDir = await runCli(['run', 'p.yaml', '-i', 'rows.jsonl', '-o', 'out3.jsonl', '--keep', 'tag', '--no-progress'], '', { cwd: dir });
    assert.equal(noDir.code, 2);
    assert.match(noDir.stderr, /run directory/);
  });

  it('runs a pipeline by the name the project registers in package.json or sluice.config.json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-named-'));
    await writeFile(join(dir, 'rows.jsonl'), '{"text":"a"}\n{"text":""}\n');
    await writeFile(join(dir, 'nonempty.yaml'), 'name: nonempty\nsteps:\n  - filter: { column: text, nonEmpty: true }\n');
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'project', sluice: { pipelines: { keep: 'nonempty.yaml' } } }));
    await writeFile(join(dir, 'sluice.config.json'), JSON.stringify({ pipelines: { clean: join(repoRoot, 'examples', 'clean.ts') } }));
    const byName = await runCli(['run', 'keep', '-i', 'rows.jsonl', '--no-progress'], '', { cwd: dir });
    assert.equal(byName.code, 0, byName.stderr);
    assert.equal(byName.stdout.trim(), '{"text":"a"}');
    const fromConfig = await runCli(['validate', 'clean'], '', { cwd: dir });
    assert.equal(fromConfig.code, 0, fromConfig.stderr);
    const unknown = await runCli(['run', 'nope', '--no-progress'], '', { cwd: dir });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /`nope` is neither a pipeline file nor a pipeline registered here\. The registered ones: `clean`, `keep`\./);
  });
});
