/**
 * `complete` in definitions: a legacy text completion per row, for raw prompts.
 * `- complete: { llm: base, prompt: "<|im_start|>user\n", as: instruction, params: { max_tokens: 128 } }`
 * @module
 */
import { z } from 'zod';
import { complete } from '../../llm/complete.ts';
import { field } from '../fields.ts';
import { defineKind } from '../step-kind.ts';
import { llmOptions, llmParamsOf, llmStepShape } from './llm-step-params.ts';

export const completeKind = defineKind({
  description: "A legacy text completion per row (`POST /completions`), for raw prompts such as Magpie's.",
  schema: z.strictObject(
    {
      ...llmStepShape,
      prompt: field.text('The raw prompt, a liquid template over row columns.'),
      params: field.jsonMap("Sampling parameters for this step, over the LLM's.").optional(),
      logprobs: field.flag("Also write each token's log-probability in `<as>_logprobs`. Default `false`.").optional(),
    },
    { error: 'a map of params' },
  ),
  build: (params, ctx) => complete(llmOptions(params, ctx.llm(params.llm))),
  paramsOf: (step, ctx) => llmParamsOf(step, ctx, [['prompt'], ['params'], ['logprobs', false]], 'completion'),
});
