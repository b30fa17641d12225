import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli, startCli } from '../helpers/run-cli.ts';

const COMMANDS = ['run', 'dry-run', 'validate', 'graph', 'inspect', 'worker'];

describe('sluice --help', () => {
  it('ends quietly, exit 0, when its reader goes away (`sluice worker --help | head -3`)', async () => {
    const { child, result } = startCli(['worker', '--help']);
    child.stdin!.end();
    child.stdout!.destroy(); // The reader is gone before the help is written: its write gets EPIPE.
    const done = await result;
    assert.equal(done.code, 0, done.stderr);
    assert.doesNotMatch(done.stderr, /EPIPE|Unhandled/);
  });

  it('lists every command with one line each, and the exit codes', async () => {
    const result = await runCli(['--help']);
    assert.equal(result.code, 0);
    for (const command of COMMANDS) assert.match(result.stdout, new RegExp(`^ {2}${command} \\[options\\] <[a-z-]+> +\\S`, 'm'));
    assert.match(result.stdout, /Exit codes: 0 ok, 1 run error, 2 usage or definition error, 3 finished with failed rows, 130 interrupted/);
  });

  it("shows each command's flags with examples", async () => {
    for (const command of COMMANDS) {
      const result = await runCli([command, '--help']);
      assert.equal(result.code, 0, `${command}: ${result.stderr}`);
      assert.match(result.stdout, new RegExp(`^Usage: sluice ${command} \\[options\\]`), command);
      assert.match(result.stdout, /\nExamples:\n {2}(cat|head|sluice) /, command);
    }
    const run = await runCli(['run', '--help']);
    for (const flag of [
      '-i, --input',
      '-o, --output',
      '--failed',
      '--set',
      '--concurrency',
      '--budget',
      '--no-cache',
      '--cache-dir',
      '--run-dir',
      '--limit',
      '--fail-fast',
      '--progress-interval',
      '--no-progress',
    ]) {
      assert.ok(run.stdout.includes(flag), `run --help shows ${flag}`);
    }
  });
});
