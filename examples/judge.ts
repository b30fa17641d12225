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
import { join, ndjsonFile, pipeline, route, toNdjsonFile, type Chain } from 'sluice';
import { createLlm, type Llm } from 'sluice/llm';
import { textGeneration, ultraFeedback } from 'sluice/tasks';

const writers = [
  createLlm({ name: 'writer-a', model: process.env.SLUICE_MODEL_A ?? 'gpt-4o-mini', concurrency: 16 }),
  createLlm({ name: 'writer-b', model: process.env.SLUICE_MODEL_B ?? 'gpt-4.1-mini', concurrency: 16 }),
  createLlm({ name: 'writer-c', model: process.env.SLUICE_MODEL_C ?? 'gpt-4.1-nano', concurrency: 16 }),
];
const judge = createLlm({ name: 'judge', model: process.env.SLUICE_JUDGE_MODEL ?? 'gpt-4o', concurrency: 8, params: { temperature: 0 } });

/** A branch: one writer answers the row's `instruction`; `textGeneration` adds its `model_name`. */
const answerWith = (llm: Llm) => (chain: Chain<{ instruction: string }>) => chain.pipe(textGeneration({ llm, name: `answer-${llm.name}`, metadata: false }));

export default pipeline('judge')
  .from(ndjsonFile<{ instruction: string }>('examples/data/prompts.jsonl'))
  .pipe(
    route.sample(2, Object.fromEntries(writers.map((llm) => [llm.name, answerWith(llm)])), { seed: 7, name: 'pick-two' }),
    join({ name: 'combine', combine: { generation: 'generations', model_name: 'model_names' } }),
    ultraFeedback({ llm: judge, name: 'rate', aspect: 'helpfulness' }),
  )
  .to(toNdjsonFile('out/judged.jsonl'));
