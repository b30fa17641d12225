import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot, runCli } from '../helpers/run-cli.ts';

const tidy = join(repoRoot, 'spec/fixtures/tidy.yaml');

const input = ['{"text":"  hello  ","n":1}', '{"text":"   ","n":2}', 'not json', '{"text":"a text too long to keep here","n":4}', '{"text":"ok","n":5}'].join(
  '\n',
);

describe('filter mode: cat in.jsonl | sluice run p.yaml > out.jsonl', () => {
  it('writes NDJSON alone on stdout, the summary on stderr, and failed rows to ./failed.jsonl; exits 3', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-filter-'));
    const result = await runCli(['run', tidy], `${input}\n`, { cwd: dir });
    assert.equal(result.code, 3, result.stderr);
    // stdout: every line is a JSON row, nothing else.
    assert.ok(result.stdout.endsWith('\n'));
    const rows = result.stdout
      .slice(0, -1)
      .split('\n')
      .map((line) => JSON.parse(line) as unknown);
    assert.deepEqual(rows, [
      { text: 'hello', n: 1, source: 'v1' },
      { text: 'ok', n: 5, source: 'v1' },
    ]);
    // stderr: the summary table.
    assert.match(result.stderr, /sluice: tidy failed-rows in [\d.]+ s\n {2}source stdin: 5 read, 1 invalid, 0 skipped, 5 done\n/);
    assert.match(result.stderr, /\n {2}non-empty {3}4 {4}3 {9}1 {7}0 {8}3\n/);
    assert.match(result.stderr, /\n {2}short {7}3 {4}2 {9}1 {7}0 {8}2\n/);
    assert.match(result.stderr, /written: default 2\n {2}failed: 1 \(see failed\.jsonl\)\n$/);
    // The failed row, with its line number and the raw text.
    const failed = (await readFile(join(dir, 'failed.jsonl'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(failed.length, 1);
    assert.deepEqual([failed[0]!.line, failed[0]!.raw, (failed[0]!.error as { code: string }).code], [3, 'not json', 'SLUICE_INPUT_INVALID_JSON']);
  });

  it('exits 0 and leaves no failed file for clean input, with -i - and -o - spelled out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-filter-'));
    const result = await runCli(['run', tidy, '-i', '-', '-o', '-'], '{"text":" a "}\n{"text":"b"}\n', { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '{"text":"a","source":"v1"}\n{"text":"b","source":"v1"}\n');
    assert.deepEqual(await readdir(dir), []);
  });

  it('sends failed rows where --failed says, keeping stdout for rows', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-filter-'));
    const result = await runCli(['run', tidy, '--failed', join(dir, 'bad', 'rows.jsonl')], `${input}\n`, { cwd: dir });
    assert.equal(result.code, 3, result.stderr);
    assert.equal(result.stdout.trimEnd().split('\n').length, 2);
    assert.equal(existsSync(join(dir, 'failed.jsonl')), false);
    assert.match(await readFile(join(dir, 'bad', 'rows.jsonl'), 'utf8'), /"code":"SLUICE_INPUT_INVALID_JSON"/);
  });

  it('streams: rows come out on stdout while stdin is still open', async () => {
    const { startCli } = await import('../helpers/run-cli.ts');
    const dir = await mkdtemp(join(tmpdir(), 'sluice-filter-'));
    const { child, result } = startCli(['run', tidy], { cwd: dir });
    let seen = '';
    const first = new Promise<void>((resolve) => {
      child.stdout!.on('data', (chunk: Buffer | string) => {
        seen += String(chunk);
        if (seen.includes('\n')) resolve();
      });
    });
    child.stdin!.write('{"text":" first "}\n');
    await first;
    assert.equal(seen, '{"text":"first","source":"v1"}\n');
    child.stdin!.end('{"text":"second"}\n');
    const done = await result;
    assert.equal(done.code, 0, done.stderr);
  });

  it("sends a step's console.log to stderr while stdout carries the rows", async () => {
    const result = await runCli(['run', 'spec/fixtures/chatty-pipeline.ts', '-q'], '{"n":1}\n{"n":2}\n');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '{"n":1,"seen":true}\n{"n":2,"seen":true}\n');
    assert.match(result.stderr, /loading the chatty pipeline/);
    assert.match(result.stderr, /saw \{ n: 1 \}/);
    const dry = await runCli(['dry-run', 'spec/fixtures/chatty-pipeline.ts', '--json'], '{"n":1}\n');
    assert.doesNotMatch(dry.stdout, /saw|loading/);
  });
});
