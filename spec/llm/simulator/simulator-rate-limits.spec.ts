import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import OpenAI from 'openai';
import { clientFor, post, simulatorFor } from './simulator-helpers.ts';

const request = { model: 'sim-small', messages: [{ role: 'user' as const, content: 'Summarise the history of the Danube' }] };
const RESET = /^(\d+ms|(\d+h)?(\d+m)?\d+(\.\d+)?s)$/;

describe('startSimulator: rpm and tpm enforcement', () => {
  it('never lets more than rpm requests through in any window, and answers the rest 429 with the x-ratelimit headers', async (t) => {
    // Time moves only when the test says: 100 requests, one every 20 ms of simulated time, about two windows.
    let clock = 1_000_000;
    const sim = await simulatorFor(t, { rpm: 30, windowMs: 1000, now: () => clock });
    const responses = [];
    for (let i = 0; i < 100; i++) {
      clock = 1_000_000 + i * 20;
      const response = await post(sim, '/chat/completions', request);
      responses.push({ status: response.status, headers: response.headers, body: (await response.json()) as { error?: { type: string; code: string } } });
    }

    const ok = sim.log.filter((e) => e.status === 200).map((e) => e.at);
    for (const start of ok) {
      const inWindow = ok.filter((at) => at >= start && at < start + 1000).length;
      assert.ok(inWindow <= 30, `${inWindow} answers in the 1000 ms from ${start}`);
    }
    // Sliding: 30 in [0, 580], then 30 more from 1000, then from 2000 to the end at 1980: 60 in all.
    assert.equal(ok.length, 60);
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

  it('keeps its limits to itself with announceLimits: false: no x-ratelimit headers, retry-after in whole seconds only', async (t) => {
    const sim = await simulatorFor(t, { rpm: 1, windowMs: 1000, announceLimits: false, now: () => 5_000 });
    const first = await post(sim, '/chat/completions', request);
    await first.arrayBuffer();
    const second = await post(sim, '/chat/completions', request);
    await second.arrayBuffer();
    assert.deepEqual([first.status, second.status], [200, 429]);
    for (const response of [first, second]) {
      assert.deepEqual(
        [...response.headers.keys()].filter((k) => k.startsWith('x-ratelimit')),
        [],
      );
    }
    assert.equal(second.headers.get('retry-after'), '1');
    assert.equal(second.headers.get('retry-after-ms'), null);
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
    assert.deepEqual(
      remaining,
      statuses.map((_, i) => String(100 - perRequest * Math.min(i + 1, fits))),
    );
    assert.equal(sim.log[fits]?.limited, 'tokens');
  });
});
