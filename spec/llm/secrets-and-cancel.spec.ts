import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import { createLlm } from '../../lib/llm/client.ts';
import { generate } from '../../lib/llm/generate.ts';
import { startSimulator } from '../../lib/llm/simulator/index.ts';
import { toObservable } from '../../lib/serve/to-observable.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';
import { runCli } from '../helpers/run-cli.ts';
import { waitFor } from '../helpers/wait-for.ts';

const SECRET = 'sk-live-DO-NOT-LEAK-7f3a9c';

/** A server that answers even rows, and fails odd ones with an error that echoes the Authorization header. */
function echoServer(): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      const n = Number(/Say (\d+)/.exec(body)?.[1] ?? 0);
      if (n % 2 === 1) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `bad request from ${req.headers.authorization}`, type: 'invalid_request_error' } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_1' });
      res.end(
        JSON.stringify({
          id: 'c',
          object: 'chat.completion',
          created: 1,
          model: 'echo',
          choices: [{ index: 0, message: { role: 'assistant', content: `ok ${n}` }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      );
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    if ((await stat(path)).isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

describe('the API key', () => {
  it('never appears in stdout, stderr, outputs, failed rows, the cache or the run directory', async () => {
    const server = await echoServer();
    try {
      const dir = await mkdtemp(join(tmpdir(), 'sluice-secret-'));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
      const input = Array.from({ length: 6 }, (_, n) => JSON.stringify({ n })).join('\n');
      const result = await runCli(['run', 'spec/fixtures/echo-pipeline.ts', '-o', join(dir, 'out', 'rows.jsonl'), '--run-dir', join(dir, 'run')], input, {
        env: { OPENAI_BASE_URL: url, OPENAI_API_KEY: SECRET, SLUICE_CACHE_DIR: join(dir, 'cache') },
      });
      assert.equal(result.code, 3, result.stderr);
      assert.ok(!result.stdout.includes(SECRET) && !result.stderr.includes(SECRET));
      const failed = await readFile(join(dir, 'out', 'rows.failed.jsonl'), 'utf8');
      assert.equal(failed.trim().split('\n').length, 3);
      assert.match(failed, /bad request from Bearer \[REDACTED\]/);
      const files = await filesUnder(dir);
      assert.ok(
        files.some((f) => f.includes('cache')),
        'the cache was written',
      );
      for (const file of files) {
        const bytes = await readFile(file);
        assert.equal(bytes.includes(SECRET), false, `${file} holds the key`);
      }
    } finally {
      server.close();
    }
  });
});

describe('cancellation', () => {
  it('aborts the HTTP requests in flight when the consumer unsubscribes: the server sees them closed', async () => {
    const sim = await startSimulator({ latencyMs: 5_000 });
    const llm = createLlm({ model: 'sim-small', baseURL: sim.url, apiKey: 'sk-test', concurrency: 8 });
    try {
      const p = pipeline('cancel')
        .from(fromIterable(Array.from({ length: 100 }, (_, i) => ({ i }))))
        .pipe(generate({ llm, prompt: 'Row {{ i }}', concurrency: 8 }));
      const subscription = toObservable(p, { cache: false, failed: { name: 'f', write: (_r, _l, done) => done(), close: async () => {} } }).subscribe();
      await waitFor(() => sim.stats().inFlight >= 8);
      assert.equal(sim.stats().inFlight, 8);
      subscription.unsubscribe();
      await waitFor(() => sim.stats().clientClosedInFlight >= 8);
      assert.equal(sim.stats().clientClosedInFlight, 8);
      assert.equal(sim.stats().inFlight, 0);
    } finally {
      await llm.close();
      await sim.close();
    }
  });
});
