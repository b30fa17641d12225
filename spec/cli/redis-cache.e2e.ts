import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type Simulator } from '../../lib/llm/simulator/index.ts';
import { hasRedisServer, type RedisServer, startRedisServer } from '../helpers/redis-server.ts';
import { runCli } from '../helpers/run-cli.ts';

const PASSWORD = 'e2e-redis-password-42';

describe('a request cache in Redis, shared by runs in any folder', {
  skip: hasRedisServer() ? false : 'redis-server is not installed (.ci/run installs it)',
}, () => {
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

  it('answers a second run, from another folder, with no request; the password is in no output or file', async () => {
    const definition = `name: cached
llms:
  writer: { model: gpt-4o-mini }
steps:
  - generate: { name: answer, llm: writer, prompt: "About {{ topic }}.", as: answer }
`;
    const rows = Array.from({ length: 50 }, (_, i) => JSON.stringify({ topic: `topic ${i}` })).join('\n');
    const env = { OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: 'sk-test' };
    const runIn = async () => {
      const dir = await mkdtemp(join(tmpdir(), 'sluice-redis-cache-'));
      await writeFile(join(dir, 'p.yaml'), definition);
      await writeFile(join(dir, 'in.jsonl'), rows);
      const result = await runCli(
        ['run', 'p.yaml', '-i', 'in.jsonl', '-o', 'out.jsonl', '--cache-dir', `${redis.url}/3`, '--run-dir', 'run', '--no-progress'],
        '',
        { cwd: dir, env },
      );
      return { dir, result };
    };
    const first = await runIn();
    assert.equal(first.result.code, 0, first.result.stderr);
    const sent = sim.stats().requests;
    assert.equal(sent, 50);
    const second = await runIn();
    assert.equal(second.result.code, 0, second.result.stderr);
    assert.equal(sim.stats().requests, sent, 'no request sent again');
    assert.match(second.result.stderr, /cache redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/3: 50 hits, 0 misses/);
    for (const { dir, result } of [first, second]) {
      assert.ok(!`${result.stdout}${result.stderr}`.includes(PASSWORD));
      const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
      for (const file of files) assert.ok(!readFileSync(join(file.parentPath, file.name), 'latin1').includes(PASSWORD), `${file.name} holds no password`);
    }
  });
});
