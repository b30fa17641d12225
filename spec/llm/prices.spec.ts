import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SluiceConfigError } from '../../lib/core/errors.ts';
import { PriceTable } from '../../lib/llm/prices.ts';

describe('PriceTable', () => {
  it('prices a known model per million input and output tokens', () => {
    assert.deepEqual(new PriceTable().cost('gpt-4o-mini', { promptTokens: 2_000_000, completionTokens: 1_000_000 }), { usd: 0.9, priced: true });
  });

  it('prices cached prompt tokens at the cached rate', () => {
    const { usd } = new PriceTable().cost('gpt-4o', { promptTokens: 1_000_000, cachedPromptTokens: 400_000, completionTokens: 0 });
    assert.equal(usd, 0.6 * 2.5 + 0.4 * 1.25);
  });

  it('finds dated and provider-prefixed ids under the plain model id', () => {
    const table = new PriceTable();
    assert.equal(table.get('gpt-4o-2024-08-06'), table.get('gpt-4o'));
    assert.equal(table.get('openai/gpt-4o-mini'), table.get('gpt-4o-mini'));
  });

  it('does not price a model by the prefix of another', () => {
    assert.equal(new PriceTable().get('gpt-4o-mini-tts-custom'), undefined);
  });

  it('costs an unknown model 0 and flags it unpriced', () => {
    assert.deepEqual(new PriceTable().cost('llama-3.1-8b', { promptTokens: 100, completionTokens: 100 }), { usd: 0, priced: false });
  });

  it('lets the user override a price and add a model', () => {
    const table = new PriceTable({ 'gpt-4o-mini': { input: 1, output: 2 }, 'llama-3.1-8b': { input: 0.05, output: 0.08 } });
    assert.deepEqual(table.cost('gpt-4o-mini', { promptTokens: 1_000_000, completionTokens: 1_000_000 }), { usd: 3, priced: true });
    assert.deepEqual(table.cost('llama-3.1-8b', { promptTokens: 1_000_000, completionTokens: 0 }), { usd: 0.05, priced: true });
    assert.equal(PriceTable.defaults['gpt-4o-mini']!.input, 0.15);
  });

  it('says what it expected when a price is not a non-negative number', () => {
    assert.throws(
      () => new PriceTable({ mine: { input: -1, output: 0 } }),
      new SluiceConfigError("Expected `prices['mine'].input` to be a number from 0 and up (USD per 1M tokens), got `-1`"),
    );
  });
});
