import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type Simulator } from '../../lib/llm/simulator/index.ts';
import { hasRedisServer, type RedisServer, startRedisServer } from '../helpers/redis-server.ts';
import { runCli } from '../helpers/run-cli.ts';
import { peakInWindow } from '../helpers/peak-in-window.ts';

const PASSWORD = 'limits-redis-password-7';

describe('rpm held across processes (SLUICE_SHARED_LIMITS)', { skip: hasRedisServer() ? false : 'redis-server is not installed (.ci/run installs it)' }, () => {
  let redis: RedisServer;
  let sim: Simulator;
  before(async () => {
    redis = await startRedisServer({ password: PASSWORD });
    sim = await startSimulator({ latencyMs: 5 });
  });
  after(async () => {
    await sim.close();
    await redis.stop();
  });

  it('three runs at once, each with rpm 600, send at most 600 a minute together, as the server log shows', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-shared-limits-'));
    await writeFile(
      join(dir, 'p.yaml'),
      `name: limited
llms:
  writer: { model: gpt-4o-mini, rpm: 600, concurrency: 16 }
steps:
  - generate: { name: answer, llm: writer, prompt: "About {{ topic }}.", as: answer }
`,
    );
    const env = { OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: 'sk-test', SLUICE_SHARED_LIMITS: redis.url };
    const runs = await Promise.all(
      [0, 1, 2].map(async (k) => {
        await writeFile(join(dir, `in${k}.jsonl`), Array.from({ length: 20 }, (_, i) => JSON.stringify({ topic: `run ${k} topic ${i}` })).join('\n'));
        return runCli(['run', 'p.yaml', '-i', `in${k}.jsonl`, '-o', `out${k}.jsonl`, '--no-cache', '--no-progress'], '', { cwd: dir, env });
      }),
    );
    for (const run of runs) {
      assert.equal(run.code, 0, run.stderr);
      assert.ok(!`${run.stdout}${run.stderr}`.includes(PASSWORD));
    }
    const times = sim.log.map((entry) => entry.at).sort((a, b) => a - b);
    assert.equal(times.length, 60);
    // 600 a minute is 10 a second: any 3-second window may hold 30 (31 counting both ends). The
    // simulator stamps arrivals in this test's own process, which shares two cores with three runs
    // and other test files; 200 ms of that stamping noise is allowed, 2 requests. Without the shared
    // limit the three runs put about 90 in a window.
    const peak = peakInWindow(times, 3000);
    assert.ok(peak <= 33, `peak ${peak} requests in a 3 s window (each process alone would allow 30, three 90)`);
    assert.ok(times.at(-1)! - times[0]! >= 59 * 100 * 0.9, `the 60 requests were spread over ${times.at(-1)! - times[0]!} ms`);
  });
});
