import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { parseDefinition } from '../../lib/config/parse-definition.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import type { Row } from '../../lib/core/row.ts';
import { createLlm, type Llm } from '../../lib/llm/client.ts';
import { complete } from '../../lib/llm/complete.ts';
import { generate } from '../../lib/llm/generate.ts';
import { structured } from '../../lib/llm/structured.ts';
import { startSimulator, type Simulator } from '../../lib/llm/simulator/index.ts';
import { broadcast } from '../../lib/operators/broadcast.ts';
import { join } from '../../lib/operators/join.ts';
import { toMemory } from '../../lib/sinks/memory.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';
import { failedCollector } from '../helpers/failed-collector.ts';

/** A chat server that answers `answer` (a function of the request), recording each request's body and headers. */
async function chatServer(answer: (body: Record<string, unknown>, req: IncomingMessage) => string = () => 'real answer') {
  const seen: { body: Record<string, unknown>; authorization: string | undefined }[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d));
    req.on('end', () => {
      const body = JSON.parse(text) as Record<string, unknown>;
      seen.push({ body, authorization: req.headers.authorization });
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': `req-${seen.length}` });
      res.end(
        JSON.stringify({
          id: 'c',
          object: 'chat.completion',
          created: 1,
          model: 'real',
          choices: [{ index: 0, message: { role: 'assistant', content: answer(body, req) }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, seen, close: () => server.close() };
}

/** Runs `fn` with environment variables set, restoring them after. */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  }
}

const ask = (llm: Llm) =>
  pipeline('ask')
    .from(fromIterable([{ q: 'Is water wet?' }]))
    .pipe(generate({ llm, prompt: '{{ q }}', as: 'a' }));

describe('the LLM layer', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator();
  });
  after(() => sim.close());

  it('never serves a simulated answer from the cache to a run against a real endpoint', async () => {
    const cache = await mkdtemp(joinPath(tmpdir(), 'sluice-endpoint-'));
    const real = await chatServer();
    try {
      const simulated = await withEnv(
        { SLUICE_LLM: 'simulated', OPENAI_BASE_URL: undefined, OPENAI_API_KEY: undefined, SLUICE_SIMULATOR_URL: undefined },
        async () => {
          const llm = createLlm({ model: 'sim-small' });
          const out = toMemory();
          await ask(llm).to(out).run({ cache, failed: failedCollector() });
          await llm.close();
          return out.rows[0]!;
        },
      );
      assert.equal((simulated._sluice as Record<string, Record<string, unknown>>).generate!.simulated, true);
      const llm = createLlm({ model: 'sim-small', baseURL: real.url });
      const out = toMemory();
      await ask(llm).to(out).run({ cache, failed: failedCollector() });
      await llm.close();
      assert.equal(real.seen.length, 1, 'the real endpoint was asked, not the cache');
      assert.equal(out.rows[0]!.a, 'real answer');
      assert.equal((out.rows[0]!._sluice as Record<string, Record<string, unknown>>).generate!.simulated, undefined);
    } finally {
      real.close();
    }
  });

  it('answers from the simulator in library code under SLUICE_LLM=simulated, with no endpoint or key set', async () => {
    await withEnv({ SLUICE_LLM: 'simulated', OPENAI_BASE_URL: undefined, OPENAI_API_KEY: undefined, SLUICE_SIMULATOR_URL: undefined }, async () => {
      const llm = createLlm({ model: 'sim-small' });
      assert.equal(llm.endpoint, 'sluice-simulator');
      const out = toMemory();
      await ask(llm).to(out).run({ cache: false, failed: failedCollector() });
      await llm.close();
      assert.match(String(out.rows[0]!.a), /^\[sim:sim-small\] answer to: Is water wet\?/);
    });
  });

  it("gives each row its own sample with sample: 'row': identical Magpie-style prompts and broadcast copies are asked once each, with distinct seeds", async () => {
    const llm = createLlm({ model: 'sim-small', baseURL: sim.url, apiKey: 'sk-test', concurrency: 1 });
    const before = sim.log.length;
    const out = toMemory();
    const rows = Array.from({ length: 5 }, (_, i) => ({ i }));
    await pipeline('magpie')
      .from(fromIterable(rows))
      .pipe(
        complete({ llm, prompt: '<|start_header_id|>user<|end_header_id|>\n\n', as: 'instruction', sample: 'row' }),
        broadcast({
          a: (c) => c.pipe(generate({ llm, prompt: 'Answer: {{ instruction }}', as: 'answer', sample: 'row', name: 'answer' })),
          b: (c) => c.pipe(generate({ llm, prompt: 'Answer: {{ instruction }}', as: 'answer', sample: 'row', name: 'answer2' })),
        }),
      )
      .to(out)
      .run({ cache: await mkdtemp(joinPath(tmpdir(), 'sluice-sample-')), failed: failedCollector() });
    await llm.close();
    const requests = sim.log.slice(before);
    const completions = requests.filter((e) => e.path.endsWith('/completions') && !e.path.includes('chat'));
    assert.equal(completions.length, 5, 'one completion per row, none collapsed into the cache');
    assert.equal(new Set(out.rows.filter((r) => r.i !== undefined).map((r) => r.instruction)).size, 5, 'five distinct instructions');
    const chats = requests.filter((e) => e.path.endsWith('/chat/completions'));
    assert.equal(chats.length, 10, 'both broadcast copies of each row were asked');
  });

  it('collapses identical requests into one answer by default (the cache)', async () => {
    const llm = createLlm({ model: 'sim-small', baseURL: sim.url, apiKey: 'sk-test', concurrency: 1 });
    const before = sim.log.length;
    await pipeline('same')
      .from(fromIterable(Array.from({ length: 4 }, () => ({ q: 'same' }))))
      .pipe(generate({ llm, prompt: '{{ q }}', as: 'a', concurrency: 1 }))
      .to(toMemory())
      .run({ cache: await mkdtemp(joinPath(tmpdir(), 'sluice-same-')), failed: failedCollector() });
    await llm.close();
    assert.equal(sim.log.length - before, 1);
  });

  it('supports a structured step whose schema is a list: asked for as { value: [...] } and unwrapped', async () => {
    const llm = createLlm({ model: 'sim-small', baseURL: sim.url, apiKey: 'sk-test' });
    const out = toMemory();
    const failed = failedCollector();
    await pipeline('list')
      .from(fromIterable([{ topic: 'tides' }]))
      .pipe(structured({ llm, prompt: 'List subtopics of {{ topic }}.', schema: z.array(z.string()).min(1), as: 'subtopics' }))
      .to(out)
      .run({ cache: false, failed });
    await llm.close();
    assert.deepEqual(failed.rows, []);
    const subtopics = out.rows[0]!.subtopics;
    assert.ok(Array.isArray(subtopics) && subtopics.length >= 1 && subtopics.every((s) => typeof s === 'string'), JSON.stringify(subtopics));
  });

  it("keeps every branch's _sluice metadata where branches join", async () => {
    const llm = createLlm({ model: 'sim-small', baseURL: sim.url, apiKey: 'sk-test' });
    const out = toMemory();
    await pipeline('both')
      .from(fromIterable([{ q: 'x' }]))
      .pipe(
        broadcast({
          left: (c) => c.pipe(generate({ llm, prompt: 'L {{ q }}', as: 'left', name: 'left' })),
          right: (c) => c.pipe(generate({ llm, prompt: 'R {{ q }}', as: 'right', name: 'right' })),
        }),
        join(),
      )
      .to(out)
      .run({ cache: false, failed: failedCollector() });
    await llm.close();
    assert.deepEqual(Object.keys(out.rows[0]!._sluice as Row).sort(), ['broadcast/left/left', 'broadcast/right/right']);
  });

  it('never stores a key that a server echoes in a successful answer: not in outputs, metadata or the cache', async () => {
    const key = 'sk-echoed-KEY-0123456789abcdef';
    const echo = await chatServer((_body, req) => `you sent ${req.headers.authorization}`);
    const cache = await mkdtemp(joinPath(tmpdir(), 'sluice-echo-'));
    try {
      const llm = createLlm({ model: 'echo', baseURL: echo.url, apiKey: key });
      const out = toMemory();
      await ask(llm).to(out).run({ cache, failed: failedCollector() });
      const again = toMemory();
      await ask(llm).to(again).run({ cache, failed: failedCollector() });
      await llm.close();
      assert.equal(echo.seen.length, 1, 'the second run was answered from the cache');
      assert.equal(out.rows[0]!.a, 'you sent Bearer [REDACTED]');
      assert.doesNotMatch(JSON.stringify([out.rows, again.rows]), /sk-echoed/);
    } finally {
      echo.close();
    }
  });

  it('sends OPENAI_API_KEY only to the environment endpoint, never to an LLM with a base URL of its own', async () => {
    const other = await chatServer();
    try {
      await withEnv({ OPENAI_API_KEY: 'sk-env-key-0123456789', OPENAI_BASE_URL: undefined, SLUICE_LLM: undefined }, async () => {
        const llm = createLlm({ model: 'm', baseURL: other.url });
        await ask(llm).to(toMemory()).run({ cache: false, failed: failedCollector() });
        const explicit = createLlm({ model: 'm', baseURL: other.url, apiKey: 'sk-other-provider-123' });
        await ask(explicit).to(toMemory()).run({ cache: false, failed: failedCollector() });
        await Promise.all([llm.close(), explicit.close()]);
      });
      // The same from a definition: another endpoint gets the key its `apiKeyEnv` names, or none.
      const env = { OPENAI_API_KEY: 'sk-env-key-0123456789', TOGETHER_API_KEY: 'tg-key-123456' };
      for (const extra of ['', `, apiKeyEnv: TOGETHER_API_KEY`]) {
        const p = await parseDefinition(
          `name: d\nllms:\n  w: { model: m, baseURL: "${other.url}"${extra} }\nsteps:\n  - generate: { llm: w, prompt: "{{ q }}", as: a }\n`,
          { env },
        );
        await p.run({ source: fromIterable([{ q: 'hi' }]), sink: toMemory(), cache: false, failed: failedCollector() });
        for (const step of p.steps) await (step.resources?.llm as Llm | undefined)?.close();
      }
      assert.deepEqual(
        other.seen.map((s) => s.authorization),
        ['Bearer sluice-no-api-key', 'Bearer sk-other-provider-123', 'Bearer sluice-no-api-key', 'Bearer tg-key-123456'],
      );
    } finally {
      other.close();
    }
  });
});
