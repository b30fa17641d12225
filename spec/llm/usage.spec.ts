import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PriceTable } from '../../lib/llm/prices.ts';
import { Usage } from '../../lib/llm/usage.ts';

describe('Usage', () => {
  it('starts at zero, and says whether its model is priced', () => {
    assert.deepEqual(new Usage({ llm: 'judge', model: 'gpt-4o-mini' }).snapshot(), {
      llm: 'judge',
      model: 'gpt-4o-mini',
      calls: 0,
      requests: 0,
      responses: 0,
      retries: 0,
      rateLimited: 0,
      errors: 0,
      cacheHits: 0,
      promptTokens: 0,
      cachedPromptTokens: 0,
      completionTokens: 0,
      totalTokens: 0,
      costUsd: 0,
      priced: true,
    });
    assert.equal(new Usage({ llm: 'local', model: 'qwen3-8b' }).snapshot().priced, false);
  });

  it('counts calls, requests, retries, 429s, errors and cache hits', () => {
    const usage = new Usage({ llm: 'a', model: 'gpt-4o' });
    usage.recordCall();
    usage.recordRequest();
    usage.recordRateLimited();
    usage.recordRetry();
    usage.recordRequest();
    usage.recordError();
    usage.recordCacheHit();
    const { calls, requests, retries, rateLimited, errors, cacheHits } = usage.snapshot();
    assert.deepEqual(
      { calls, requests, retries, rateLimited, errors, cacheHits },
      { calls: 1, requests: 2, retries: 1, rateLimited: 1, errors: 1, cacheHits: 1 },
    );
  });

  it('adds up tokens and cost per response', () => {
    const usage = new Usage({ llm: 'a', model: 'm', prices: new PriceTable({ m: { input: 1, output: 4 } }) });
    usage.recordResponse('m', { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 });
    usage.recordResponse('m', { prompt_tokens: 2000, completion_tokens: 0, prompt_tokens_details: { cached_tokens: 1000 } });
    const { responses, promptTokens, cachedPromptTokens, completionTokens, totalTokens, costUsd, priced } = usage.snapshot();
    assert.deepEqual(
      { responses, promptTokens, cachedPromptTokens, completionTokens, totalTokens, costUsd, priced },
      { responses: 2, promptTokens: 3000, cachedPromptTokens: 1000, completionTokens: 500, totalTokens: 3500, costUsd: 0.005, priced: true },
    );
  });

  it('flags the total unpriced once any response was on an unknown model', () => {
    const usage = new Usage({ llm: 'a', model: 'gpt-4o-mini' });
    usage.recordResponse('gpt-4o-mini', { prompt_tokens: 1_000_000, completion_tokens: 0 });
    usage.recordResponse('mystery', { prompt_tokens: 10, completion_tokens: 10 });
    assert.deepEqual({ costUsd: usage.snapshot().costUsd, priced: usage.snapshot().priced }, { costUsd: 0.15, priced: false });
  });

  it('counts a response without usage as a response with no tokens', () => {
    const usage = new Usage({ llm: 'a', model: 'gpt-4o' });
    usage.recordResponse('gpt-4o', undefined);
    assert.deepEqual({ responses: usage.snapshot().responses, totalTokens: usage.snapshot().totalTokens }, { responses: 1, totalTokens: 0 });
  });

  it('makes a snapshot that survives JSON unchanged', () => {
    const usage = new Usage({ llm: 'a', model: 'gpt-4o' });
    usage.recordResponse('gpt-4o', { prompt_tokens: 3, completion_tokens: 4 });
    const snapshot = usage.snapshot();
    assert.deepEqual(JSON.parse(JSON.stringify(snapshot)), snapshot);
  });
});
