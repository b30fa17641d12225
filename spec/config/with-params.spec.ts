import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DefinitionError } from '../../lib/config/definition-error.ts';
import { llmsOf } from '../../lib/config/llms-of.ts';
import { parseDefinition } from '../../lib/config/parse-definition.ts';
import { withParams } from '../../lib/config/with-params.ts';
import type { Pipeline } from '../../lib/pipeline/pipeline.ts';
import { startSimulator, type Simulator } from '../../lib/llm/simulator/index.ts';
import { map } from '../../lib/operators/map.ts';
import { toMemory } from '../../lib/sinks/memory.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';

const definition = `
name: qa
llms:
  writer: { model: sim-small, params: { temperature: 0.7 } }
steps:
  - generate: { name: question, llm: writer, prompt: "Ask one question about {{ topic }}.", as: question }
  - map: { name: unpack, keep: [topic, question] }
  - broadcast:
      name: fan
      branches:
        a:
          - generate: { name: answer, llm: writer, prompt: "{{ question }}", as: answer }
        b:
          - route: { name: pick, sample: { n: 1, seed: 1 }, leaves: [x, y] }
`;

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof DefinitionError, `expected a DefinitionError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected withParams to refuse');
}

describe('withParams, for `--set step.param=value`', () => {
  let sim: Simulator;
  let qa: Pipeline<any>;
  before(async () => {
    sim = await startSimulator();
    qa = await parseDefinition(definition, { env: { OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: 'sk-test' } });
  });
  after(async () => {
    await Promise.all(llmsOf(qa).map((llm) => llm.close()));
    await sim.close();
  });

  it('--set question.prompt="…" changes the prompt, and the rows show it', async () => {
    const changed = withParams(qa, { 'question.prompt': 'Write a riddle about {{ topic }}.' });
    assert.equal(changed.steps[0]!.params.prompt, 'Write a riddle about {{ topic }}.');
    assert.equal(qa.steps[0]!.params.prompt, 'Ask one question about {{ topic }}.');
    assert.equal(changed.steps[1], qa.steps[1]);
    const out = toMemory();
    await changed.run({ source: fromIterable([{ topic: 'tides' }]), sink: out });
    assert.match(String(out.rows[0]!.question), /^\[sim:sim-small\] answer to: Write a riddle about tides\./);
  });

  it('takes a value that is only a template, `{{ topic }}`, as text, with no warning from the YAML parser', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      const changed = withParams(qa, { 'question.prompt': '{{ topic }}' });
      assert.equal(changed.steps[0]!.params.prompt, '{{ topic }}');
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings, []);
  });

  it('types values by the param: numbers, nested maps, JSON maps and lists, text that looks like YAML', () => {
    const changed = withParams(qa, {
      'question.concurrency': '8',
      'question.params.temperature': '0.2',
      'unpack.keep': '["topic", "question", "extra"]',
      'fan/a/answer.params': '{"max_tokens": 5}',
      'fan/a/answer.system': 'Note: {{ topic }}',
      'fan/b/pick.sample.seed': '9',
    });
    assert.equal(changed.steps[0]!.params.concurrency, 8);
    assert.deepEqual(changed.steps[0]!.params.params, { temperature: 0.2 });
    assert.deepEqual(changed.steps[1]!.params.keep, ['topic', 'question', 'extra']);
    const fan = changed.steps[2]!;
    assert.deepEqual(fan.branches!.a![0]!.params.params, { max_tokens: 5 });
    assert.equal(fan.branches!.a![0]!.params.system, 'Note: {{ topic }}');
    assert.equal(fan.branches!.b![0]!.params.seed, 9);
    assert.equal(fan.name, 'fan');
    // The LLM is the same object: only the step was rebuilt.
    assert.equal(fan.branches!.a![0]!.resources!.llm, qa.steps[0]!.resources!.llm);
  });

  it('refuses to set an LLM, saying where LLMs change', () => {
    assert.equal(
      refusal(() => withParams(qa, { 'writer.model': 'gpt-4o' })),
      '`writer` is an LLM, not a step: `--set` changes step params. Change the LLM under `llms:` in the definition (its values can read `${ENV}` variables). (from `--set writer.model=gpt-4o`)',
    );
  });

  it('refuses unknown steps and params, with suggestions', () => {
    assert.equal(
      refusal(() => withParams(qa, { 'questoin.prompt': 'x' })),
      'No step `questoin` to set `prompt` on. Did you mean `question`? (from `--set questoin.prompt=x`)',
    );
    assert.equal(
      refusal(() => withParams(qa, { 'zzz.prompt': 'x' })),
      'No step `zzz` to set `prompt` on. Steps: `question`, `unpack`, `fan`, `fan/a/answer` and `fan/b/pick`. (from `--set zzz.prompt=x`)',
    );
    assert.equal(
      refusal(() => withParams(qa, { 'question.promt': 'x' })),
      'Step `question` (generate) has no param `promt`. Did you mean `prompt`? (from `--set question.promt=x`)',
    );
    assert.equal(
      refusal(() => withParams(qa, { question: 'x' })),
      'Expected `--set` to name a step and a param, `step.param=value`, got `question`. (from `--set question=x`)',
    );
  });

  it('refuses a value the param does not take', () => {
    assert.equal(
      refusal(() => withParams(qa, { 'question.concurrency': 'many' })),
      'Expected `concurrency` to be an integer from 1 and up or `.inf`, got `"many"` (step `question`) (from `--set question.concurrency=many`).',
    );
  });

  it('refuses steps built with your own code', () => {
    const custom = qa.pipe(map((row: object) => row, { name: 'tweak' }));
    assert.equal(
      refusal(() => withParams(custom, { 'tweak.concurrency': '2' })),
      'Step `tweak` cannot take `--set`: it is a `map` built with your own code, which a definition cannot hold. Change it in code. (from `--set tweak.concurrency=2`)',
    );
  });
});
