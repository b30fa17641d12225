import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startSimulator } from '../../lib/llm/simulator/index.ts';
import { runCli, startCli } from '../helpers/run-cli.ts';

const lines = async (path: string) => (existsSync(path) ? (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '') : []);

/** The rows of a leaf: its file, or its chunk files (`rows-00000.jsonl`…) in order. */
async function leafLines(out: string, leaf: string): Promise<string[]> {
  const chunks = existsSync(out)
    ? readdirSync(out)
        .filter((name) => name.startsWith(`${leaf}-`))
        .sort()
    : [];
  if (chunks.length === 0) return lines(join(out, `${leaf}.jsonl`));
  return (await Promise.all(chunks.map((name) => lines(join(out, name))))).flat();
}

describe('sluice run --run-dir', () => {
  for (const chunkSize of [undefined, 7]) {
    it(`continues a run killed with SIGKILL when the same command is run again, with the same rows as a clean run${chunkSize ? `, chunk files of ${chunkSize} rows staying exact` : ''}`, {
      timeout: 120_000,
    }, async () => {
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
          ...(chunkSize ? ['--chunk-size', String(chunkSize)] : []),
        ];

        const clean = await runCli(command(join(dir, 'clean'), join(dir, 'clean-run')), '', { env: { ...env, SLUICE_CACHE_DIR: join(dir, 'clean-cache') } });
        assert.equal(clean.code, 0, clean.stderr);

        const out = join(dir, 'out');
        const { child, result } = startCli(command(out, join(dir, 'run')), { env });
        child.stdin!.end();
        while ((await leafLines(out, 'rows')).length < 40) await new Promise((r) => setTimeout(r, 5));
        sim.hold();
        await new Promise((r) => setTimeout(r, 150));
        child.kill('SIGKILL');
        const killed = await result;
        sim.release();
        assert.equal(killed.signal, 'SIGKILL');

        const resumed = await runCli(command(out, join(dir, 'run')), '', { env });
        assert.equal(resumed.code, 0, resumed.stderr);
        assert.match(resumed.stderr, /source topics\.jsonl: \d+ read, 0 invalid, [1-9]\d* skipped/);
        for (const leaf of ['rows', 'topics']) {
          const got = await leafLines(out, leaf);
          assert.equal(new Set(got).size, got.length, `${leaf}: no duplicates`);
          assert.deepEqual(got.sort(), (await leafLines(join(dir, 'clean'), leaf)).sort(), `${leaf} equals the clean run`);
          if (chunkSize) {
            const files = readdirSync(out)
              .filter((name) => name.startsWith(`${leaf}-`))
              .sort();
            const sizes = await Promise.all(files.map(async (name) => (await lines(join(out, name))).length));
            assert.deepEqual(
              sizes.slice(0, -1),
              Array(files.length - 1).fill(chunkSize),
              `${leaf}: every file but the last holds ${chunkSize} rows (${sizes.join(', ')})`,
            );
            assert.ok(sizes.at(-1)! >= 1 && sizes.at(-1)! <= chunkSize);
          }
        }
        const inspect = await runCli(['inspect', join(dir, 'run')]);
        assert.equal(inspect.code, 0, inspect.stderr);
        assert.match(inspect.stdout, /ok/);
      } finally {
        await sim.close();
      }
    });
  }
});
