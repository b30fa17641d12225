import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot, runCli } from '../helpers/run-cli.ts';

const asks = join(repoRoot, 'spec/fixtures/needs-question.ts');

describe('sluice validate', () => {
  it('prints ok and the number of steps, branch steps included', async () => {
    const result = await runCli(['validate', join(repoRoot, 'spec/fixtures/graph-pipeline.ts')]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'ok: 6 steps (pipeline features; checked against no declared columns: column checks wait for the first row)\n');
  });

  it('checks columns against the first row of -i and exits 2 with the fix when one is missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-validate-'));
    await writeFile(join(dir, 'bad.jsonl'), 'not json\n{"prompt":"why?"}\n');
    await writeFile(join(dir, 'good.jsonl'), '{"question":"why?"}\n');
    const bad = await runCli(['validate', asks, '-i', join(dir, 'bad.jsonl')]);
    assert.equal(bad.code, 2);
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr, /Step `answer` needs column `question`, but upstream produces `prompt`\. Map it with `inputs: \{ question: 'prompt' \}`/);
    const good = await runCli(['validate', asks, '-i', join(dir, 'good.jsonl')]);
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /^ok: 1 step \(pipeline asks; checked against the first row of .*good\.jsonl\)\n$/);
  });

  it('reads the first row from stdin with -i -', async () => {
    const result = await runCli(['validate', asks, '-i', '-'], '{"prompt":"x"}\n');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /needs column `question`/);
  });
});

describe('sluice validate and graph without an LLM endpoint', () => {
  const noEndpoint = { OPENAI_BASE_URL: '', OPENAI_API_KEY: '', SLUICE_LLM: '' };

  it("validate checks against the pipeline's own source, as run would, and needs no endpoint to do it", async () => {
    const result = await runCli(['validate', 'spec/fixtures/llm-needs-question.ts'], '', { env: noEndpoint });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /Step `generate` needs column `question`, but upstream produces `topic`/);
  });

  it('graph draws a TypeScript pipeline with LLM steps and no endpoint', async () => {
    const result = await runCli(['graph', 'spec/fixtures/llm-needs-question.ts'], '', { env: noEndpoint });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /generate/);
  });
});
