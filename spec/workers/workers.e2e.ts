import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createClient } from 'redis';
import { type Simulator, startSimulator } from '../../lib/llm/simulator/index.ts';
import { hasRedisServer, type RedisServer, startRedisServer } from '../helpers/redis-server.ts';
import { type CliResult, runCli, startCli } from '../helpers/run-cli.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { peakInWindow } from '../helpers/peak-in-window.ts';

const PASSWORD = 'workers-redis-password-5';
const ROWS = 2000;

interface Worker {
  readonly child: ChildProcess;
  readonly result: Promise<CliResult>;
  stderr(): string;
}

/** The topics of a queue's input (its own, so that no test's answers are in another's cache): each must be written once, whatever was killed. */
const topicsOf = (queue: string) => Array.from({ length: ROWS }, (_, i) => `${queue} topic ${i}`);

async function outputTopics(path: string): Promise<string[]> {
  const text = existsSync(path) ? await readFile(path, 'utf8') : '';
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as { topic: string }).topic);
}

describe('a run with workers, under faults', { skip: hasRedisServer() ? false : 'redis-server is not installed (.ci/run installs it)' }, () => {
  let redis: RedisServer;
  let sim: Simulator;
  let dir: string;
  let queues = 0;
  let env: NodeJS.ProcessEnv;
  const workers: Worker[] = [];

  before(async () => {
    redis = await startRedisServer({ password: PASSWORD });
    sim = await startSimulator({ latencyMs: 40 });
    dir = await mkdtemp(join(tmpdir(), 'sluice-workers-'));
    await writeFile(
      join(dir, 'p.yaml'),
      `name: scaled
llms:
  writer: { model: gpt-4o-mini, concurrency: 16 }
steps:
  - generate: { name: answer, llm: writer, prompt: "Say something about {{ topic }}.", as: answer }
  - map: { name: shape, pick: { topic: topic, answer: answer } }
`,
    );
    env = { OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: 'sk-test' };
  });
  beforeEach(() => sim.reset());
  after(async () => {
    for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await sim?.close();
    await redis?.stop();
  });

  const startWorker = (queue: string, extra: string[] = [], file = 'p.yaml'): Worker => {
    const { child, result } = startCli(['worker', file, '--redis', redis.url, '--queue', queue, '--claim-idle', '1', ...extra], { cwd: dir, env });
    let stderr = '';
    child.stderr!.on('data', (chunk: string) => (stderr += chunk));
    child.stdin!.end();
    const worker = { child, result, stderr: () => stderr };
    workers.push(worker);
    return worker;
  };
  const stopWorkers = async (list: Worker[]) => {
    for (const worker of list) if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGTERM');
    return Promise.all(list.map((worker) => worker.result));
  };
  /** A new queue, with its input written. */
  const newQueue = async (): Promise<string> => {
    const queue = `q${queues++}`;
    await writeFile(
      join(dir, `${queue}.in.jsonl`),
      topicsOf(queue)
        .map((topic) => JSON.stringify({ topic }))
        .join('\n'),
    );
    return queue;
  };
  const runArgs = (queue: string, out: string, extra: string[] = []) => [
    'run',
    'p.yaml',
    '-i',
    `${queue}.in.jsonl`,
    '-o',
    out,
    '--workers',
    redis.url,
    '--queue',
    queue,
    '--no-progress',
    ...extra,
  ];
  /** Tasks the consumer of process `pid` holds in the queue's segment-0 group. */
  const heldBy = async (queue: string, pid: number): Promise<number> => {
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      const consumers = (await client.xInfoConsumers(`sluice:work:${queue}:tasks:0`, 'workers').catch(() => [])) as { name: string; pending: number }[];
      return consumers.find((c) => c.name === `${hostname()}-${pid}`)?.pending ?? 0;
    } finally {
      await client.close();
    }
  };
  const answered = () => sim.log.filter((entry) => entry.status === 200).length;

  it('SIGKILL of one of three workers mid-run: every row written once', { timeout: 180_000 }, async () => {
    const queue = await newQueue();
    const three = [startWorker(queue), startWorker(queue), startWorker(queue)];
    const out = join(dir, `${queue}.jsonl`);
    const run = startCli(runArgs(queue, out), { cwd: dir, env });
    run.child.stdin!.end();
    const victim = three[0]!;
    // Killed while it holds tasks, once the run is well under way.
    await waitFor(async () => answered() >= 300 && (await heldBy(queue, victim.child.pid!)) > 0);
    const held = await heldBy(queue, victim.child.pid!);
    victim.child.kill('SIGKILL');
    const result = await run.result;
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual((await outputTopics(out)).sort(), topicsOf(queue).sort(), `every row once (the killed worker held ${held} tasks)`);
    assert.match(result.stderr, /workers \(queue q\d+\): 2000 tasks/);
    // The workers' LLM usage reaches the run's summary: at least one request per row.
    const requests = Number(/llm writer on the workers.*?: (\d+) requests/.exec(result.stderr)?.[1]);
    assert.ok(requests >= ROWS, result.stderr);
    const stopped = await stopWorkers(three.slice(1));
    for (const worker of stopped) assert.equal(worker.code, 0, worker.stderr);
    const all = `${result.stdout}${result.stderr}${stopped.map((w) => w.stderr).join('')}`;
    assert.ok(!all.includes(PASSWORD), 'the Redis password is never printed');
  });

  it('SIGKILL and restart of redis-server mid-run: every row written once, duplicates dropped and counted', { timeout: 180_000 }, async () => {
    const queue = await newQueue();
    const three = [startWorker(queue), startWorker(queue), startWorker(queue)];
    const out = join(dir, `${queue}.jsonl`);
    const run = startCli(runArgs(queue, out), { cwd: dir, env });
    run.child.stdin!.end();
    await waitFor(() => answered() >= 500);
    await redis.kill();
    await redis.restart();
    const result = await run.result;
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual((await outputTopics(out)).sort(), topicsOf(queue).sort(), 'every row once');
    assert.match(result.stderr, /\d+ sent again after Redis restarted, \d+ duplicate results dropped/);
    const stopped = await stopWorkers(three);
    for (const worker of stopped) assert.equal(worker.code, 0, worker.stderr);
  });

  it('SIGKILL of the coordinator, then the same command: the output equals a clean run, and no answered request is sent again', {
    timeout: 180_000,
  }, async () => {
    const queue = await newQueue();
    const clean = await runCli(['run', 'p.yaml', '-i', `${queue}.in.jsonl`, '-o', 'clean.jsonl', '--no-progress', '--no-cache'], '', { cwd: dir, env });
    assert.equal(clean.code, 0, clean.stderr);
    sim.reset();
    // No claims between live workers (a loaded machine can starve a renewal past a 1 s claim, and a
    // claimed task would be asked again while the first ask is in flight).
    const three = [0, 1, 2].map(() => startWorker(queue, ['--claim-idle', '60']));
    const out = join(dir, `${queue}.jsonl`);
    const args = runArgs(queue, out, ['--run-dir', join(dir, `${queue}-run`)]);
    const first = startCli(args, { cwd: dir, env });
    first.child.stdin!.end();
    await waitFor(() => answered() >= 600);
    first.child.kill('SIGKILL');
    assert.equal((await first.result).signal, 'SIGKILL');
    const second = await runCli(args, '', { cwd: dir, env });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /[1-9]\d* skipped/, 'the second run resumed');
    // The rows, without the per-call metadata (request ids, cache hits) that differs between any two runs.
    const rowsOf = async (path: string) =>
      (await readFile(path, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const { _sluice, ...row } = JSON.parse(line) as Record<string, unknown>;
          return JSON.stringify(row);
        })
        .sort();
    const rows = await rowsOf(out);
    assert.equal(rows.length, ROWS);
    assert.ok(rows.join('\n') === (await rowsOf(join(dir, 'clean.jsonl'))).join('\n'), 'the resumed output equals the clean run');
    // A request answered once is never sent again: the workers' shared cache answers it.
    const seen = new Set<string>();
    const again = [];
    for (const entry of sim.log) {
      if (seen.has(entry.bodyHash)) again.push(entry.n);
      if (entry.status === 200) seen.add(entry.bodyHash);
    }
    assert.deepEqual(again, [], 'requests sent again after an answer');
    const stopped = await stopWorkers(three);
    // The Redis password is in no output, no log and no file of the run directory.
    const runDir = join(dir, `${queue}-run`);
    const files = (await readdir(runDir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
    const texts = await Promise.all(files.map((entry) => readFile(join(entry.parentPath, entry.name), 'utf8')));
    for (const text of [...texts, await readFile(out, 'utf8'), second.stdout, second.stderr, ...stopped.map((w) => w.stderr)]) {
      assert.ok(!text.includes(PASSWORD), 'the Redis password was written somewhere');
    }
    assert.ok(files.length > 0);
  });

  it('three workers with rpm 600 send at most 600 a minute together, as the server log shows', { timeout: 120_000 }, async () => {
    await writeFile(
      join(dir, 'limited.yaml'),
      `name: limited
llms:
  writer: { model: gpt-4o-mini, rpm: 600, concurrency: 16 }
steps:
  - generate: { name: answer, llm: writer, prompt: "Briefly, {{ topic }}.", as: answer }
`,
    );
    const queue = await newQueue();
    await writeFile(
      join(dir, `${queue}.small.jsonl`),
      topicsOf(queue)
        .slice(0, 60)
        .map((topic) => JSON.stringify({ topic }))
        .join('\n'),
    );
    // A small budget each, so that all three take tasks; no claims (a loaded machine can starve a
    // worker's renewals past a 1 s claim, and a claimed task is asked again: one request more).
    const three = [0, 1, 2].map(() => startWorker(queue, ['--budget', '8', '--claim-idle', '60'], 'limited.yaml'));
    const run = await runCli(
      ['run', 'limited.yaml', '-i', `${queue}.small.jsonl`, '-o', `${queue}.jsonl`, '--workers', redis.url, '--queue', queue, '--no-progress'],
      '',
      {
        cwd: dir,
        env,
      },
    );
    assert.equal(run.code, 0, run.stderr);
    await stopWorkers(three);
    const times = sim.log.map((entry) => entry.at).sort((a, b) => a - b);
    assert.equal(times.length, 60);
    // 10 a second: a 3-second window holds 30 (31 counting both ends), plus 200 ms of the
    // simulator's own stamping noise in this busy process; unshared, three workers would send 90.
    const peak = peakInWindow(times, 3000);
    assert.ok(peak <= 33, `peak ${peak} requests in a 3 s window`);
  });

  it('refuses a worker whose pipeline differs from the run’s, before it takes any task', { timeout: 120_000 }, async () => {
    const queue = await newQueue();
    const out = join(dir, `${queue}.jsonl`);
    const run = startCli(runArgs(queue, out), { cwd: dir, env });
    run.child.stdin!.end();
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      await waitFor(async () => (await client.exists(`sluice:work:${queue}:version`)) === 1);
      const other = startWorker(queue, ['--set', 'answer.params.temperature=0.1']);
      const refused = await other.result;
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, /Refused: the work queue `q\d+` serves version \w+ of the pipeline, and this worker has version \w+/);
      const groups = (await client.xInfoGroups(`sluice:work:${queue}:tasks:0`).catch(() => [])) as { name: string; consumers: number }[];
      assert.equal(groups.find((g) => g.name === 'workers')?.consumers ?? 0, 0, 'the refused worker never read the task stream');
      const good = startWorker(queue);
      const result = await run.result;
      assert.equal(result.code, 0, result.stderr);
      assert.equal((await outputTopics(out)).length, ROWS);
      await stopWorkers([good]);
    } finally {
      await client.close();
    }
  });
});
