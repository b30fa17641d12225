import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type Simulator } from '../../lib/llm/simulator/index.ts';
import { repoRoot } from '../helpers/run-cli.ts';
import { waitFor } from '../helpers/wait-for.ts';

const driver = join(repoRoot, 'spec/fixtures/resume-driver.ts');
const TOPICS = 60;

async function lineCount(path: string): Promise<number> {
  if (!existsSync(path)) return 0;
  const text = await readFile(path, 'utf8');
  return text.split('\n').length - 1;
}

async function sortedLines(path: string): Promise<string[]> {
  if (!existsSync(path)) return [];
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter((l) => l !== '')
    .sort();
}

interface Attempt {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  interruptedAt?: number;
}

/**
 * Runs the driver; when the `rows` output holds `threshold` lines, interrupts it with `signal`.
 * Before a SIGKILL the simulator holds its answers for a moment, so that no answer is half-way
 * to the client when it dies: a request is either answered and cached, or never answered.
 */
async function attempt(sim: Simulator, env: NodeJS.ProcessEnv, args: string[], out: string, threshold?: number, signal?: NodeJS.Signals): Promise<Attempt> {
  const child = spawn(process.execPath, ['--conditions=sluice-source', driver, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (code, sig) => resolve([code, sig])));
  let ended = false;
  void exited.then(() => (ended = true));
  let interruptedAt: number | undefined;
  if (threshold !== undefined && signal) {
    // Wait for it to write past the threshold and at least a few new rows of its own: rows it wrote
    // mean it has started (repaired the outputs, installed its SIGINT handler).
    const floor = (await lineCount(join(out, 'rows.jsonl'))) + 3;
    while (!ended) {
      const lines = await lineCount(join(out, 'rows.jsonl'));
      if (lines >= Math.max(threshold, floor)) {
        interruptedAt = lines;
        if (signal === 'SIGKILL') {
          sim.hold();
          // Killed with requests in flight (their rows must be redone, not lost), once the answers it
          // already had are cached: an answer received and not yet cached would be asked again,
          // and that is not what this test is about. There is no event for "cached" outside the
          // child, hence the pause; a slow machine only makes a resend possible, never a lost row.
          await waitFor(() => sim.stats().inFlight > 0 || ended);
          await new Promise((r) => setTimeout(r, 150));
          child.kill('SIGKILL');
          await exited;
          sim.release();
        } else {
          child.kill(signal);
        }
        break;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  const [code, sig] = await exited;
  if (code !== 0 && code !== 130 && sig === null) throw new Error(`driver failed (${code}): ${stderr}`);
  return { code, signal: sig, stdout, ...(interruptedAt !== undefined ? { interruptedAt } : {}) };
}

describe('resume after kill -9 and SIGINT', () => {
  let sim: Simulator;
  let input: string;
  before(async () => {
    sim = await startSimulator({ latencyMs: 30 });
    const dir = await mkdtemp(join(tmpdir(), 'sluice-resume-'));
    input = join(dir, 'topics.jsonl');
    await writeFile(input, `${Array.from({ length: TOPICS }, (_, i) => JSON.stringify({ topic: `topic ${i}` })).join('\n')}\n`);
  });
  after(() => sim.close());

  it('gives the same rows as a clean run, with no row lost or duplicated and no answered request sent again', { timeout: 240_000 }, async () => {
    const env = { OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: 'sk-test' };
    // The clean run, for reference.
    const cleanDir = await mkdtemp(join(tmpdir(), 'sluice-clean-'));
    const clean = await attempt(
      sim,
      { ...env, SLUICE_CACHE_DIR: join(cleanDir, 'cache') },
      [input, join(cleanDir, 'out'), join(cleanDir, 'run')],
      join(cleanDir, 'out'),
    );
    assert.equal(clean.code, 0);
    const expectedRows = await sortedLines(join(cleanDir, 'out', 'rows.jsonl'));
    const expectedTopics = await sortedLines(join(cleanDir, 'out', 'topics.jsonl'));
    assert.equal(expectedRows.length, TOPICS * 3);
    assert.equal(expectedTopics.length, TOPICS);
    const requestsPerRun = sim.log.length;
    sim.reset();

    // The interrupted runs: kill -9 at five points, SIGINT at two, then a run to the end.
    const dir = await mkdtemp(join(tmpdir(), 'sluice-resumed-'));
    const out = join(dir, 'out');
    const args = [input, out, join(dir, 'run')];
    const runEnv = { ...env, SLUICE_CACHE_DIR: join(dir, 'cache') };
    const plan: Array<[number, NodeJS.Signals]> = [
      [10, 'SIGKILL'],
      [30, 'SIGKILL'],
      [50, 'SIGKILL'],
      [70, 'SIGKILL'],
      [90, 'SIGKILL'],
      [110, 'SIGINT'],
      [130, 'SIGINT'],
    ];
    const attempts: Attempt[] = [];
    for (const [threshold, signal] of plan) attempts.push(await attempt(sim, runEnv, args, out, threshold, signal));
    const last = await attempt(sim, runEnv, args, out);
    if (process.env.SLUICE_DEBUG) console.error(JSON.stringify(attempts.map((a) => [a.interruptedAt, a.code, a.signal, a.stdout.trim()])), last.stdout);
    assert.equal(last.code, 0);

    const killed = attempts.filter((a) => a.signal === 'SIGKILL').length;
    const interrupted = attempts.filter((a) => a.code === 130).length;
    assert.ok(killed >= 4, `killed ${killed} times: ${JSON.stringify(attempts.map((a) => [a.interruptedAt, a.code, a.signal]))}`);
    assert.ok(interrupted >= 2, `interrupted ${interrupted} times: ${JSON.stringify(attempts.map((a) => [a.interruptedAt, a.code, a.signal]))}`);
    // Later attempts skipped the records earlier ones had finished.
    assert.ok(JSON.parse(last.stdout).skipped > 0, last.stdout);

    const rows = (await readFile(join(out, 'rows.jsonl'), 'utf8')).split('\n').filter((l) => l !== '');
    assert.equal(rows.length, TOPICS * 3, 'no row lost or duplicated');
    assert.deepEqual(rows.sort(), expectedRows);
    assert.deepEqual(await sortedLines(join(out, 'topics.jsonl')), expectedTopics);
    assert.equal(existsSync(join(out, 'failed.jsonl')), false);

    // Every request answered to the client was answered once: the cache served the rest.
    const answered = sim.log.filter((entry) => entry.status === 200 && !entry.clientClosed);
    const unique = new Set(answered.map((entry) => entry.bodyHash));
    assert.equal(unique.size, answered.length, 'no answered request was sent again');
    assert.equal(answered.length, requestsPerRun);
  });
});
