/**
 * Instruction variations (Dria's generator): each seed instruction is rewritten several ways by an
 * LLM that answers in free text with a JSON list inside; `parseJson` finds and checks the list,
 * and `scatter` makes one row per variation, keeping the seed beside it.
 *
 *   npx sluice run examples/variations.ts --llm simulated
 *
 * Model: SLUICE_MODEL (default gpt-4o-mini); variations per seed: VARIATIONS (default 3).
 * Reads examples/data/prompts.jsonl, writes out/variations.jsonl.
 */
import { z } from 'zod';
import { map, ndjsonFile, parseJson, pipeline, scatter, toNdjsonFile } from 'sluice';
import { createLlm, generate } from 'sluice/llm';

const llm = createLlm({ model: process.env.SLUICE_MODEL ?? 'gpt-4o-mini', concurrency: 16, params: { temperature: 0.9 } });
const count = Number(process.env.VARIATIONS ?? 3);

export default pipeline('variations')
  .from(ndjsonFile<{ instruction: string }>('examples/data/prompts.jsonl'))
  .pipe(
    generate({
      llm,
      name: 'rewrite',
      prompt: `Rewrite the instruction below in ${count} different ways that keep its meaning: vary the wording, the tone and the detail. Reply with a JSON list of strings.\n\nInstruction: {{ instruction }}`,
      as: 'raw',
      metadata: false,
    }),
    parseJson({ column: 'raw', as: 'variations', schema: z.array(z.string().min(1)).min(1) }),
    scatter('variations', { as: 'variation' }),
    map(({ instruction, variation }) => ({ seed: instruction, instruction: variation }), { name: 'tidy' }),
  )
  .to(toNdjsonFile('out/variations.jsonl'));
