import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SaveContext } from '../../lib/config/step-kind.ts';
import { stepRegistry } from '../../lib/config/step-registry.ts';
import type { AnyStep } from '../../lib/core/step.ts';
import { createLlm } from '../../lib/llm/client.ts';

const llm = createLlm({ model: 'agree', baseURL: 'http://127.0.0.1:9/v1', apiKey: 'sk-test' });
const ctx: SaveContext = {
  llm: () => 'writer',
  steps: (steps) => steps.map((step) => stepRegistry.definitionOf(step, ctx)),
  moduleSpecifier: (file) => file,
};

/** Params for each built-in kind that set options away from their defaults. `import` and `batch` load modules, and have their own specs. */
const cases: Array<[kind: string, params: Record<string, unknown>]> = [
  [
    'generate',
    {
      llm: 'writer',
      prompt: 'Answer {{ q }}',
      system: 'Be brief.',
      fewShot: [{ user: 'a', assistant: 'b' }],
      params: { temperature: 0.2 },
      n: 2,
      samples: 'rows',
      as: 'answer',
      concurrency: 8,
      metadata: false,
      inputs: { q: 'question' },
      cache: false,
    },
  ],
  [
    'structured',
    {
      llm: 'writer',
      prompt: 'Plan {{ topic }}',
      schema: { type: 'object', properties: { steps: { type: 'array', items: { type: 'string' } } }, required: ['steps'] },
      schemaName: 'plan',
      maxInvalid: 1,
      as: 'plan',
    },
  ],
  ['complete', { llm: 'writer', prompt: '<|user|>{{ topic }}', params: { max_tokens: 64 }, as: 'text' }],
  ['embed', { llm: 'writer', text: '{{ question }}', as: 'vector', size: 16, dimensions: 8, maxWaitMs: 10, concurrency: 2 }],
  ['scatter', { column: 'subtopics', as: 'subtopic', concurrency: 4 }],
  ['map', { rename: { a: 'b' }, drop: ['c'] }],
  ['filter', { column: 'text', nonEmpty: true, not: true }],
  ['join', { combine: { generation: 'generations' }, branchesAs: 'models' }],
  ['aggregate', { key: 'topic', reduce: { n: { count: true }, items: { list: 'item' } } }],
  ['route', { sample: { n: 2, seed: 7 }, leaves: ['a', 'b', 'c'] }],
  ['route', { when: { short: { column: 'text', max: 10 } }, otherwise: 'long' }],
  ['parseJson', { column: 'raw', as: 'items', schema: { type: 'array' } }],
  ['dedup', { text: 'instruction', threshold: 0.7 }],
  ['perplexity', { logprobs: 'answer_logprobs', as: 'ppl' }],
  ['generate', { llm: 'writer', prompt: 'Answer {{ q }}', as: 'answer', logprobs: true }],
  ['generate', { llm: 'writer', prompt: 'Answer {{ q }}', batch: { maxRequests: 1000, pollMs: { min: 100, max: 2000 }, resubmit: 'live' } }],
  ['embed', { llm: 'writer', text: '{{ q }}', batch: true }],
  ['complete', { llm: 'writer', prompt: '<|user|>{{ topic }}', as: 'text', logprobs: true }],
  ['dedup', { embedding: 'vector', threshold: 0.9 }],
  ['textGeneration', { llm: 'writer', prompt: 'Answer: {{ instruction }}', system: 'Be brief.', as: 'answer', modelAs: 'model' }],
  ['textClassification', { llm: 'writer', text: 'review', labels: ['good', 'bad'], multiLabel: true, context: 'Reviews.', metadata: false }],
  ['ultraFeedback', { llm: 'writer', aspect: 'honesty', instruction: 'prompt', generations: 'answers', params: { temperature: 0 } }],
  ['qualityScorer', { llm: 'writer', instruction: 'prompt', responses: 'answers', concurrency: 8 }],
  ['complexityScorer', { llm: 'writer', instructions: 'evolved' }],
  ['selfInstruct', { llm: 'writer', input: 'topic', numInstructions: 3, criteria: 'For students.' }],
  ['magpie', { llm: 'writer', template: 'qwen2', turns: 2, responses: false, system: 'Cooking.' }],
  ['preferencePairs', { llm: 'writer', instruction: 'prompt', generations: 'answers' }],
  ['pairwiseJudge', { llm: 'writer', instruction: 'prompt', generations: 'pair', metadata: false }],
  ['genstruct', { llm: 'writer', title: 'name', content: 'body' }],
  [
    'evolInstruct',
    { llm: 'writer', instruction: 'prompt', rounds: 3, mutations: ['deepen', 'breadth'], concurrency: 8, metadata: false, params: { temperature: 1 } },
  ],
  ['evolQuality', { llm: 'writer', mutation: 'depth', instruction: 'prompt', response: 'answer' }],
];

describe('each step kind: YAML schema, builder and saver agree', () => {
  for (const [kind, params] of cases) {
    it(`${kind} ${Object.keys(params).join(', ')}: builds, saves what its schema accepts, and rebuilds the same step`, () => {
      const step: AnyStep = stepRegistry.build(kind, params, { llms: { writer: llm } });
      const saved = stepRegistry.definitionOf(step, ctx) as Record<string, Record<string, unknown>>;
      const [savedKind, savedParams] = Object.entries(saved)[0]!;
      assert.equal(savedKind, kind);
      const parsed = stepRegistry.get(kind)!.schema.safeParse(savedParams);
      assert.ok(parsed.success, `saved params rejected by the schema: ${JSON.stringify(savedParams)}`);
      // A JSON schema is saved as the schema it became (`additionalProperties: false` added, as strict output needs).
      if (kind !== 'structured') assert.deepEqual(savedParams, params, 'saving gives back the params it was built from');
      const rebuilt = stepRegistry.build(kind, savedParams, { llms: { writer: llm } });
      assert.deepEqual(rebuilt.params, step.params);
      assert.deepEqual(stepRegistry.definitionOf(rebuilt, ctx), saved, 'saving the rebuilt step gives the same definition');
    });
  }
});
