import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot, runCli } from '../helpers/run-cli.ts';

const clean = join(repoRoot, 'examples/clean.ts');
const failing = join(repoRoot, 'spec/fixtures/failing-pipeline.ts');
const rows = (oks: boolean[]) => oks.map((ok, i) => JSON.stringify({ i, ok })).join('\n');

describe('sluice exit codes', () => {
  it('0: every row written', async () => {
    const result = await runCli(['run', clean], '{"text":"a"}\n');
    assert.equal(result.code, 0, result.stderr);
  });

  it('3: the run finished with failed rows over the threshold (any, by default)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-exit-'));
    const result = await runCli(['run', failing, '-o', join(dir, 'out.jsonl')], rows([true, false, true, true]));
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /failed: 1 \(see .*out\.failed\.jsonl\)/);
  });

  it('0 or 3 by --max-failure-rate: the share of records read that failed, checked when the run ends', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-exit-'));
    const under = await runCli(['run', failing, '-o', join(dir, 'a.jsonl'), '--max-failure-rate', '0.5'], rows([true, false, true, true]));
    assert.equal(under.code, 0, under.stderr);
    const over = await runCli(['run', failing, '-o', join(dir, 'b.jsonl'), '--max-failure-rate', '0.5'], rows([false, false, false, true]));
    assert.equal(over.code, 3, over.stderr);
  });

  it('1: a run error, such as an output that cannot be created', async () => {
    const result = await runCli(['run', clean, '-o', '/proc/forbidden/x.jsonl'], '{"text":"a"}\n');
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^sluice: .*\/proc\/forbidden/m);
    assert.doesNotMatch(result.stderr, /unexpected error| {4}at /, 'an OS error is reported without a stack trace');
  });

  it('1: --fail-fast stops at the first failed row, with the summary on stderr', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-exit-'));
    const result = await runCli(['run', failing, '-o', join(dir, 'out.jsonl'), '--fail-fast'], rows([true, false, true]));
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /SLUICE_FAILURE_POLICY/);
    assert.match(result.stderr, /sluice: boom error in/);
    assert.equal((await readFile(join(dir, 'out.failed.jsonl'), 'utf8')).split('\n').filter(Boolean).length, 1);
  });

  it('2: a bad flag, a bad flag value, a bad --set, or an unknown command (with a suggestion)', async () => {
    const bogus = await runCli(['run', clean, '--bogus']);
    assert.equal(bogus.code, 2);
    assert.match(bogus.stderr, /unknown option '--bogus'/);
    const limit = await runCli(['run', clean, '--limit', '0']);
    assert.equal(limit.code, 2);
    assert.match(limit.stderr, /Expected `--limit` to be an integer from 1 and up, got `0`/);
    const set = await runCli(['run', clean, '--set', 'trim']);
    assert.equal(set.code, 2);
    assert.match(set.stderr, /Expected `--set` to look like `step\.param=value`, got `trim`/);
    const command = await runCli(['rnu', clean]);
    assert.equal(command.code, 2);
    assert.match(command.stderr, /unknown command 'rnu'\n\(Did you mean run\?\)/);
    const extension = await runCli(['run', join(repoRoot, 'README.md')]);
    assert.equal(extension.code, 2);
    assert.match(extension.stderr, /Expected a pipeline module \(\.ts, \.js\) or definition \(\.yaml, \.yml, \.json\), got `.*README\.md`/);
  });

  it('2: a pipeline that needs a column the input lacks, before any row is written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-exit-'));
    const result = await runCli(['run', join(repoRoot, 'spec/fixtures/needs-question.ts'), '-o', join(dir, 'out.jsonl')], '{"prompt":"x"}\n');
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /needs column `question`/);
    assert.equal(existsSync(join(dir, 'out.failed.jsonl')), false);
  });
});

describe('a run that cannot go on', () => {
  it('exits 1 with its summary and a message naming the likely cause, instead of exit 13 and silence', async () => {
    const input = Array.from({ length: 300 }, (_, n) => JSON.stringify({ n })).join('\n');
    const result = await runCli(['run', 'spec/fixtures/grouping-sink-pipeline.ts', '--budget', '10', '--no-progress'], input);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /sluice: grouping error in/);
    assert.match(result.stderr, /SLUICE_NO_PROGRESS: The run cannot go on: 10 records are in flight, holding 10 of the budget's permits/);
    assert.doesNotMatch(result.stderr, /unsettled top-level await/);
  });
});

describe('a full disk', () => {
  it('ends the run with one clear message, the summary and exit 1, never an unhandled error event', {
    skip: !existsSync('/dev/full') && 'no /dev/full here',
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-full-'));
    const input = Array.from({ length: 50 }, (_, n) => JSON.stringify({ text: `row ${n}` })).join('\n');
    const result = await runCli(['run', 'spec/fixtures/tidy.yaml', '-o', '/dev/full', '--failed', join(dir, 'failed.jsonl'), '--no-progress'], input);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /sluice: tidy error in/);
    assert.match(
      result.stderr,
      /sluice: SLUICE_SINK_WRITE: Could not write to \/dev\/full: ENOSPC: no space left on device, write\. Fix the cause \(free some space, or the path\), then run the same command again; with --run-dir it resumes where it stopped\./,
    );
    assert.doesNotMatch(result.stderr, /Unhandled 'error' event|at .*\(node:/);
  });
});
