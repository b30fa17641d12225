import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type Simulator, type SimulatorLogEntry } from '../../lib/llm/simulator/index.ts';
import { runCli, startCli } from '../helpers/run-cli.ts';
import { waitFor } from '../helpers/wait-for.ts';

const ROWS = 300;

/** Two LLM steps, both through the batch API; how soon a part is sent comes from the environment. */
const DEFINITION = `name: batch-two-steps
llms:
  writer:
    model: gpt-4o-mini
    batch:
      flushAfterMs: \${FLUSH_MS:-30}
      pollMs: 10
      maxRequests: \${MAX_REQUESTS:-100}
  answerer:
    model: gpt-4o-mini
    batch:
      flushAfterMs: \${FLUSH_MS:-30}
      pollMs: 10
      maxRequests: \${MAX_REQUESTS:-100}
steps:
  - generate: { name: question, llm: writer, prompt: "Ask about {{ topic }}", as: question, metadata: false }
  - generate: { name: answer, llm: answerer, prompt: "{{ question }}", as: answer, metadata: false }
`;

let sim: Simulator;
let dir: string;

const sortedLines = async (path: string) =>
  existsSync(path)
    ? (await readFile(path, 'utf8'))
        .split('\n')
        .filter((l) => l !== '')
        .sort()
    : [];

function requestFileLines(runDir: string): number {
  const folder = join(runDir, 'batches');
  if (!existsSync(folder)) return 0;
  return readdirSync(folder)
    .filter((f) => f.endsWith('.requests.jsonl'))
    .reduce((n, f) => n + statSync(join(folder, f)).size, 0);
}

const seen = (method: string, path: RegExp) => (entry: SimulatorLogEntry) => entry.method === method && path.test(entry.path);

/** Runs the pipeline in the background; `kill` decides when to `kill -9` it (after waiting for its moment). */
async function attempt(
  runDir: string,
  out: string,
  moment?: { hold?: (entry: SimulatorLogEntry) => boolean; open?: boolean; until: () => boolean },
): Promise<'killed' | 'finished'> {
  // An open part: sent only after a minute or 100,000 requests, so the run is caught writing it.
  const env = { OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: 'sk-test', ...(moment?.open ? { FLUSH_MS: '60000', MAX_REQUESTS: '100000' } : {}) };
  const { child, result } = startCli(['run', join(dir, 'batch.yaml'), '-i', join(dir, 'topics.jsonl'), '-o', out, '--run-dir', runDir, '--no-cache'], { env });
  child.stdin!.end();
  if (!moment) {
    const done = await result;
    assert.equal(done.code, 0, done.stderr);
    return 'finished';
  }
  let ended = false;
  void result.then(() => (ended = true));
  if (moment.hold) sim.hold(moment.hold);
  await waitFor(() => moment.until() || ended);
  if (!ended) child.kill('SIGKILL');
  const killed = await result;
  sim.release();
  if (killed.signal !== 'SIGKILL') {
    assert.equal(killed.code, 0, killed.stderr);
    return 'finished';
  }
  return 'killed';
}

describe('batch mode survives kill -9 at every moment', () => {
  before(async () => {
    sim = await startSimulator({ batchMs: 40 });
    dir = await mkdtemp(join(tmpdir(), 'sluice-batch-resume-'));
    await writeFile(join(dir, 'batch.yaml'), DEFINITION);
    await writeFile(join(dir, 'topics.jsonl'), Array.from({ length: ROWS }, (_, i) => `${JSON.stringify({ topic: `topic ${i}` })}\n`).join(''));
  });
  after(() => sim.close());

  it('never submits a request twice, and resumes to the output of a clean run', async () => {
    const clean = join(dir, 'clean.jsonl');
    await attempt(join(dir, 'clean-run'), clean);
    const expected = await sortedLines(clean);
    assert.equal(expected.length, ROWS);

    sim.reset();
    const runDir = join(dir, 'run');
    const out = join(dir, 'out.jsonl');
    const count = (match: (e: SimulatorLogEntry) => boolean) => sim.log.filter(match).length;
    const outcomes: string[] = [];
    // 1. While writing the request file: a part that will not be sent for a minute, killed once it holds rows.
    outcomes.push(await attempt(runDir, out, { open: true, until: () => requestFileLines(runDir) > 2_000 }));
    // 2. During an upload: its answer held back.
    const uploads = count(seen('POST', /^\/v1\/files$/));
    outcomes.push(await attempt(runDir, out, { hold: seen('POST', /^\/v1\/files$/), until: () => count(seen('POST', /^\/v1\/files$/)) > uploads }));
    // 3. Right after submitting: the batch exists at the provider, and its id never reached the run.
    const creates = count(seen('POST', /^\/v1\/batches$/));
    outcomes.push(await attempt(runDir, out, { hold: seen('POST', /^\/v1\/batches$/), until: () => count(seen('POST', /^\/v1\/batches$/)) > creates }));
    // 4. While polling.
    const polls = count(seen('GET', /^\/v1\/batches\/batch_/));
    outcomes.push(await attempt(runDir, out, { until: () => count(seen('GET', /^\/v1\/batches\/batch_/)) > polls + 2 }));
    // 5. While downloading results: the download's answer held back.
    const downloads = count(seen('GET', /^\/v1\/files\/.+\/content$/));
    outcomes.push(
      await attempt(runDir, out, {
        hold: seen('GET', /^\/v1\/files\/.+\/content$/),
        until: () => count(seen('GET', /^\/v1\/files\/.+\/content$/)) > downloads,
      }),
    );
    outcomes.push(await attempt(runDir, out));

    assert.ok(outcomes.filter((o) => o === 'killed').length >= 4, JSON.stringify(outcomes));
    assert.deepEqual(await sortedLines(out), expected, 'the same rows as a clean run, none lost, none twice');

    // No request was in two batches: nothing was paid for twice.
    const batches = sim.batches();
    const ids: string[] = [];
    for (const batch of batches) {
      const response = await fetch(`${sim.url}/files/${batch.input_file_id}/content`, { headers: { authorization: 'Bearer sk-test' } });
      for (const line of (await response.text()).split('\n')) if (line.trim() !== '') ids.push((JSON.parse(line) as { custom_id: string }).custom_id);
    }
    assert.equal(new Set(ids).size, ids.length, `${ids.length - new Set(ids).size} requests were in two batches`);
    assert.equal(ids.length, 2 * ROWS, 'each of the 600 requests in exactly one batch');
    assert.ok(batches.every((b) => b.status === 'completed'));

    const listed = await runCli(['batches', runDir, '--json'], '', { env: { OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: 'sk-test' } });
    assert.equal(listed.code, 0, listed.stderr);
    const rows = listed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { batchId: string | null; status: string | null });
    assert.ok(rows.filter((r) => r.batchId).every((r) => r.status === 'completed'));
    assert.equal(new Set(rows.filter((r) => r.batchId).map((r) => r.batchId)).size, batches.length, 'every batch at the provider is in the run’s record');
  });
});
