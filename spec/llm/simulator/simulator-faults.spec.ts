import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import OpenAI from 'openai';
import { pickFault } from '../../../lib/llm/simulator/pick-fault.ts';
import { clientFor, post, simulatorFor, until } from './simulator-helpers.ts';

const request = { model: 'sim-small', messages: [{ role: 'user' as const, content: 'Describe the water cycle in a few short sentences' }] };

describe('startSimulator: injected faults, as the openai SDK sees them', () => {
  it('answers 429 with a readable retry-after and retry-after-ms', async (t) => {
    const sim = await simulatorFor(t, { rate429: 1, retryAfterSeconds: 2 });
    const error = await clientFor(sim)
      .chat.completions.create(request)
      .catch((e: unknown) => e);

    assert.ok(error instanceof OpenAI.RateLimitError);
    assert.equal(error.status, 429);
    assert.equal(error.headers.get('retry-after'), '2');
    assert.equal(error.headers.get('retry-after-ms'), '2000');
    assert.equal(error.code, 'rate_limit_exceeded');
    assert.equal(error.headers.get('x-sluice-simulated'), '1');
    assert.deepEqual(
      sim.log.map((e) => [e.status, e.fault]),
      [[429, '429']],
    );
  });

  it('answers 500 and 503 as InternalServerError with those statuses', async (t) => {
    const sim = await simulatorFor(t, { faults: ({ n }) => (n === 1 ? '500' : '503') });
    const client = clientFor(sim);
    const first = await client.chat.completions.create(request).catch((e: unknown) => e);
    const second = await client.chat.completions.create(request).catch((e: unknown) => e);

    assert.ok(first instanceof OpenAI.InternalServerError);
    assert.equal(first.status, 500);
    assert.ok(second instanceof OpenAI.InternalServerError);
    assert.equal(second.status, 503);
    assert.deepEqual(sim.stats().byStatus, { 500: 1, 503: 1 });
  });

  it('resets the connection, which the SDK reports as APIConnectionError and the stats not as a client close', async (t) => {
    const sim = await simulatorFor(t, { rateReset: 1 });
    const error = await clientFor(sim)
      .chat.completions.create(request)
      .catch((e: unknown) => e);

    assert.ok(error instanceof OpenAI.APIConnectionError);
    assert.equal(error instanceof OpenAI.APIConnectionTimeoutError, false);
    assert.deepEqual(
      sim.log.map((e) => [e.status, e.fault]),
      [[null, 'reset']],
    );
    assert.equal(sim.stats().clientClosedInFlight, 0);
  });

  it('hangs until the client aborts, and counts the abort as a connection the client closed', async (t) => {
    const sim = await simulatorFor(t, { rateHang: 1 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await clientFor(sim)
      .chat.completions.create(request, { signal: controller.signal })
      .catch((e: unknown) => e);

    assert.ok(error instanceof OpenAI.APIUserAbortError);
    await until(() => sim.stats().clientClosedInFlight === 1);
    assert.equal(sim.stats().inFlight, 0);
    assert.deepEqual(
      sim.log.map((e) => [e.status, e.fault, e.clientClosed]),
      [[null, 'hang', true]],
    );
  });

  it("hangs until the client's timeout, which the SDK reports as APIConnectionTimeoutError", async (t) => {
    const sim = await simulatorFor(t, { rateHang: 1 });
    const error = await clientFor(sim, { timeout: 150 })
      .chat.completions.create(request)
      .catch((e: unknown) => e);

    assert.ok(error instanceof OpenAI.APIConnectionTimeoutError);
    await until(() => sim.stats().clientClosedInFlight === 1);
  });

  it('ends hung requests on close(), without counting them as client closes', async (t) => {
    const sim = await simulatorFor(t, { rateHang: 1 });
    const pending = clientFor(sim)
      .chat.completions.create(request)
      .catch((e: unknown) => e);
    await until(() => sim.stats().inFlight === 1);
    await sim.close();

    assert.ok((await pending) instanceof OpenAI.APIConnectionError);
    assert.equal(sim.stats().clientClosedInFlight, 0);
  });

  it('sends a malformed body, which the SDK fails to parse, streaming or not', async (t) => {
    const sim = await simulatorFor(t, { rateMalformed: 1 });
    const client = clientFor(sim);
    const plain = await client.chat.completions.create(request).catch((e: unknown) => e);
    assert.ok(plain instanceof SyntaxError);

    const stream = await client.chat.completions.create({ ...request, stream: true });
    const streamed = await (async () => {
      for await (const _chunk of stream);
    })().catch((e: unknown) => e);
    assert.ok(streamed instanceof SyntaxError);
    assert.equal(streamed.message, 'Error reading response: malformed server-sent event JSON.');
    assert.deepEqual(sim.stats().byStatus, { 200: 2 });
  });

  it('truncates a stream midway: it ends without [DONE] and without a finish reason', async (t) => {
    const sim = await simulatorFor(t);
    const client = clientFor(sim);
    const collect = async () => {
      const chunks = [];
      for await (const chunk of await client.chat.completions.create({ ...request, stream: true })) chunks.push(chunk);
      return chunks;
    };
    const whole = await collect();
    sim.configure({ rateTruncated: 1 });
    const cut = await collect();

    assert.equal(cut.length, Math.floor(whole.length / 2));
    assert.deepEqual(
      cut.map((c) => c.choices),
      whole.slice(0, cut.length).map((c) => c.choices),
    );
    assert.equal(
      cut.some((c) => c.choices[0]?.finish_reason),
      false,
    );
  });

  it('truncates a plain body: half of the promised bytes, then the connection closes', async (t) => {
    const sim = await simulatorFor(t, { rateTruncated: 1 });
    const error = await clientFor(sim)
      .chat.completions.create(request)
      .catch((e: unknown) => e);

    // undici rejects the body read with `TypeError: terminated` (cause: UND_ERR_SOCKET); the SDK passes it on.
    assert.ok(error instanceof TypeError);
    assert.equal(error.message, 'terminated');
    assert.equal(sim.stats().clientClosedInFlight, 0);
    assert.deepEqual(
      sim.log.map((e) => [e.status, e.fault]),
      [[200, 'truncated']],
    );
  });

  it('draws faults from the rates with the seed and request counter, the same on every run', async (t) => {
    const rates = { rate429: 0.2, rate500: 0.1, rate503: 0.1 };
    const statuses = async () => {
      const sim = await simulatorFor(t, { ...rates, seed: 7 });
      for (let i = 0; i < 200; i++) await post(sim, '/chat/completions', request).then((r) => r.arrayBuffer());
      return sim.log.map((e) => e.status);
    };
    const expected = Array.from({ length: 200 }, (_, i) => {
      const fault = pickFault(i + 1, 7, { 429: 0.2, 500: 0.1, 503: 0.1 });
      return fault === undefined ? 200 : Number(fault);
    });

    const first = await statuses();
    assert.deepEqual(first, expected);
    assert.deepEqual(await statuses(), first);
    const count = (status: number) => first.filter((s) => s === status).length;
    // Loose bounds only to show the rates take effect; the exact sequence is checked above.
    assert.ok(count(429) > 20 && count(429) < 60, `429s: ${count(429)}`);
    assert.ok(count(500) > 5 && count(500) < 35, `500s: ${count(500)}`);
  });

  it('lets a faults hook script exact faults from the request, and falls back to the rates when it returns undefined', async (t) => {
    const sim = await simulatorFor(t, {
      rate503: 1,
      faults: ({ n, body, path }) => {
        if (path === '/v1/embeddings') return '429';
        if ((body as { model?: string }).model === 'flaky') return '500';
        return n === 2 ? '503' : n === 4 ? undefined : 'malformed';
      },
    });
    const statuses = [];
    for (const [path, body] of [
      ['/chat/completions', request],
      ['/chat/completions', request],
      ['/embeddings', { model: 'sim-embed', input: 'x' }],
      ['/chat/completions', request],
      ['/chat/completions', { ...request, model: 'flaky' }],
    ] as const) {
      statuses.push((await post(sim, path, body)).status);
    }

    assert.deepEqual(statuses, [200, 503, 429, 503, 500]);
    assert.deepEqual(
      sim.log.map((e) => e.fault),
      ['malformed', '503', '429', '503', '500'],
    );
  });
});
