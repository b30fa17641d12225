import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli, startCli } from '../helpers/run-cli.ts';
import { waitFor } from '../helpers/wait-for.ts';

describe('sluice view and sluice run --view', () => {
  it('serves a finished run until Ctrl+C, and a run with --view while and after it runs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-view-cli-'));
    const input = await readFile('examples/data/rows.jsonl', 'utf8');
    const runDir = join(dir, 'run');
    const out = join(dir, 'out.jsonl');

    const running = startCli(['run', 'examples/clean.ts', '-o', out, '--run-dir', runDir, '--view']);
    running.child.stdin!.end(input);
    let stderr = '';
    running.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitFor(() => /its page stays at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.test(stderr));
    const url = /its page stays at (\S+)/.exec(stderr)![1]!;
    const api = new URL(url);
    api.pathname = '/api/run';
    const run = (await (await fetch(api)).json()) as { counts: Record<string, number>; record: { status: string } };
    assert.equal(run.record.status, 'ok');
    assert.equal(run.counts[out], 4);
    running.child.kill('SIGINT');
    const ran = await running.result;
    assert.equal(ran.code, 0, ran.stderr);

    const viewing = startCli(['view', runDir]);
    viewing.child.stdin!.end();
    let stdout = '';
    viewing.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    await waitFor(() => stdout.includes('\n'));
    const page = await fetch(stdout.trim());
    assert.equal(page.status, 200);
    assert.match(await page.text(), /sluice view/);
    viewing.child.kill('SIGINT');
    assert.equal((await viewing.result).code, 0);

    const refused = await runCli(['run', 'examples/clean.ts', '--view'], input);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--view.*--run-dir/);
    assert.equal((await runCli(['view', dir])).code, 2);
  });
});
