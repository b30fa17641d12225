import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/run-cli.ts';

describe('a run directory you can replay', () => {
  it('`sluice run <run-dir>` reruns what it recorded: the definition as it ran (with --set), input, output', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-replay-'));
    await writeFile(join(dir, 'in.jsonl'), '{"text":"  hello  "}\n{"text":""}\n{"text":"a much longer line than twenty characters"}\n');
    const first = await runCli([
      'run',
      'spec/fixtures/tidy.yaml',
      '-i',
      join(dir, 'in.jsonl'),
      '-o',
      join(dir, 'out.jsonl'),
      '--run-dir',
      join(dir, 'run'),
      '--set',
      'stamp.set={ source: v2 }',
      '-q',
    ]);
    assert.equal(first.code, 0, first.stderr);
    const firstRows = await readFile(join(dir, 'out.jsonl'), 'utf8');
    assert.equal(firstRows, '{"text":"hello","source":"v2"}\n');
    const kept = await readFile(join(dir, 'run', 'pipeline.yaml'), 'utf8');
    assert.match(kept, /source: v2/);
    const record = JSON.parse(await readFile(join(dir, 'run', 'run.json'), 'utf8')) as { cwd: string; llms: object };
    assert.equal(record.cwd, process.cwd());
    assert.deepEqual(record.llms, {});

    await rm(join(dir, 'out.jsonl'));
    const again = await runCli(['run', join(dir, 'run'), '-q']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /^sluice: replaying sluice run .*run\/pipeline\.yaml -i .*in\.jsonl -o .*out\.jsonl --run-dir .*run -q/m);
    assert.equal(await readFile(join(dir, 'out.jsonl'), 'utf8'), firstRows);
  });

  it('inspect names only outputs that are there: a folder output by its folder, no failed file when none was written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-inspect-out-'));
    await writeFile(join(dir, 'in.jsonl'), '{"text":"hi"}\n');
    const ran = await runCli([
      'run',
      'spec/fixtures/tidy.yaml',
      '-i',
      join(dir, 'in.jsonl'),
      '-o',
      `${join(dir, 'out')}/`,
      '--run-dir',
      join(dir, 'run'),
      '-q',
    ]);
    assert.equal(ran.code, 0, ran.stderr);
    const shown = await runCli(['inspect', join(dir, 'run')]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /output +.*out\/$/m);
    assert.doesNotMatch(shown.stdout, /default\.jsonl|not written|failed\.jsonl/);
  });
});
