import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { lazyLlm } from '../../lib/config/lazy-llm.ts';
import { parseDefinition } from '../../lib/config/parse-definition.ts';
import { startSimulator, type Simulator } from '../../lib/llm/simulator/index.ts';

// createLlm falls back on process.env: these checks mean something only where it has no endpoint.
const noEndpoint = !process.env.OPENAI_BASE_URL && !process.env.OPENAI_API_KEY;

describe('lazyLlm', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator();
  });
  after(() => sim.close());

  it('knows its name, model, params and options before any client exists, and never shows the key', () => {
    const llm = lazyLlm({ name: 'writer', model: 'sim-small', apiKey: 'sk-SECRET', params: { temperature: 0.1 }, rpm: 60 });
    assert.deepEqual([llm.name, llm.model, llm.params], ['writer', 'sim-small', { temperature: 0.1 }]);
    assert.deepEqual(llm.options, { name: 'writer', model: 'sim-small', params: { temperature: 0.1 }, rpm: 60 });
    assert.equal(llm.usage.snapshot().calls, 0);
  });

  it('creates the client on the first call, then counts usage and forwards events', async () => {
    const llm = lazyLlm({ name: 'writer', model: 'sim-small', baseURL: sim.url, apiKey: 'sk-test' });
    const events: string[] = [];
    llm.events.subscribe((event) => events.push(event.type));
    const result = await llm.chat({ messages: [{ role: 'user', content: 'Is 7 prime?' }] });
    assert.match(String(result.response.choices[0]!.message.content), /^\[sim:sim-small\] answer to: Is 7 prime\?/);
    assert.equal(llm.usage.snapshot().requests, 1);
    assert.deepEqual(events, ['request', 'response']);
    await llm.close();
  });

  it('fails on the first call, not before, when nothing is configured', { skip: !noEndpoint && 'OPENAI_* is set in this environment' }, async () => {
    const llm = lazyLlm({ model: 'sim-small' });
    await assert.rejects(llm.chat({ messages: [{ role: 'user', content: 'hi' }] }), { code: 'SLUICE_LLM_NOT_CONFIGURED' });
  });

  it('lets a definition load with no endpoint when lazy, and fails the load when eager', {
    skip: !noEndpoint && 'OPENAI_* is set in this environment',
  }, async () => {
    const text = 'name: qa\nllms: { writer: { model: m } }\nsteps:\n  - generate: { llm: writer, prompt: hi }\n';
    const lazy = await parseDefinition(text, { env: {}, llms: 'lazy' });
    assert.equal(lazy.steps[0]!.params.llm, 'writer');
    await assert.rejects(parseDefinition(text, { env: {} }), { code: 'SLUICE_LLM_NOT_CONFIGURED' });
  });
});
