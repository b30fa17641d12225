import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot, runCli } from '../helpers/run-cli.ts';

/** A run directory as `sluice run --run-dir` leaves it after an interrupted LLM run. */
async function fixtureRunDir(): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'sluice-inspect-')), 'runs', 'qa');
  await mkdir(dir, { recursive: true });
  const record = {
    version: 1,
    pipeline: 'qa',
    definition: { name: 'qa', source: 'topics.jsonl', steps: [{ name: 'answer', kind: 'generate', version: 1, params: { prompt: '{{q}}' } }] },
    definitionHash: 'ab12',
    command: ['sluice', 'run', 'qa.yaml', '-i', 'topics.jsonl', '-o', 'out/', '--run-dir', 'runs/qa', '--set', 'answer.prompt=Say {{q}}'],
    outputs: { 'out/': 'out/default.jsonl' },
    failedPath: 'out/failed.jsonl',
    status: 'interrupted',
    startedAt: '2026-01-02T03:04:05.000Z',
    endedAt: '2026-01-02T03:04:17.500Z',
    resumes: 1,
    summary: {
      pipeline: 'qa',
      status: 'interrupted',
      startedAt: '2026-01-02T03:04:10.000Z',
      endedAt: '2026-01-02T03:04:17.500Z',
      wallMs: 7500,
      source: { name: 'topics.jsonl', read: 40, invalid: 0, skipped: 60, done: 40 },
      steps: { answer: { in: 40, out: 38, filtered: 0, failed: 2, emitted: 38, firstAt: 1, lastAt: 2, wallMs: 7400 } },
      written: { default: 38 },
      failed: 2,
      failedPath: 'out/failed.jsonl',
      llm: {
        'gpt-4o-mini': {
          llm: 'gpt-4o-mini',
          model: 'gpt-4o-mini',
          calls: 40,
          requests: 45,
          responses: 43,
          retries: 5,
          rateLimited: 3,
          errors: 2,
          cacheHits: 10,
          promptTokens: 1200,
          cachedPromptTokens: 0,
          completionTokens: 800,
          totalTokens: 2000,
          costUsd: 0.00066,
          priced: true,
        },
      },
      cache: { dir: '.sluice/cache', hits: 10, misses: 30, writes: 28 },
    },
  };
  await writeFile(join(dir, 'run.json'), `${JSON.stringify(record, null, 2)}\n`);
  await writeFile(join(dir, 'done.log'), `${Array.from({ length: 100 }, (_, i) => `topics.jsonl:${i + 1}`).join('\n')}\n`);
  return dir;
}

describe('sluice inspect', () => {
  it('prints a run directory readably: status, times, command, steps, LLM usage and cost, cache, outputs, failed, done', async () => {
    const dir = await fixtureRunDir();
    const result = await runCli(['inspect', dir]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      [
        `run ${dir}: pipeline qa, interrupted (interrupted; run the same command again to resume)`,
        '  started   2026-01-02T03:04:05.000Z',
        '  ended     2026-01-02T03:04:17.500Z (12.50 s after the start)',
        '  resumes   1',
        "  command   sluice run qa.yaml -i topics.jsonl -o out/ --run-dir runs/qa --set 'answer.prompt=Say {{q}}'",
        '  input     topics.jsonl',
        '  output    out/ → out/default.jsonl (not written)',
        '  source topics.jsonl: 40 read, 0 invalid, 60 skipped, 40 done',
        '  step    in  out  filtered  failed  emitted',
        '  answer  40   38         0       2       38',
        '  llm gpt-4o-mini: 45 requests, 5 retries, 3 rate-limited, 10 cache hits, 1200 + 800 tokens, $0.0007',
        '  cache .sluice/cache: 10 hits, 30 misses, 28 writes',
        '  written: default 38',
        '  failed: 2 (see out/failed.jsonl)',
        '  done      100 source records in done.log',
        '',
      ].join('\n'),
    );
  });

  it('prints run.json as it is with --json', async () => {
    const dir = await fixtureRunDir();
    const result = await runCli(['inspect', dir, '--json']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, await readFile(join(dir, 'run.json'), 'utf8'));
  });

  it('reads the run directory a real run left', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-inspect-'));
    await writeFile(join(dir, 'in.jsonl'), '{"text":" a "}\nnot json\n{"text":""}\n');
    const run = await runCli(['run', join(repoRoot, 'examples/clean.ts'), '-i', 'in.jsonl', '-o', 'out.jsonl', '--run-dir', 'rd', '-q'], '', { cwd: dir });
    assert.equal(run.code, 3, run.stderr);
    const result = await runCli(['inspect', join(dir, 'rd')]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /pipeline clean, failed-rows \(finished, some rows failed\)/);
    assert.match(result.stdout, /command {3}sluice run .*examples\/clean\.ts -i in\.jsonl -o out\.jsonl --run-dir rd -q\n/);
    assert.match(result.stdout, /non-empty-text {3}2 {4}1 {9}1 {7}0 {8}1\n/);
    assert.match(result.stdout, /failed: 1 \(see out\.failed\.jsonl\)\n/);
    assert.match(result.stdout, /done {6}3 source records in done\.log\n$/);
  });

  it('exits 2 and says what to give when the folder has no run.json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-inspect-'));
    const result = await runCli(['inspect', dir]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /No run\.json in `.*`\. Give the folder a run was recorded in with `sluice run … --run-dir <dir>`/);
  });
});
