/**
 * How much client CPU does one chat completion cost, by transport?
 *
 * Starts a loopback `node:http` server that answers a small `chat.completion` after 20 ms,
 * then runs each client variant in its own child process (so `process.cpuUsage()` is the
 * client's alone) for N requests at a fixed concurrency, and prints req/s and CPU ms per
 * request. Variants run interleaved for `ROUNDS` rounds; the median round is reported.
 *
 * Usage: `node bench/llm-fetch.ts [N=5000] [concurrency=128] [rounds=3] [variant,...]`
 * @module
 */
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { Agent, Pool, fetch as undiciFetch } from 'undici';
import { createUndiciFetch } from '../lib/llm/undici-fetch.ts';
import { createLlm } from '../lib/llm/client.ts';

const VARIANTS = ['sdk-default-fetch', 'sdk-undici-fetch', 'sdk-sluice-fetch', 'raw-pool-request', 'sluice-llm'] as const;
type Variant = (typeof VARIANTS)[number];

const COMPLETION = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'bench-model',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Paris is the capital of France.' }, finish_reason: 'stop', logprobs: null }],
  usage: { prompt_tokens: 14, completion_tokens: 8, total_tokens: 22 },
});
const REQUEST = {
  model: 'bench-model',
  messages: [{ role: 'user' as const, content: 'What is the capital of France? Answer in one sentence.' }],
  max_tokens: 32,
};

interface Result {
  variant: Variant;
  n: number;
  wallS: number;
  reqPerS: number;
  cpuMsPerReq: number;
  errors: number;
}

if (process.argv[2] === '--client') {
  await runClient(process.argv[3] as Variant, process.argv[4]!, Number(process.argv[5]), Number(process.argv[6]));
} else {
  await main();
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 5000);
  const concurrency = Number(process.argv[3] ?? 128);
  const rounds = Number(process.argv[4] ?? 3);
  const variants = (process.argv[5]?.split(',') ?? VARIANTS) as Variant[];

  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_bench' });
        res.end(COMPLETION);
      }, 20);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const results = new Map<Variant, Result[]>();
  for (let round = 0; round < rounds; round++) {
    for (const variant of variants) {
      const result = await new Promise<Result>((resolve, reject) => {
        const child = fork(import.meta.filename, ['--client', variant, url, String(n), String(concurrency)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
        child.on('message', (message) => resolve(message as Result));
        child.on('exit', (code) => {
          if (code !== 0) reject(new Error(`${variant} exited with ${code}`));
        });
      });
      results.set(variant, [...(results.get(variant) ?? []), result]);
    }
  }
  server.close();
  server.closeAllConnections();

  console.log(
    `N=${n}, concurrency=${concurrency}, server delay 20 ms (ideal ${Math.round((concurrency * 1000) / 20)} req/s), median of ${rounds} rounds, Node ${process.version}`,
  );
  console.log('variant              req/s   CPU ms/req  (range)        errors');
  for (const [variant, runs] of results) {
    const sorted = [...runs].sort((a, b) => a.cpuMsPerReq - b.cpuMsPerReq);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    const reqs = runs.map((r) => r.reqPerS).sort((a, b) => a - b);
    console.log(
      `${variant.padEnd(20)} ${String(Math.round(reqs[Math.floor(reqs.length / 2)]!)).padStart(6)}   ${median.cpuMsPerReq.toFixed(3).padStart(9)}  (${sorted[0]!.cpuMsPerReq.toFixed(3)}–${sorted.at(-1)!.cpuMsPerReq.toFixed(3)})  ${runs.reduce((s, r) => s + r.errors, 0)}`,
    );
  }
}

async function runClient(variant: Variant, url: string, n: number, concurrency: number): Promise<void> {
  const call = makeCaller(variant, url, concurrency);
  // Warm up: connections, JIT.
  await drive(call.fn, Math.min(1000, n), concurrency);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const errors = await drive(call.fn, n, concurrency);
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await call.close();
  const result: Result = { variant, n, wallS, reqPerS: n / wallS, cpuMsPerReq: (cpu.user + cpu.system) / 1000 / n, errors };
  process.send!(result, () => process.exit(0));
}

async function drive(fn: () => Promise<unknown>, n: number, concurrency: number): Promise<number> {
  let started = 0;
  let errors = 0;
  async function worker(): Promise<void> {
    while (started < n) {
      started++;
      try {
        await fn();
      } catch (error) {
        if (errors++ === 0) console.error(error);
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return errors;
}

function makeCaller(variant: Variant, url: string, concurrency: number): { fn: () => Promise<unknown>; close: () => Promise<void> } {
  const agent = new Agent({ connections: concurrency, pipelining: 1 });
  const close = () => agent.close();
  const sdk = (options: ConstructorParameters<typeof OpenAI>[0]) => new OpenAI({ baseURL: `${url}/v1`, apiKey: 'sk-bench', maxRetries: 0, ...options });
  switch (variant) {
    case 'sdk-default-fetch': {
      const client = sdk({});
      return { fn: () => client.chat.completions.create(REQUEST), close };
    }
    case 'sdk-undici-fetch': {
      const client = sdk({ fetch: undiciFetch as unknown as typeof fetch, fetchOptions: { dispatcher: agent } as never });
      return { fn: () => client.chat.completions.create(REQUEST), close };
    }
    case 'sdk-sluice-fetch': {
      const client = sdk({ fetch: createUndiciFetch(agent), fetchOptions: { dispatcher: agent } as never });
      return { fn: () => client.chat.completions.create(REQUEST), close };
    }
    case 'raw-pool-request': {
      const pool = new Pool(url, { connections: concurrency, pipelining: 1 });
      const body = JSON.stringify(REQUEST);
      return {
        fn: async () => {
          const { body: res } = await pool.request({
            path: '/v1/chat/completions',
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
            body,
          });
          return res.json();
        },
        close: () => pool.close(),
      };
    }
    case 'sluice-llm': {
      const llm = createLlm({ baseURL: `${url}/v1`, apiKey: 'sk-bench', model: 'bench-model', concurrency });
      const { model: _model, ...request } = REQUEST;
      return { fn: () => llm.chat(request), close: () => llm.close() };
    }
  }
}
