import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot, runCli, startCli } from '../helpers/run-cli.ts';

const clean = join(repoRoot, 'examples/clean.ts');

function lines(text: string): unknown[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
}

describe('sluice run', () => {
  it('works as a Unix filter: NDJSON in on stdin, NDJSON alone on stdout, the summary on stderr', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-cli-'));
    const input = [JSON.stringify({ text: '  hello  ', n: 1 }), JSON.stringify({ text: '   ', n: 2 }), JSON.stringify({ text: 'world', tag: ' x ' })].join(
      '\n',
    );
    const result = await runCli(['run', clean], `${input}\n`, { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(lines(result.stdout), [
      { text: 'hello', n: 1 },
      { text: 'world', tag: 'x' },
    ]);
    assert.match(result.stderr, /clean ok/);
    assert.match(result.stderr, /non-empty-text\s+3\s+2\s+1\s+0\s+2/);
    assert.equal(existsSync(join(dir, 'failed.jsonl')), false, 'no failed file for a clean run');
  });

  it('sends bad lines to the failed file with their line numbers, keeps going, and exits 3', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-cli-'));
    const input = ['{"text":"a"}', '{not json', '[1,2]', '', '{"text":"b"}'].join('\r\n');
    const result = await runCli(['run', clean, '-o', join(dir, 'out.jsonl')], input, { cwd: dir });
    assert.equal(result.code, 3, result.stderr);
    assert.equal(result.stdout, '');
    assert.deepEqual(lines(await readFile(join(dir, 'out.jsonl'), 'utf8')), [{ text: 'a' }, { text: 'b' }]);
    const failed = lines(await readFile(join(dir, 'out.failed.jsonl'), 'utf8')) as Array<{ line: number; error: { code: string } }>;
    assert.deepEqual(
      failed.map((f) => [f.line, f.error.code]),
      [
        [2, 'SLUICE_INPUT_INVALID_JSON'],
        [3, 'SLUICE_INPUT_NOT_OBJECT'],
      ],
    );
    assert.match(result.stderr, /failed: 2 \(see .*out\.failed\.jsonl\)/);
  });

  it('exits 0 with --allow-failures and still writes the failed rows', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-cli-'));
    const result = await runCli(['run', clean, '--allow-failures', '--failed', join(dir, 'bad.jsonl')], '{"text":"a"}\nnope\n', { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(lines(await readFile(join(dir, 'bad.jsonl'), 'utf8')).length, 1);
  });

  it('reads and writes files with -i and -o', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-cli-'));
    await writeFile(join(dir, 'in.jsonl'), '{"text":" x "}\n{"text":""}\n');
    const result = await runCli(['run', clean, '-i', join(dir, 'in.jsonl'), '-o', join(dir, 'out.jsonl'), '-q']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    assert.equal(await readFile(join(dir, 'out.jsonl'), 'utf8'), '{"text":"x"}\n');
  });

  it('explains a module without a pipeline and exits 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-cli-'));
    await writeFile(join(dir, 'nothing.ts'), 'export default 42;\n');
    const result = await runCli(['run', join(dir, 'nothing.ts')]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /has no pipeline as its default export/);
    const missing = await runCli(['run', join(dir, 'missing.ts')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Cannot find the pipeline module/);
  });

  it('prints help for run, with the exit codes', async () => {
    const result = await runCli(['run', '--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /--input <file\|url\|->/);
    assert.match(result.stdout, /Exit codes: 0 ok, 1 run error, 2 usage error, 3 finished with failed rows, 130 interrupted/);
    const bad = await runCli(['run', clean, '--budget', '0']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Expected `--budget` to be an integer from 1 and up, got `0`/);
  });

  it('on SIGINT stops reading, starts no queued row, finishes the ones running, flushes, and exits 130 with no row written twice', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-cli-'));
    const module = join(repoRoot, 'spec/fixtures/slow-pipeline.ts');
    const input = join(dir, 'in.jsonl');
    await writeFile(input, Array.from({ length: 5000 }, (_, i) => JSON.stringify({ i })).join('\n'));
    const out = join(dir, 'out.jsonl');
    const { child, result } = startCli(['run', module, '-i', input, '-o', out, '--budget', '32'], { cwd: dir });
    child.stdin!.end();
    // Wait until some rows are written, then interrupt.
    for (let i = 0; i < 400; i++) {
      await new Promise((r) => setTimeout(r, 25));
      if (existsSync(out) && (await readFile(out, 'utf8')).split('\n').length > 50) break;
    }
    child.kill('SIGINT');
    const done = await result;
    assert.equal(done.code, 130, done.stderr);
    const text = await readFile(out, 'utf8');
    assert.ok(text.endsWith('\n'), 'no partial line');
    const rows = lines(text) as Array<{ i: number; seen: boolean }>;
    assert.ok(rows.length > 50 && rows.length < 5000, `wrote ${rows.length}`);
    assert.ok(rows.every((r) => r.seen));
    assert.equal(new Set(rows.map((r) => r.i)).size, rows.length, 'no duplicates');
    // Every done record is written; the queued ones were not started, and are not done (a resume redoes them).
    const m = /(\d+) read, 0 invalid, 0 skipped, (\d+) done/.exec(done.stderr);
    assert.ok(m, done.stderr);
    assert.ok(Number(m[1]) >= Number(m[2]));
    assert.equal(Number(m[2]), rows.length);
    if (Number(m[1]) > Number(m[2])) assert.match(done.stderr, /not done: \d+ records?, cut short by the stop/);
    assert.deepEqual((await readdir(dir)).sort(), ['in.jsonl', 'out.jsonl']);
  });
});
