import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli, startCli } from '../helpers/run-cli.ts';

/** A server that answers every chat request with `status`, counting them; 200s echo the number asked for. */
async function fixedServer(status: number): Promise<{ server: Server; url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      requests++;
      if (status !== 200) {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } }));
        return;
      }
      const n = Number(/Say (\d+)/.exec(body)?.[1] ?? -1);
      res.writeHead(200, { 'content-type': 'application/json' });
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
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, requests: () => requests };
}

const ROWS = 500;
const input = Array.from({ length: ROWS }, (_, n) => JSON.stringify({ n })).join('\n');

async function resumesToEveryRow(dir: string, out: string): Promise<void> {
  const good = await fixedServer(200);
  try {
    const again = await runCli(
      ['run', 'spec/fixtures/strict-llm-pipeline.ts', '-i', join(dir, 'in.jsonl'), '-o', out, '--run-dir', join(dir, 'run'), '--no-progress'],
      '',
      { env: { OPENAI_BASE_URL: good.url, OPENAI_API_KEY: 'sk-good' } },
    );
    assert.equal(again.code, 0, again.stderr);
    const rows = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { n: number; said: string });
    assert.deepEqual(
      rows.map((r) => r.n).sort((a, b) => a - b),
      Array.from({ length: ROWS }, (_, n) => n),
      'every row once, none twice',
    );
    assert.ok(rows.every((r) => r.said === `ok ${r.n}`));
  } finally {
    good.server.close();
  }
}

describe('a broken LLM endpoint stops the run instead of failing every row', () => {
  it('stops on a refused key (401) after the requests in flight, exit 1, one message, no failed rows; resume delivers every row', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-auth-'));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'in.jsonl'), input);
    const refusing = await fixedServer(401);
    const out = join(dir, 'out.jsonl');
    try {
      const result = await runCli(
        ['run', 'spec/fixtures/strict-llm-pipeline.ts', '-i', join(dir, 'in.jsonl'), '-o', out, '--run-dir', join(dir, 'run'), '--no-progress'],
        '',
        { env: { OPENAI_BASE_URL: refusing.url, OPENAI_API_KEY: 'sk-wrong-key-123456' } },
      );
      assert.equal(result.code, 1, result.stderr);
      assert.equal(result.stderr.match(/refused the API key/g)?.length, 1, result.stderr);
      assert.ok(refusing.requests() <= 64, `${refusing.requests()} requests: at most the ones in flight when the first 401 came`);
      assert.ok(!existsSync(join(dir, 'out.failed.jsonl')) || (await readFile(join(dir, 'out.failed.jsonl'), 'utf8')) === '', 'no row was failed for it');
    } finally {
      refusing.server.close();
    }
    await resumesToEveryRow(dir, out);
  });

  it('stops when nothing listens at the LLM address, within unreachableAfterMs, exit 1; resume delivers every row', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-down-'));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'in.jsonl'), input);
    const closed = await fixedServer(200);
    const url = closed.url;
    closed.server.close();
    await once(closed.server, 'close');
    const out = join(dir, 'out.jsonl');
    const result = await runCli(
      ['run', 'spec/fixtures/strict-llm-pipeline.ts', '-i', join(dir, 'in.jsonl'), '-o', out, '--run-dir', join(dir, 'run'), '--no-progress'],
      '',
      { env: { OPENAI_BASE_URL: url } },
    );
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stderr.match(/Nothing has answered there/g)?.length, 1, result.stderr);
    assert.ok(!existsSync(join(dir, 'out.failed.jsonl')) || (await readFile(join(dir, 'out.failed.jsonl'), 'utf8')) === '', 'no row was failed for it');
    await resumesToEveryRow(dir, out);
  });
});

describe('SIGTERM with requests that hang', () => {
  it('starts no new request after the signal, aborts the hung ones after --grace, exits 130; resume delivers every row', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-term-'));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'in.jsonl'), input);
    let requests = 0;
    let onRequest: (() => void) | undefined;
    const hanging = createServer((req) => {
      req.resume();
      requests++;
      onRequest?.();
    });
    hanging.listen(0, '127.0.0.1');
    await once(hanging, 'listening');
    const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/v1`;
    const out = join(dir, 'out.jsonl');
    try {
      const { child, result } = startCli(
        ['run', 'spec/fixtures/strict-llm-pipeline.ts', '-i', join(dir, 'in.jsonl'), '-o', out, '--run-dir', join(dir, 'run'), '--no-progress', '--grace', '1'],
        { env: { OPENAI_BASE_URL: url } },
      );
      child.stdin!.end();
      // Wait for the first wave of requests (the LLM's concurrency, 64), then ask the run to stop.
      await new Promise<void>((resolve) => {
        onRequest = () => {
          if (requests >= 64) resolve();
        };
      });
      const atSignal = requests;
      child.kill('SIGTERM');
      const { code, stderr } = await result;
      assert.equal(code, 130, stderr);
      assert.equal(requests, atSignal, 'no request started after SIGTERM');
      assert.match(stderr, /no new request starts/);
      assert.ok(!existsSync(join(dir, 'out.failed.jsonl')) || (await readFile(join(dir, 'out.failed.jsonl'), 'utf8')) === '', 'the cut rows were not failed');
    } finally {
      hanging.closeAllConnections();
      hanging.close();
    }
    await resumesToEveryRow(dir, out);
  });
});
