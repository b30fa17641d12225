import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimitWindow } from '../../../lib/llm/simulator/rate-limit-window.ts';

describe('RateLimitWindow', () => {
  it('admits rpm requests per sliding window and says when the next one fits', () => {
    const window = new RateLimitWindow({ rpm: 2, windowMs: 1000 });
    assert.deepEqual(window.admit(0, 1), { ok: true });
    assert.deepEqual(window.admit(400, 1), { ok: true });
    assert.deepEqual(window.admit(900, 1), { ok: false, kind: 'requests', limit: 2, used: 2, requested: 1, retryAfterMs: 100 });
    // At 1000 the request from 0 has left the window (which holds times after now - 1000).
    assert.deepEqual(window.admit(1000, 1), { ok: true });
    assert.deepEqual(window.admit(1001, 1), { ok: false, kind: 'requests', limit: 2, used: 2, requested: 1, retryAfterMs: 399 });
  });

  it('admits tokens up to tpm and waits for enough old requests to leave', () => {
    const window = new RateLimitWindow({ tpm: 100, windowMs: 60_000 });
    assert.deepEqual(window.admit(0, 40), { ok: true });
    assert.deepEqual(window.admit(10, 40), { ok: true });
    assert.deepEqual(window.admit(20, 50), { ok: false, kind: 'tokens', limit: 100, used: 80, requested: 50, retryAfterMs: 59_980 });
    assert.deepEqual(window.admit(20, 500), { ok: false, kind: 'tokens', limit: 100, used: 80, requested: 500, retryAfterMs: 60_000 });
    assert.deepEqual(window.admit(20, 20), { ok: true });
  });

  it("writes OpenAI's x-ratelimit headers, and none for a limit that is not set", () => {
    const window = new RateLimitWindow({ rpm: 60, tpm: 1000, windowMs: 60_000 });
    assert.deepEqual(window.headers(0), {
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-remaining-requests': '60',
      'x-ratelimit-reset-requests': '0s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '1000',
      'x-ratelimit-reset-tokens': '0s',
    });
    window.admit(0, 250);
    window.admit(20_000, 250);
    assert.deepEqual(window.headers(20_000), {
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-remaining-requests': '58',
      'x-ratelimit-reset-requests': '1m0s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '500',
      'x-ratelimit-reset-tokens': '1m0s',
    });
    assert.deepEqual(new RateLimitWindow({ rpm: 5, windowMs: 1000 }).headers(0)['x-ratelimit-limit-tokens'], undefined);
    assert.equal(new RateLimitWindow({ windowMs: 1000 }).enforcing, false);
  });

  it('keeps counting correctly across many requests (the queue compacts)', () => {
    const window = new RateLimitWindow({ rpm: 10, windowMs: 100 });
    let admitted = 0;
    for (let t = 0; t < 10_000; t++) if (window.admit(t, 1).ok) admitted++;
    assert.equal(admitted, 10 * 100);
  });
});
