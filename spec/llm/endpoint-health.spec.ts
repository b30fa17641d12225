import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EndpointHealth } from '../../lib/llm/endpoint-health.ts';
import { LlmAuthError, LlmUnavailableError } from '../../lib/llm/llm-errors.ts';

describe('EndpointHealth', () => {
  it('counts a server as down only after refusing connections for unreachableAfterMs with no answer between', () => {
    let now = 0;
    const health = new EndpointHealth({ unreachableAfterMs: 10_000, clock: { now: () => now } });
    assert.equal(health.unreachable(), false);
    now = 9_000;
    assert.equal(health.unreachable(), false);
    assert.equal(health.unreachableMsLeft(), 1_000);
    health.answered(500); // It came back, if only to fail.
    now = 15_000;
    assert.equal(health.unreachable(), false, 'the streak starts over after an answer');
    now = 25_000;
    assert.equal(health.unreachable(), true);
  });

  it('counts the quota as spent after nothing but 429s for maxRateLimitedMs', () => {
    let now = 0;
    const health = new EndpointHealth({ maxRateLimitedMs: 60_000, clock: { now: () => now } });
    assert.equal(health.rateLimited(), false);
    now = 59_999;
    assert.equal(health.rateLimited(), false);
    health.answered(200);
    now = 100_000;
    assert.equal(health.rateLimited(), false);
    now = 160_000;
    assert.equal(health.rateLimited(), true);
  });

  it('keeps the first fatal error', () => {
    const health = new EndpointHealth();
    const auth = new LlmAuthError('refused', { llm: 'a', status: 401 });
    assert.equal(health.trip(auth), auth);
    assert.equal(health.trip(new LlmUnavailableError('down', { llm: 'a' })), auth);
    assert.equal(health.fatal, auth);
  });
});
