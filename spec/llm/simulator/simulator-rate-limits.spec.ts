import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import OpenAI from 'openai';
import { clientFor, post, simulatorFor } from './simulator-helpers.ts';

const request = { model: 'sim-small', messages: [{ role: 'user' as const, content: 'Summarise the history of the Danube' }] };
const RESET = /^(\d+ms|(\d+h)?(\d+m)?\d+(\.\d+)?s)$/;

describe('startSimulator: rpm and tpm enforcement', () => {
  it('never lets more than rpm requests through in any window, and answers the rest 429 with the x-ratelimit headers', async (t) => {
    const sim = await simulatorFor(t, { rpm: 30, windowMs: 1000 });
    // 100 requests, one every 20 ms: about 2 s, so the window slides about twice.
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        new Promise((resolve) => setTimeout(resolve, i * 20)).then(async () => {
          const response = await post(sim, '/chat/completions', request);
          return { status: response.status, headers: response.headers, body: (await response.json()) as { error?: { type: string; code: string } } };
        })),
    );

    const ok = sim.log.filter((e) => e.status === 200).map((e) => e.at);
    for (const start of ok) {
      const inWindow = ok.filter((at) => at >= start && at < start + 1000).length;
      assert.ok(inWindow <= 30, `${inWindow} answers in the 1000 ms from ${start}`);
    }
    assert.ok(ok.length >= 45, `only ${ok.length} requests went through; the window does not slide`);
    const limited = responses.filter((r) => r.status === 429);
    assert.equal(ok.length + limited.length, 100);
    assert.equal(sim.stats().limited, limited.length);
    assert.deepEqual(new Set(sim.log.filter((e) => e.status === 429).map((e) => e.limited)), new Set(['requests']));

    for (const { status, headers, body } of responses) {
      assert.equal(headers.get('x-ratelimit-limit-requests'), '30');
      assert.match(headers.get('x-ratelimit-reset-requests') ?? '', RESET);
      assert.equal(headers.get('x-ratelimit-limit-tokens'), null, 'no tpm was set');
      if (status !== 429) continue;
      assert.equal(headers.get('x-ratelimit-remaining-requests'), '0');
      assert.equal(headers.get('retry-after'), '1');
      assert.ok(Number(headers.get('retry-after-ms')) <= 1000);
      assert.equal(body.error?.type, 'requests');
      assert.equal(body.error?.code, 'rate_limit_exceeded');
    }
  });

  it('counts down x-ratelimit-remaining-requests and gives the wait in retry-after', async (t) => {
    const sim = await simulatorFor(t, { rpm: 3 });
    const client = clientFor(sim);
    const remaining = [];
    for (let i = 0; i < 3; i++) {
      const { response } = await client.chat.completions.create(request).withResponse();
      remaining.push(response.headers.get('x-ratelimit-remaining-requests'));
    }
    const error = await client.chat.completions.create(request).catch((e: unknown) => e);

    assert.deepEqual(remaining, ['2', '1', '0']);
    assert.ok(error instanceof OpenAI.RateLimitError);
    // The first request leaves the 60 s window in just under 60 s.
    assert.equal(error.headers.get('retry-after'), '60');
    assert.match(error.headers.get('x-ratelimit-reset-requests') ?? '', /^59(\.\d+)?s$|^1m0s$/);
    assert.match(error.message, /^429 Rate limit reached for sim-small in the Sluice simulator on requests per min \(RPM\): Limit 3, Used 3, Requested 1\./);
  });

  it('limits tokens per window by prompt and completion estimate', async (t) => {
    const sim = await simulatorFor(t, { tpm: 100 });
    const statuses = [];
    const remaining = [];
    for (let i = 0; i < 6; i++) {
      const response = await post(sim, '/chat/completions', request);
      await response.arrayBuffer();
      statuses.push(response.status);
      remaining.push(response.headers.get('x-ratelimit-remaining-tokens'));
    }

    const perRequest = (sim.log[0]?.promptTokens ?? 0) + (sim.log[0]?.completionTokens ?? 0);
    const fits = Math.floor(100 / perRequest);
    assert.deepEqual(statuses, [...Array<number>(fits).fill(200), ...Array<number>(6 - fits).fill(429)]);
    assert.deepEqual(remaining, statuses.map((_, i) => String(100 - perRequest * Math.min(i + 1, fits))));
    assert.equal(sim.log[fits]?.limited, 'tokens');
  });
});
