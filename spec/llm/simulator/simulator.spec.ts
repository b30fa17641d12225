import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { SluiceConfigError } from '../../../lib/core/errors.ts';
import { contentKey } from '../../../lib/llm/simulator/content-key.ts';
import { estimateTokens } from '../../../lib/llm/simulator/estimate-tokens.ts';
import { simulatedEmbedding } from '../../../lib/llm/simulator/simulated-embedding.ts';
import { startSimulator } from '../../../lib/llm/simulator/simulator.ts';
import { API_KEY, clientFor, post, simulatorFor } from './simulator-helpers.ts';

const messages = [
  { role: 'system' as const, content: 'You are terse.' },
  { role: 'user' as const, content: 'Name three rivers of Europe' },
];
const expectedContent = (model: string, index = 0, seed: number | null = null) =>
  `[sim:${model}] answer to: Name three rivers of Europe #${contentKey(['chat', model, messages, seed, index]).slice(0, 8)}`;

describe('startSimulator: endpoints, through the openai SDK', () => {
  it('answers a chat completion deterministically, marked as simulated, with usage and a request id', async (t) => {
    const sim = await simulatorFor(t);
    const { data, response } = await clientFor(sim).chat.completions.create({ model: 'sim-small', messages }).withResponse();

    const content = expectedContent('sim-small');
    assert.equal(sim.url, `http://127.0.0.1:${sim.port}/v1`);
    assert.equal(data.object, 'chat.completion');
    assert.equal(data.model, 'sim-small');
    assert.equal(data.system_fingerprint, 'sluice-simulator');
    assert.deepEqual(data.choices, [
      { index: 0, message: { role: 'assistant', content, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' },
    ]);
    const promptTokens = estimateTokens('You are terse.\nName three rivers of Europe');
    assert.deepEqual(data.usage, {
      prompt_tokens: promptTokens,
      completion_tokens: Math.ceil(content.length / 4),
      total_tokens: promptTokens + Math.ceil(content.length / 4),
    });
    assert.equal(response.headers.get('x-sluice-simulated'), '1');
    assert.equal(response.headers.get('x-request-id'), sim.log[0]?.requestId);
  });

  it('gives n choices, each with its index, its own content, and the usage of all of them', async (t) => {
    const sim = await simulatorFor(t);
    const reply = await clientFor(sim).chat.completions.create({ model: 'sim-small', messages, n: 3 });

    const contents = [0, 1, 2].map((index) => expectedContent('sim-small', index));
    assert.deepEqual(
      reply.choices.map((c) => [c.index, c.message.content, c.finish_reason]),
      contents.map((c, i) => [i, c, 'stop']),
    );
    assert.equal(new Set(contents).size, 3);
    assert.equal(
      reply.usage?.completion_tokens,
      contents.reduce((sum, c) => sum + Math.ceil(c.length / 4), 0),
    );
  });

  it("cuts the answer at max_tokens and says 'length'", async (t) => {
    const sim = await simulatorFor(t);
    const reply = await clientFor(sim).chat.completions.create({ model: 'sim-small', messages, max_tokens: 3 });

    assert.equal(reply.choices[0]?.message.content, expectedContent('sim-small').slice(0, 12));
    assert.equal(reply.choices[0]?.finish_reason, 'length');
    assert.equal(reply.usage?.completion_tokens, 3);
  });

  it('answers a legacy completion for each prompt and each of n choices', async (t) => {
    const sim = await simulatorFor(t);
    const reply = await clientFor(sim).completions.create({ model: 'sim-large', prompt: ['Once upon a time', 'In a hole in the ground'], n: 2 });

    const text = (prompt: string, i: number) =>
      `[sim:sim-large] continuation of: ${prompt} #${contentKey(['completion', 'sim-large', prompt, null, i]).slice(0, 8)}`;
    assert.equal(reply.object, 'text_completion');
    assert.equal(reply.system_fingerprint, 'sluice-simulator');
    assert.deepEqual(reply.choices, [
      { text: text('Once upon a time', 0), index: 0, logprobs: null, finish_reason: 'stop' },
      { text: text('Once upon a time', 1), index: 1, logprobs: null, finish_reason: 'stop' },
      { text: text('In a hole in the ground', 0), index: 2, logprobs: null, finish_reason: 'stop' },
      { text: text('In a hole in the ground', 1), index: 3, logprobs: null, finish_reason: 'stop' },
    ]);
    assert.equal(reply.usage?.prompt_tokens, estimateTokens('Once upon a time') + estimateTokens('In a hole in the ground'));
  });

  it('answers embeddings with unit vectors derived from each input, in base64 (the SDK default) or floats', async (t) => {
    const sim = await simulatorFor(t);
    const client = clientFor(sim);
    const reply = await client.embeddings.create({ model: 'sim-embed', input: ['rivers', 'mountains'] });

    assert.equal(reply.object, 'list');
    assert.deepEqual(
      reply.data.map((d) => d.embedding),
      [simulatedEmbedding('rivers', 8), simulatedEmbedding('mountains', 8)],
    );
    for (const { embedding } of reply.data) assert.ok(Math.abs(Math.hypot(...embedding) - 1) < 1e-6);
    assert.deepEqual(reply.usage, { prompt_tokens: 2 + 3, total_tokens: 2 + 3 });

    const floats = await client.embeddings.create({ model: 'sim-embed', input: 'rivers', dimensions: 16, encoding_format: 'float' });
    assert.deepEqual(floats.data[0]?.embedding, simulatedEmbedding('rivers', 16));
    assert.equal(floats.data[0]?.embedding.length, 16);
  });

  it('streams a chat completion whose pieces join to the plain answer, ending with usage', async (t) => {
    const sim = await simulatorFor(t);
    const client = clientFor(sim);
    const stream = await client.chat.completions.create({ model: 'sim-small', messages, stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const plain = await client.chat.completions.create({ model: 'sim-small', messages });

    assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''), plain.choices[0]?.message.content);
    assert.deepEqual(
      chunks.map((c) => c.object),
      chunks.map(() => 'chat.completion.chunk'),
    );
    assert.equal(chunks[0]?.choices[0]?.delta.role, 'assistant');
    assert.equal(chunks.at(-2)?.choices[0]?.finish_reason, 'stop');
    assert.deepEqual(chunks.at(-1)?.choices, []);
    assert.deepEqual(chunks.at(-1)?.usage, plain.usage);
    assert.deepEqual(
      chunks.slice(0, -1).map((c) => c.usage),
      chunks.slice(0, -1).map(() => null),
    );
    assert.equal(sim.log[0]?.stream, true);
  });

  it('lists its models', async (t) => {
    const sim = await simulatorFor(t, { models: ['sim-a', 'sim-b'] });
    const page = await clientFor(sim).models.list();
    assert.deepEqual(
      page.data.map((m) => m.id),
      ['sim-a', 'sim-b'],
    );
    assert.equal((await clientFor(sim).models.retrieve('sim-b')).owned_by, 'sluice-simulator');
  });

  it("answers an unknown path with 404 and a body that is not JSON with 400, in OpenAI's error format", async (t) => {
    const sim = await simulatorFor(t);
    const missing = await post(sim, '/nope', {});
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('x-sluice-simulated'), '1');
    assert.deepEqual(await missing.json(), {
      error: { message: 'Invalid URL (POST /v1/nope)', type: 'invalid_request_error', param: null, code: 'unknown_url' },
    });

    const bad = await post(sim, '/chat/completions', '{"model": "sim-small", "messages": [');
    assert.equal(bad.status, 400);
    assert.deepEqual(await bad.json(), {
      error: {
        message: 'We could not parse the JSON body of your request. Send valid JSON.',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_json',
      },
    });

    const noModel = await post(sim, '/chat/completions', { messages });
    assert.equal(noModel.status, 400);
    assert.deepEqual(await noModel.json(), {
      error: { message: 'you must provide a model parameter', type: 'invalid_request_error', param: 'model', code: null },
    });
    assert.deepEqual(
      sim.log.map((e) => e.status),
      [404, 400, 400],
    );
  });
});

describe('startSimulator: determinism', () => {
  it('answers the same request the same way twice, and on another simulator', async (t) => {
    const one = clientFor(await simulatorFor(t));
    const two = clientFor(await simulatorFor(t));
    const ask = (client: typeof one) => client.chat.completions.create({ model: 'sim-small', messages, seed: 5 }).then((r) => r.choices[0]?.message.content);

    const first = await ask(one);
    assert.equal(await ask(one), first);
    assert.equal(await ask(two), first);
    assert.equal(first, expectedContent('sim-small', 0, 5));
  });

  it('answers differently for another seed, sample index or model, and sample 0 of n equals the single answer', async (t) => {
    const client = clientFor(await simulatorFor(t));
    const ask = async (extra: { seed?: number; n?: number; model?: string }) =>
      (await client.chat.completions.create({ model: 'sim-small', messages, ...extra })).choices.map((c) => c.message.content);

    const [single] = await ask({});
    const [seeded] = await ask({ seed: 2 });
    const [sample0, sample1] = await ask({ n: 2 });
    const [large] = await ask({ model: 'sim-large' });
    assert.equal(new Set([single, seeded, sample1, large]).size, 4);
    assert.equal(sample0, single);
  });
});

describe('startSimulator: log, counters and settings', () => {
  it('logs each request with its tokens, body hash and whether a key came, but never the key', async (t) => {
    const sim = await simulatorFor(t);
    await clientFor(sim).chat.completions.create({ model: 'sim-small', messages });
    const raw = JSON.stringify({ model: 'sim-embed', input: 'rivers' });
    await post(sim, '/embeddings', raw, {});
    await clientFor(sim).completions.create({ model: 'sim-small', prompt: `key is ${API_KEY.length} long` });

    const [chat, embeddings, legacy] = sim.log;
    assert.equal(sim.log.length, 3);
    assert.deepEqual(
      sim.log.map(({ n, method, path, model, status, authorization }) => ({ n, method, path, model, status, authorization })),
      [
        { n: 1, method: 'POST', path: '/v1/chat/completions', model: 'sim-small', status: 200, authorization: 'present' },
        { n: 2, method: 'POST', path: '/v1/embeddings', model: 'sim-embed', status: 200, authorization: 'absent' },
        { n: 3, method: 'POST', path: '/v1/completions', model: 'sim-small', status: 200, authorization: 'present' },
      ],
    );
    assert.equal(chat?.promptTokens, estimateTokens('You are terse.\nName three rivers of Europe'));
    assert.equal(chat?.completionTokens, Math.ceil(expectedContent('sim-small').length / 4));
    assert.equal(embeddings?.bodyHash, createHash('sha256').update(raw).digest('hex'));
    assert.equal(embeddings?.completionTokens, 0);
    assert.ok(legacy && legacy.at >= (chat?.at ?? Infinity));
    assert.equal(JSON.stringify(sim.log).includes(API_KEY), false);
    assert.equal(JSON.stringify(sim.log).includes('SECRET'), false);
  });

  it('counts peak in-flight requests and connections', async (t) => {
    const sim = await simulatorFor(t, { latencyMs: 100 });
    const client = clientFor(sim);
    await Promise.all([1, 2, 3, 4, 5].map(() => client.chat.completions.create({ model: 'sim-small', messages })));

    const stats = sim.stats();
    assert.equal(stats.requests, 5);
    assert.deepEqual(stats.byStatus, { 200: 5 });
    assert.equal(stats.peakInFlight, 5);
    assert.equal(stats.inFlight, 0);
    assert.equal(stats.connectionsOpened, 5);
    assert.equal(stats.clientClosedInFlight, 0);
  });

  it('waits latencyMs before answering', async (t) => {
    const sim = await simulatorFor(t, { latencyMs: 120 });
    const started = performance.now();
    await clientFor(sim).chat.completions.create({ model: 'sim-small', messages });
    assert.ok(performance.now() - started >= 115, 'answered before the latency');
  });

  it('changes faults at run time with configure(), and starts over with reset()', async (t) => {
    const sim = await simulatorFor(t);
    const status = async () => (await post(sim, '/chat/completions', { model: 'sim-small', messages })).status;

    assert.equal(await status(), 200);
    sim.configure({ rate500: 1 });
    assert.equal(await status(), 500);
    sim.configure({ rate500: 0, rate503: 1 });
    assert.equal(await status(), 503);
    sim.configure({ rate503: 0 });
    assert.equal(await status(), 200);
    assert.deepEqual(sim.stats().faults, { 500: 1, 503: 1 });

    sim.reset();
    assert.equal(sim.log.length, 0);
    assert.deepEqual(sim.stats().byStatus, {});
    assert.equal(await status(), 200);
    assert.deepEqual(
      sim.log.map((e) => e.n),
      [1],
    );
    assert.throws(() => sim.configure({ rate429: 1.5 }), { name: 'SluiceConfigError', message: 'Expected `rate429` to be a number from 0 to 1, got `1.5`' });
  });

  it('refuses fault rates that add up to more than 1', async () => {
    await assert.rejects(startSimulator({ rate429: 0.75, rate500: 0.5 }), (error: unknown) => {
      assert.ok(error instanceof SluiceConfigError);
      assert.match(error.message, /^Expected the fault rates to add up to at most 1, got `1.25`/);
      return true;
    });
  });
});
