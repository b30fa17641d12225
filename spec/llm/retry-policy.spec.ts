import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import OpenAI from 'openai';
import { SluiceConfigError } from '../../lib/core/errors.ts';
import { LlmAbortError, LlmBadResponseError, LlmConnectionError, LlmFinishReasonError, LlmHttpError, LlmTimeoutError } from '../../lib/llm/llm-errors.ts';
import { classify, RetryPolicy, type Classification } from '../../lib/llm/retry-policy.ts';

const status = (code: number, headers: Record<string, string> = {}) => OpenAI.APIError.generate(code, { message: 'x' }, undefined, new Headers(headers));
const networkError = (code: string) => new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });
// Jitter pinned to its top, so the backoff is the full exponential bound.
const top = { random: () => 0.999_999_999, now: () => Date.parse('2026-01-01T00:00:00Z') };

describe('classify', () => {
  const table: [string, unknown, Classification][] = [
    [
      '429 with retry-after-ms',
      status(429, { 'retry-after-ms': '1500' }),
      { retry: true, delayMs: 1500, reason: 'rate-limit', status: 429, retryAfterMs: 1500 },
    ],
    [
      '429 with retry-after seconds',
      status(429, { 'retry-after': '2' }),
      { retry: true, delayMs: 2000, reason: 'rate-limit', status: 429, retryAfterMs: 2000 },
    ],
    [
      '429 with retry-after as an HTTP date',
      status(429, { 'retry-after': 'Thu, 01 Jan 2026 00:00:07 GMT' }),
      { retry: true, delayMs: 7000, reason: 'rate-limit', status: 429, retryAfterMs: 7000 },
    ],
    [
      '429 with retry-after above the cap',
      status(429, { 'retry-after': '3600' }),
      { retry: true, delayMs: 60_000, reason: 'rate-limit', status: 429, retryAfterMs: 3_600_000 },
    ],
    ['429 without retry-after', status(429), { retry: true, delayMs: 499, reason: 'rate-limit', status: 429 }],
    ['408', status(408), { retry: true, delayMs: 499, reason: 'request-timeout', status: 408 }],
    ['409', status(409), { retry: true, delayMs: 499, reason: 'conflict', status: 409 }],
    ['500', status(500), { retry: true, delayMs: 499, reason: 'server-error', status: 500 }],
    ['503 with retry-after', status(503, { 'retry-after': '1' }), { retry: true, delayMs: 1000, reason: 'server-error', status: 503, retryAfterMs: 1000 }],
    ['500 with x-should-retry: false', status(500, { 'x-should-retry': 'false' }), { retry: false, delayMs: 0, reason: 'server-says-no-retry', status: 500 }],
    ['400 with x-should-retry: true', status(400, { 'x-should-retry': 'true' }), { retry: true, delayMs: 499, reason: 'server-says-retry', status: 400 }],
    ['400', status(400), { retry: false, delayMs: 0, reason: 'client-error', status: 400 }],
    ['401', status(401), { retry: false, delayMs: 0, reason: 'auth', status: 401 }],
    ['403', status(403), { retry: false, delayMs: 0, reason: 'auth', status: 403 }],
    ['404', status(404), { retry: false, delayMs: 0, reason: 'client-error', status: 404 }],
    ['422', status(422), { retry: false, delayMs: 0, reason: 'client-error', status: 422 }],
    ['SDK connection error', new OpenAI.APIConnectionError({ message: 'Connection error.' }), { retry: true, delayMs: 499, reason: 'connection' }],
    ['SDK connection timeout', new OpenAI.APIConnectionTimeoutError(), { retry: true, delayMs: 499, reason: 'timeout' }],
    ['SDK user abort', new OpenAI.APIUserAbortError(), { retry: false, delayMs: 0, reason: 'aborted' }],
    ['fetch failed: ECONNRESET', networkError('ECONNRESET'), { retry: true, delayMs: 499, reason: 'connection' }],
    ['fetch failed: ECONNREFUSED', networkError('ECONNREFUSED'), { retry: true, delayMs: 499, reason: 'unreachable' }],
    ['fetch failed: ENOTFOUND', networkError('ENOTFOUND'), { retry: true, delayMs: 499, reason: 'unreachable' }],
    ['a 200 body that is not JSON', new SyntaxError('Unexpected end of JSON input'), { retry: true, delayMs: 499, reason: 'bad-response' }],
    ['a 200 body without choices', new LlmBadResponseError('no choices', { llm: 'a', status: 200 }), { retry: true, delayMs: 499, reason: 'bad-response' }],
    ['fetch failed: UND_ERR_SOCKET', networkError('UND_ERR_SOCKET'), { retry: true, delayMs: 499, reason: 'connection' }],
    ['fetch failed: UND_ERR_HEADERS_TIMEOUT', networkError('UND_ERR_HEADERS_TIMEOUT'), { retry: true, delayMs: 499, reason: 'timeout' }],
    ['a DOMException TimeoutError', new DOMException('timed out', 'TimeoutError'), { retry: true, delayMs: 499, reason: 'timeout' }],
    ['a DOMException AbortError', new DOMException('aborted', 'AbortError'), { retry: false, delayMs: 0, reason: 'aborted' }],
    ['Sluice timeout', new LlmTimeoutError('slow', { llm: 'a' }), { retry: true, delayMs: 499, reason: 'timeout' }],
    ['Sluice connection error', new LlmConnectionError('gone', { llm: 'a' }), { retry: true, delayMs: 499, reason: 'connection' }],
    ['Sluice 502', new LlmHttpError('bad gateway', { llm: 'a', status: 502 }), { retry: true, delayMs: 499, reason: 'server-error', status: 502 }],
    ['Sluice abort', new LlmAbortError('stop', { llm: 'a' }), { retry: false, delayMs: 0, reason: 'aborted' }],
    [
      'Sluice finish reason',
      new LlmFinishReasonError('cut', { llm: 'a', status: 200, finishReason: 'length', response: {} }),
      { retry: false, delayMs: 0, reason: 'finish-reason' },
    ],
    ['a plain bug', new RangeError('oops'), { retry: false, delayMs: 0, reason: 'unknown' }],
    ['a thrown string', 'oops', { retry: false, delayMs: 0, reason: 'unknown' }],
  ];
  for (const [name, error, expected] of table) {
    it(`classifies ${name}`, () => {
      assert.deepEqual(classify(error, 1, top), expected);
    });
  }

  it('doubles the backoff bound per attempt and caps it at maxDelayMs', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => classify(status(500), attempt, { random: () => 0.5 }).delayMs);
    assert.deepEqual(delays, [250, 500, 1000, 2000, 4000, 8000, 15_000, 15_000]);
  });

  it('draws the whole delay from the jitter (full jitter), down to 0', () => {
    assert.equal(classify(status(503), 3, { random: () => 0 }).delayMs, 0);
  });
});

describe('RetryPolicy', () => {
  it('allows retries until the attempt limit, then stops with stop: "attempts"', () => {
    const policy = new RetryPolicy({ maxAttempts: 3, random: () => 0 });
    policy.recordCall();
    assert.equal(policy.decide(status(500), 1).retry, true);
    assert.equal(policy.decide(status(500), 2).retry, true);
    assert.deepEqual(policy.decide(status(500), 3), { retry: false, delayMs: 0, reason: 'server-error', status: 500, stop: 'attempts' });
    assert.equal(policy.snapshot().retries, 2);
  });

  it('stops retrying when retries would exceed ratio × calls + minRetries', () => {
    const policy = new RetryPolicy({ budget: { ratio: 0.5, minRetries: 1 }, random: () => 0 });
    for (let i = 0; i < 4; i++) policy.recordCall(); // Budget: 0.5 × 4 + 1 = 3 retries.
    const decisions = [1, 2, 3, 4].map(() => policy.decide(status(503), 1));
    assert.deepEqual(
      decisions.map((d) => d.retry),
      [true, true, true, false],
    );
    assert.equal(decisions[3]!.stop, 'budget');
    assert.deepEqual(policy.snapshot(), { calls: 4, retries: 3, budgetLeft: 0 });
  });

  it('never spends the budget or the attempts on a 429, or on a server that is not there', () => {
    const policy = new RetryPolicy({ maxAttempts: 2, budget: { ratio: 0, minRetries: 0 }, random: () => 0 });
    policy.recordCall();
    for (let n = 1; n <= 20; n++) {
      assert.equal(policy.decide(status(429, { 'retry-after': '1' }), n).retry, true);
      assert.equal(policy.decide(networkError('ECONNREFUSED'), n).retry, true);
    }
    assert.deepEqual(policy.snapshot(), { calls: 1, retries: 0, budgetLeft: 0 });
    assert.equal(policy.decide(status(500), 1).stop, 'budget', 'the budget still stops a broken server');
  });

  it('does not spend budget on errors that are not retried', () => {
    const policy = new RetryPolicy({ budget: { ratio: 0, minRetries: 1 } });
    policy.recordCall();
    assert.equal(policy.decide(status(400), 1).retry, false);
    assert.equal(policy.snapshot().budgetLeft, 1);
  });

  it('retries without limit from the budget when the budget is off', () => {
    const policy = new RetryPolicy({ budget: false, maxAttempts: 1000, random: () => 0 });
    const retried = Array.from({ length: 500 }, (_, i) => policy.decide(status(500), i + 1).retry);
    assert.equal(retried.every(Boolean), true);
  });

  it('caps retry-after at its own maxRetryAfterMs', () => {
    const policy = new RetryPolicy({ maxRetryAfterMs: 5000 });
    policy.recordCall();
    assert.equal(policy.decide(status(429, { 'retry-after': '120' }), 1).delayMs, 5000);
  });

  it('says what it expected when an option is out of range', () => {
    assert.throws(() => new RetryPolicy({ maxAttempts: 0 }), new SluiceConfigError('Expected `maxAttempts` to be an integer from 1 and up, got `0`'));
    assert.throws(() => new RetryPolicy({ factor: 0.5 }), new SluiceConfigError('Expected `factor` to be a number from 1 and up, got `0.5`'));
    assert.throws(() => new RetryPolicy({ budget: { ratio: -1 } }), new SluiceConfigError('Expected `budget.ratio` to be a number from 0 and up, got `-1`'));
  });
});
