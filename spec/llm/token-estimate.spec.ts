import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SluiceConfigError } from '../../lib/core/errors.ts';
import { TokenEstimator } from '../../lib/llm/token-estimate.ts';

describe('TokenEstimator', () => {
  it('counts prompt tokens as characters / 4 plus 4 per chat message, and half of max_tokens before any completion', () => {
    const estimator = new TokenEstimator();
    const estimate = estimator.estimate({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'What is the capital of France?' }] },
      ],
      max_tokens: 100,
    });
    // 9 + 30 characters → 10 tokens, + 2 messages × 4.
    assert.deepEqual(estimate, { prompt: 18, completion: 50, total: 68 });
  });

  it('guesses 256 completion tokens when the request sets no max_tokens', () => {
    assert.deepEqual(new TokenEstimator().estimate({ prompt: 'Once upon a time' }), { prompt: 4, completion: 256, total: 260 });
  });

  it('moves to the average of observed completions', () => {
    const estimator = new TokenEstimator();
    estimator.observe(10);
    estimator.observe(30);
    assert.equal(estimator.estimate({ prompt: '' }).completion, 20);
  });

  it('averages only the last `window` completions', () => {
    const estimator = new TokenEstimator({ window: 3 });
    for (const tokens of [1000, 1000, 1000, 10, 20, 30]) estimator.observe(tokens);
    assert.equal(estimator.averageCompletionTokens, 20);
  });

  it('never guesses more than the request allows, and multiplies by n', () => {
    const estimator = new TokenEstimator();
    estimator.observe(500);
    assert.equal(estimator.estimate({ prompt: '', max_tokens: 64 }).completion, 64);
    assert.equal(estimator.estimate({ prompt: '', max_completion_tokens: 32, n: 3 }).completion, 96);
  });

  it('gives embeddings no completion, and counts token-id inputs one token each', () => {
    const estimator = new TokenEstimator();
    assert.deepEqual(estimator.estimate({ input: ['abcd', 'efgh'] }), { prompt: 2, completion: 0, total: 2 });
    assert.deepEqual(estimator.estimate({ input: [1, 2, 3] }), { prompt: 3, completion: 0, total: 3 });
  });

  it('ignores observations that are not counts', () => {
    const estimator = new TokenEstimator();
    estimator.observe(Number.NaN);
    estimator.observe(-1);
    assert.equal(estimator.averageCompletionTokens, undefined);
  });

  it('says what it expected when the window is not a positive integer', () => {
    assert.throws(() => new TokenEstimator({ window: 0 }), new SluiceConfigError('Expected `window` to be an integer from 1 and up, got `0`'));
  });
});
