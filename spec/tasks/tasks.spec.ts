import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Row } from '../../lib/core/row.ts';
import type { AnyStep } from '../../lib/core/step.ts';
import { createLlm, type Llm } from '../../lib/llm/client.ts';
import { startSimulator, type Simulator } from '../../lib/llm/simulator/index.ts';
import { map } from '../../lib/operators/map.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import { toMemory } from '../../lib/sinks/memory.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';
import { complexityScorer } from '../../lib/tasks/complexity-scorer.ts';
import { eliminationReason, evolInstruct } from '../../lib/tasks/evol-instruct.ts';
import { evolQuality } from '../../lib/tasks/evol-quality.ts';
import { genstruct } from '../../lib/tasks/genstruct.ts';
import { magpie } from '../../lib/tasks/magpie.ts';
import { pairwiseJudge } from '../../lib/tasks/pairwise-judge.ts';
import { perplexity, perplexityOf } from '../../lib/tasks/perplexity.ts';
import { generate } from '../../lib/llm/generate.ts';
import { complete } from '../../lib/llm/complete.ts';
import { pickPair, preferencePairs } from '../../lib/tasks/preference-pairs.ts';
import { qualityScorer } from '../../lib/tasks/quality-scorer.ts';
import { selfInstruct } from '../../lib/tasks/self-instruct.ts';
import { textClassification } from '../../lib/tasks/text-classification.ts';
import { textGeneration } from '../../lib/tasks/text-generation.ts';
import { broadcast } from '../../lib/operators/broadcast.ts';
import { join } from '../../lib/operators/join.ts';
import { ultraFeedback } from '../../lib/tasks/ultra-feedback.ts';
import { failedCollector } from '../helpers/failed-collector.ts';

let sim: Simulator;
let llm: Llm;

/** Runs one task over `rows` on the simulator; every row must come out, none failed. */
async function runTask(step: AnyStep, rows: Row[]): Promise<Row[]> {
  const out = toMemory();
  const failed = failedCollector();
  await pipeline('task').from(fromIterable(rows)).pipe(step).to(out).failedTo(failed).run({ cache: false });
  assert.deepEqual(failed.rows, []);
  assert.equal(out.rows.length, rows.length);
  return out.rows;
}

const isStringList = (value: unknown) => Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string' && item !== '');
const isScoreList = (value: unknown, max: number) =>
  Array.isArray(value) && value.length > 0 && value.every((item) => Number.isInteger(item) && (item as number) >= 1 && (item as number) <= max);

describe('ready-made tasks, on the simulator', () => {
  before(async () => {
    sim = await startSimulator({ latencyMs: 1 });
    llm = createLlm({ model: 'sim-small', baseURL: sim.url, apiKey: 'sk-test', concurrency: 8 });
  });
  after(async () => {
    await llm.close();
    await sim.close();
  });

  it('textGeneration: the answer and the model that wrote it; three of them joined into generations and model_names', async () => {
    const [row] = await runTask(textGeneration({ llm, metadata: false }), [{ instruction: 'Name a prime.' }]);
    assert.deepEqual(Object.keys(row!).sort(), ['generation', 'instruction', 'model_name']);
    assert.equal(typeof row!.generation, 'string');
    assert.equal(row!.model_name, 'sim-small');
    const others = [
      createLlm({ model: 'sim-medium', baseURL: sim.url, apiKey: 'sk-test' }),
      createLlm({ model: 'sim-large', baseURL: sim.url, apiKey: 'sk-test' }),
    ];
    try {
      const branch = (writer: Llm, name: string) => (chain: any) => chain.pipe(textGeneration({ llm: writer, name, metadata: false }));
      const out = toMemory();
      await pipeline('three')
        .from(fromIterable([{ instruction: 'Why is the sky blue?' }, { instruction: 'Name a river.' }]))
        .pipe(
          broadcast({ a: branch(llm, 'a'), b: branch(others[0]!, 'b'), c: branch(others[1]!, 'c') }),
          join({ combine: { generation: 'generations', model_name: 'model_names' } }),
        )
        .to(out)
        .run({ cache: false });
      assert.equal(out.rows.length, 2);
      for (const r of out.rows) {
        assert.deepEqual([...(r.model_names as string[])].sort(), ['sim-large', 'sim-medium', 'sim-small']);
        assert.ok(isStringList(r.generations) && (r.generations as string[]).length === 3);
      }
    } finally {
      await Promise.all(others.map((o) => o.close()));
    }
    assert.throws(() => textGeneration({ llm, as: 'x', modelAs: 'x' }), /two columns/);
  });

  it('textClassification: one label from the set, or a list with multiLabel', async () => {
    const labels = ['positive', 'negative', 'neutral'];
    const one = await runTask(textClassification({ llm, labels, context: 'Product reviews, by sentiment.' }), [
      { text: 'Great kettle.' },
      { text: 'Broke in a week.' },
    ]);
    for (const row of one) assert.ok(labels.includes(row.label as string), JSON.stringify(row));
    const many = await runTask(textClassification({ llm, labels, multiLabel: true, text: 'review', metadata: false }), [{ review: 'Fine, I guess.' }]);
    assert.ok(isStringList(many[0]!.labels) && (many[0]!.labels as string[]).every((label) => labels.includes(label)));
    assert.deepEqual(Object.keys(many[0]!).sort(), ['labels', 'review']);
    const open = await runTask(textClassification({ llm }), [{ text: 'The match ended 2-1.' }]);
    assert.equal(typeof open[0]!.label, 'string');
  });

  it('ultraFeedback: a rating 1..5 and a rationale per generation', async () => {
    const [row] = await runTask(ultraFeedback({ llm, aspect: 'helpfulness', metadata: false }), [
      { instruction: 'Name a prime number.', generations: ['7', '9', 'Seven is prime.'] },
    ]);
    assert.ok(isScoreList(row!.ratings, 5), JSON.stringify(row));
    assert.ok(isStringList(row!.rationales));
    // One rating and one rationale per generation, whatever the number of generations.
    assert.equal((row!.ratings as number[]).length, 3);
    assert.equal((row!.rationales as string[]).length, 3);
    const two = await runTask(ultraFeedback({ llm, metadata: false }), [{ instruction: 'Name a river.', generations: ['Nile', 'Rhine'] }]);
    assert.equal((two[0]!.ratings as number[]).length, 2);
    assert.deepEqual(Object.keys(row!).sort(), ['generations', 'instruction', 'ratings', 'rationales']);
    assert.throws(() => ultraFeedback({ llm, aspect: 'speed' as never }), /aspect/);
  });

  it('qualityScorer and complexityScorer: scores 1..6, one list per row', async () => {
    const [quality] = await runTask(qualityScorer({ llm, responses: 'generations' }), [
      { instruction: 'Explain tides.', generations: ['The moon.', 'Gravity of the moon and sun.', 'Water.'] },
    ]);
    assert.ok(isScoreList(quality!.quality_scores, 6), JSON.stringify(quality));
    // One score per response: the schema sent for the row says how many.
    assert.equal((quality!.quality_scores as number[]).length, 3);
    const [complexity] = await runTask(complexityScorer({ llm }), [
      { instructions: ['Add 2 and 2.', 'Prove there are infinitely many primes.', 'Sort a list.'] },
    ]);
    assert.ok(isScoreList(complexity!.complexity_scores, 6), JSON.stringify(complexity));
    assert.equal((complexity!.complexity_scores as number[]).length, 3);
  });

  it('selfInstruct: exactly numInstructions new instructions per seed', async () => {
    const rows = await runTask(selfInstruct({ llm, input: 'topic', numInstructions: 3 }), [{ topic: 'sourdough baking' }, { topic: 'tax law' }]);
    for (const row of rows) {
      assert.ok(isStringList(row.instructions));
      assert.equal((row.instructions as string[]).length, 3);
    }
  });

  it('genstruct: a question and an answer from a document; evolQuality: a rewritten response', async () => {
    const [qa] = await runTask(genstruct({ llm }), [{ title: 'Tides', content: 'Tides are caused mainly by the moon.' }]);
    assert.equal(typeof qa!.user, 'string');
    assert.equal(typeof qa!.assistant, 'string');
    const [evolved] = await runTask(evolQuality({ llm, mutation: 'depth' }), [{ instruction: 'Why is the sky blue?', response: 'Scattering.' }]);
    assert.ok(typeof evolved!.evolved_response === 'string' && evolved!.evolved_response !== '');
    assert.equal(evolved!.response, 'Scattering.', 'the original response is kept');
  });

  it('evolInstruct: one instruction per round, each from the last', async () => {
    const rows = await runTask(evolInstruct({ llm, rounds: 2, metadata: false }), [
      { instruction: 'Sort a list of numbers.' },
      { instruction: 'Name a river.' },
    ]);
    for (const row of rows) {
      const evolved = row.evolved_instructions as string[];
      assert.equal(evolved.length, 2);
      assert.ok(evolved.every((text) => typeof text === 'string' && text !== ''));
      assert.notEqual(evolved[0], evolved[1]);
    }
  });

  it('evolInstruct eliminates a round that did not evolve, refused, came back empty, or leaked the prompt', () => {
    assert.equal(eliminationReason('Sort a list.', 'Sort a list of numbers in place, without extra memory.'), undefined);
    assert.match(eliminationReason('Sort a list.', '  sort a   LIST. ')!, /same as the last/);
    assert.match(eliminationReason('Sort a list.', "I'm sorry, I cannot help with that.")!, /refused/);
    assert.match(eliminationReason('Sort a list.', ' ... ')!, /empty/);
    assert.match(eliminationReason('Sort a list.', 'Rewritten instruction: sort it twice.')!, /copies/);
  });

  it('preferencePairs: the best and the worst generation by the judge’s scores; pairwiseJudge: A, B or a tie', async () => {
    const [pair] = await runTask(preferencePairs({ llm, metadata: false }), [{ instruction: 'Name a prime.', generations: ['7', '9', '11'] }]);
    const scores = pair!.scores as number[];
    assert.ok(isScoreList(scores, 10), JSON.stringify(pair));
    assert.equal(scores.length, 3);
    assert.deepEqual(pair, { instruction: 'Name a prime.', generations: ['7', '9', '11'], ...pickPair(['7', '9', '11'], scores) });
    assert.deepEqual(pickPair(['a', 'b', 'c'], [3, 9, 1]), { chosen: 'b', rejected: 'c', chosen_score: 9, rejected_score: 1, scores: [3, 9, 1] });
    assert.deepEqual(pickPair(['a', 'b'], [5, 5]), { chosen: null, rejected: null, chosen_score: null, rejected_score: null, scores: [5, 5] });
    const [judged] = await runTask(pairwiseJudge({ llm }), [{ instruction: 'Name a prime.', generations: ['7', '9'] }]);
    assert.ok(['A', 'B', 'tie'].includes(judged!.preferred as string));
    assert.equal(typeof judged!.rationale, 'string');
  });

  it('magpie: a distinct instruction per row from the pre-query template alone, and multi-turn conversations', async () => {
    const rows = await runTask(
      magpie({ llm, template: 'llama3', metadata: false }),
      Array.from({ length: 5 }, (_, i) => ({ i })),
    );
    const instructions = rows.map((row) => row.instruction as string);
    assert.equal(new Set(instructions).size, 5, 'each row is its own sample');
    for (const row of rows) {
      assert.equal(typeof row.response, 'string');
      assert.deepEqual(
        (row.conversation as { role: string }[]).map((turn) => turn.role),
        ['user', 'assistant'],
      );
    }
    // The completions endpoint got the template's opening, and nothing of a chat request.
    const first = sim.log.findLast((entry) => entry.path.endsWith('/completions') && !entry.path.includes('chat'));
    assert.ok(first, 'requests went to /completions');
    const [chat] = await runTask(magpie({ llm, template: 'qwen2', turns: 2, responses: true, system: 'You help with cooking.' }), [{ i: 0 }]);
    assert.deepEqual(
      (chat!.conversation as { role: string }[]).map((turn) => turn.role),
      ['user', 'assistant', 'user', 'assistant'],
    );
    const [only] = await runTask(magpie({ llm, template: 'qwen2', responses: false }), [{ i: 1 }]);
    assert.equal(only!.response, null);
    assert.throws(() => magpie({ llm, template: 'gpt' as never }), /template/);
  });

  it('logprobs: generate and complete write token log-probabilities, the simulator the same ones each time; perplexity reads them', async () => {
    const rows = [{ q: 'Why is the sky blue?' }];
    const [a] = await runTask(generate({ llm, prompt: '{{ q }}', as: 'answer', logprobs: true, cache: false, metadata: false }), rows);
    const [b] = await runTask(generate({ llm, prompt: '{{ q }}', as: 'answer', logprobs: true, cache: false, metadata: false }), rows);
    const logprobs = a!.answer_logprobs as number[];
    assert.ok(Array.isArray(logprobs) && logprobs.length > 0 && logprobs.every((v) => v <= 0 && v >= -3), JSON.stringify(a));
    assert.deepEqual(b!.answer_logprobs, logprobs, 'deterministic');
    const [scored] = await runTask(perplexity({ logprobs: 'answer_logprobs' }), [a!]);
    assert.equal(scored!.perplexity, perplexityOf(logprobs));
    assert.ok((scored!.perplexity as number) >= 1);
    const [text] = await runTask(complete({ llm, prompt: 'Once upon a time', as: 'story', logprobs: true, metadata: false }), [{}]);
    assert.ok(Array.isArray(text!.story_logprobs) && (text!.story_logprobs as number[]).length > 0);
    assert.equal(perplexityOf([]), null);
    assert.equal(perplexityOf([0, 0]), 1);
    assert.throws(() => generate({ llm, prompt: 'x', n: 2, samples: 'rows', logprobs: true }), /logprobs/);
    // The column is typed: reading it after the step compiles (tsc checks this spec), a misspelt one would not.
    const typed = pipeline<{ q: string }>('typed').pipe(
      generate({ llm, prompt: '{{ q }}', as: 'answer', logprobs: true }),
      map((row) => ({ tokens: row.answer_logprobs?.length ?? 0, text: row.answer })),
    );
    assert.equal(typed.steps.length, 2);
  });

  it('each task is a step of its own kind, with its options as params and its columns declared', () => {
    const step = ultraFeedback({ llm, aspect: 'honesty', instruction: 'prompt' });
    assert.equal(step.kind, 'ultraFeedback');
    assert.equal(step.name, 'ultraFeedback');
    assert.deepEqual(step.needs.slice().sort(), ['generations', 'prompt']);
    assert.equal(step.params.aspect, 'honesty');
    const after = step.columnsAfter({ known: new Set(['prompt', 'generations']), open: false });
    assert.deepEqual([...after.known].sort(), ['_sluice', 'generations', 'prompt', 'ratings', 'rationales']);
  });
});
