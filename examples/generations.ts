/**
 * Three LLMs answer every instruction, and their answers are combined into one row with
 * `generations` and `model_names` (distilabel's three TextGeneration tasks and CombineOutputs).
 * `textGeneration` adds the model's name itself; the join lines the lists up by branch.
 *
 *   npx sluice run examples/generations.ts --llm simulated
 *
 * Writers: SLUICE_MODEL_A/B/C (defaults gpt-4o-mini, gpt-4.1-mini, gpt-4.1-nano).
 * Reads examples/data/prompts.jsonl, writes out/generations.jsonl.
 */
import { broadcast, join, ndjsonFile, pipeline, toNdjsonFile, type Chain } from 'sluice';
import { createLlm, type Llm } from 'sluice/llm';
import { textGeneration } from 'sluice/tasks';

const writers = [
  createLlm({ name: 'writer-a', model: process.env.SLUICE_MODEL_A ?? 'gpt-4o-mini', concurrency: 16 }),
  createLlm({ name: 'writer-b', model: process.env.SLUICE_MODEL_B ?? 'gpt-4.1-mini', concurrency: 16 }),
  createLlm({ name: 'writer-c', model: process.env.SLUICE_MODEL_C ?? 'gpt-4.1-nano', concurrency: 16 }),
];

/** A branch: one writer answers the row's `instruction`. */
const answerWith = (llm: Llm) => (chain: Chain<{ instruction: string }>) => chain.pipe(textGeneration({ llm, name: `answer-${llm.name}`, metadata: false }));

export default pipeline('generations')
  .from(ndjsonFile<{ instruction: string }>('examples/data/prompts.jsonl'))
  .pipe(
    broadcast(Object.fromEntries(writers.map((llm) => [llm.name, answerWith(llm)]))),
    join({ name: 'combine', combine: { generation: 'generations', model_name: 'model_names' } }),
  )
  .to(toNdjsonFile('out/generations.jsonl'));
