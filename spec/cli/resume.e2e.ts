import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { asyncBufferFromFile, parquetReadObjects, toJson } from 'hyparquet';
import { startSimulator } from '../../lib/llm/simulator/index.ts';
import { runCli, startCli } from '../helpers/run-cli.ts';

const lines = async (path: string) => (existsSync(path) ? (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '') : []);

type Format = 'ndjson' | 'parquet' | 'csv' | 'json' | 'hf';
const extensions: Record<Format, string> = { ndjson: '.jsonl', parquet: '.parquet', csv: '.csv', json: '.json', hf: '.parquet' };

/** A file's rows, each as JSON text, whatever its format. */
async function rowsOf(path: string, format: Format): Promise<string[]> {
  if (format === 'ndjson') return lines(path);
  if (format === 'json') return (JSON.parse(await readFile(path, 'utf8')) as object[]).map((row) => JSON.stringify(row));
  if (format === 'csv') return (parse(await readFile(path), { columns: true }) as object[]).map((row) => JSON.stringify(row));
  return (await parquetReadObjects({ file: await asyncBufferFromFile(path) })).map((row) => JSON.stringify(toJson(row)));
}

/** A leaf's chunk files in order (`rows-00000.jsonl`…, a dataset folder's `rows/train-00000-of-00002.parquet`…), else its one file. */
function leafFiles(out: string, leaf: string, format: Format): string[] {
  if (format === 'hf') {
    const config = join(out, leaf);
    return existsSync(config)
      ? readdirSync(config)
          .filter((name) => name.startsWith('train-') && name.endsWith('.parquet'))
          .sort()
          .map((name) => join(config, name))
      : [];
  }
  const extension = extensions[format];
  const chunks = existsSync(out)
    ? readdirSync(out)
        .filter((name) => name.startsWith(`${leaf}-`) && name.endsWith(extension))
        .sort()
    : [];
  return chunks.length === 0 ? [join(out, `${leaf}${extension}`)].filter((path) => existsSync(path)) : chunks.map((name) => join(out, name));
}

/** The rows of a leaf: its file, or its chunk files in order. */
async function leafRows(out: string, leaf: string, format: Format): Promise<string[]> {
  return (await Promise.all(leafFiles(out, leaf, format).map((path) => rowsOf(path, format)))).flat();
}

describe('sluice run --run-dir', () => {
  const cases: { chunkSize?: number; format: Format }[] = [
    { format: 'ndjson' },
    { chunkSize: 7, format: 'ndjson' },
    // Formats written whole: each chunk is written under a temporary name and renamed into place when full.
    { chunkSize: 7, format: 'parquet' },
    { chunkSize: 7, format: 'csv' },
    { chunkSize: 7, format: 'hf' },
    // One file per leaf, each written whole.
    { format: 'parquet' },
    { format: 'json' },
  ];
  for (const { chunkSize, format } of cases) {
    it(`continues a run killed with SIGKILL when the same command is run again, with the same rows as a clean run${format === 'ndjson' ? '' : ` (${format})`}${chunkSize ? `, chunk files of ${chunkSize} rows staying exact` : ''}`, {
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
          ...(format === 'ndjson' ? [] : ['--format', format]),
        ];

        const clean = await runCli(command(join(dir, 'clean'), join(dir, 'clean-run')), '', { env: { ...env, SLUICE_CACHE_DIR: join(dir, 'clean-cache') } });
        assert.equal(clean.code, 0, clean.stderr);

        const out = join(dir, 'out');
        const { child, result } = startCli(command(out, join(dir, 'run')), { env });
        child.stdin!.end();
        // Killed once some records are done and their rows written (chunks closed and open).
        while ((await lines(join(dir, 'run', 'done.log'))).length < 12) await new Promise((r) => setTimeout(r, 5));
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
          const got = await leafRows(out, leaf, format);
          assert.equal(new Set(got).size, got.length, `${leaf}: no duplicates`);
          assert.deepEqual(got.sort(), (await leafRows(join(dir, 'clean'), leaf, format)).sort(), `${leaf} equals the clean run`);
          if (chunkSize) {
            const files = leafFiles(out, leaf, format);
            const sizes = await Promise.all(files.map(async (path) => (await rowsOf(path, format)).length));
            assert.deepEqual(
              sizes.slice(0, -1),
              Array(files.length - 1).fill(chunkSize),
              `${leaf}: every file but the last holds ${chunkSize} rows (${sizes.join(', ')})`,
            );
            assert.ok(sizes.at(-1)! >= 1 && sizes.at(-1)! <= chunkSize);
            if (format !== 'ndjson') {
              const count = String(files.length).padStart(5, '0');
              assert.ok(
                files.every((path) => path.endsWith(`-of-${count}${extensions[format]}`)),
                `${leaf}: files named with their count: ${files.join(', ')}`,
              );
            }
          }
        }
        // Nothing half-written is left beside the outputs, and the run directory's copies are gone.
        assert.deepEqual(
          (readdirSync(out, { recursive: true }) as string[]).filter((name) => /(^|[\\/])\.writing-/.test(name)),
          [],
        );
        assert.equal(existsSync(join(dir, 'run', 'staging')), false, 'staging copies removed when the run ended');
        const inspect = await runCli(['inspect', join(dir, 'run')]);
        assert.equal(inspect.code, 0, inspect.stderr);
        assert.match(inspect.stdout, /ok/);
      } finally {
        await sim.close();
      }
    });
  }
});
