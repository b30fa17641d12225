import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startSimulator } from '../../lib/llm/simulator/index.ts';
import { runCli, startCli } from '../helpers/run-cli.ts';

const lines = async (path: string) => (existsSync(path) ? (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '') : []);

describe('sluice run --run-dir', () => {
  it('continues a run killed with SIGKILL when the same command is run again, with the same rows as a clean run', { timeout: 120_000 }, async () => {
    const sim = await startSimulator({ latencyMs: 30 });
    try {
      const dir = await mkdtemp(join(tmpdir(), 'sluice-cli-resume-'));
      const input = join(dir, 'topics.jsonl');
      await writeFile(input, Array.from({ length: 40 }, (_, i) => JSON.stringify({ topic: `topic ${i}` })).join('\n'));
      const env = { OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: 'sk-test', SLUICE_CACHE_DIR: join(dir, 'cache') };
      const command = (out: string, run: string) => [
        'run',
        'spec/fixtures/resume-pipeline.ts',
        '-i',
        input,
        '-o',
        `${out}/`,
        '--run-dir',
        run,
        '--budget',
        '16',
        '--no-progress',
      ];

      const clean = await runCli(command(join(dir, 'clean'), join(dir, 'clean-run')), '', { env: { ...env, SLUICE_CACHE_DIR: join(dir, 'clean-cache') } });
      assert.equal(clean.code, 0, clean.stderr);

      const out = join(dir, 'out');
      const { child, result } = startCli(command(out, join(dir, 'run')), { env });
      child.stdin!.end();
      while ((await lines(join(out, 'rows.jsonl'))).length < 40) await new Promise((r) => setTimeout(r, 5));
      sim.hold();
      await new Promise((r) => setTimeout(r, 150));
      child.kill('SIGKILL');
      const killed = await result;
      sim.release();
      assert.equal(killed.signal, 'SIGKILL');

      const resumed = await runCli(command(out, join(dir, 'run')), '', { env });
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.match(resumed.stderr, /source topics\.jsonl: \d+ read, 0 invalid, [1-9]\d* skipped/);
      for (const leaf of ['rows.jsonl', 'topics.jsonl']) {
        const got = await lines(join(out, leaf));
        assert.equal(new Set(got).size, got.length, `${leaf}: no duplicates`);
        assert.deepEqual(got.sort(), (await lines(join(dir, 'clean', leaf))).sort(), `${leaf} equals the clean run`);
      }
      const inspect = await runCli(['inspect', join(dir, 'run')]);
      assert.equal(inspect.code, 0, inspect.stderr);
      assert.match(inspect.stdout, /ok/);
    } finally {
      await sim.close();
    }
  });
});
