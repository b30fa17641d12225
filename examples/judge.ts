/**
 * Several LLMs answer, their answers are combined, then a judge rates them (distilabel's
 * "generate with several LLMs, CombineOutputs, UltraFeedback"). Each row goes to 2 of the 3
 * writers, chosen by a seeded draw from the row id, so a rerun picks the same two.
 *
 *   npx sluice run examples/judge.ts --llm simulated
 *
 * Writers: SLUICE_MODEL_A/B/C (defaults gpt-4o-mini, gpt-4.1-mini, gpt-4.1-nano); judge: SLUICE_JUDGE_MODEL (gpt-4o).
 * Reads examples/data/prompts.jsonl, writes out/judged.jsonl.
 */
import { z } from 'zod';
import { join, map, ndjsonFile, pipeline, route, toNdjsonFile, type Chain, type Row } from 'sluice';
import { createLlm, generate, structured, type Llm } from 'sluice/llm';

const writers = {
  a: createLlm({ name: 'writer-a', model: process.env.SLUICE_MODEL_A ?? 'gpt-4o-mini', concurrency: 16 }),
  b: createLlm({ name: 'writer-b', model: process.env.SLUICE_MODEL_B ?? 'gpt-4.1-mini', concurrency: 16 }),
  c: createLlm({ name: 'writer-c', model: process.env.SLUICE_MODEL_C ?? 'gpt-4.1-nano', concurrency: 16 }),
};
const judge = createLlm({ name: 'judge', model: process.env.SLUICE_JUDGE_MODEL ?? 'gpt-4o', concurrency: 8, params: { temperature: 0 } });

/** A branch: one writer answers, and the row records which model it was. */
const answerWith = (name: string, llm: Llm) => (chain: Chain<Row>) =>
  chain.pipe(
    generate({ llm, name: `answer-${name}`, prompt: '{{ instruction }}', as: 'generation', metadata: false }),
    map((row) => ({ ...row, model: llm.model }), { name: `tag-${name}` }),
  );

export default pipeline('judge')
  .from(ndjsonFile('examples/data/prompts.jsonl'))
  .pipe(
    route.sample(2, { a: answerWith('a', writers.a), b: answerWith('b', writers.b), c: answerWith('c', writers.c) }, { seed: 7, name: 'pick-two' }),
    join({ name: 'combine', combine: { generation: 'generations', model: 'models' } }),
    structured({
      llm: judge,
      name: 'rate',
      system: 'You are a strict judge of helpfulness, accuracy and clarity.',
      prompt:
        'Instruction: {{ instruction }}\n{% for g in generations %}\nResponse {{ forloop.index }}: {{ g }}\n{% endfor %}\nRate each response from 1 to 10, in order.',
      schema: z.object({ ratings: z.array(z.number().int().min(1).max(10)), rationale: z.string() }),
      as: 'judgement',
    }),
  )
  .to(toNdjsonFile('out/judged.jsonl'));
