/**
 * `generate` in definitions: a chat completion per row.
 * `- generate: { llm: writer, prompt: "Ask one question about {{ subtopic }}.", as: question }`
 * @module
 */
import { z } from 'zod';
import { generate } from '../../llm/generate.ts';
import { field } from '../fields.ts';
import { defineKind } from '../step-kind.ts';
import { chatShape, llmOptions, llmParamsOf } from './llm-step-params.ts';

export const generateKind = defineKind({
  description: "A chat completion per row, from a prompt template over the row's columns.",
  schema: z.strictObject(
    {
      ...chatShape,
      n: field.count("Samples per row (the request's `n`). Default 1.").optional(),
      samples: field.oneOf(['list', 'rows'], 'With `n` above 1: a list in one column (`list`, default), or one row per sample (`rows`).').optional(),
      logprobs: field.flag("Also write each answer token's log-probability in `<as>_logprobs`. Default `false`.").optional(),
    },
    { error: 'a map of params' },
  ),
  build: (params, ctx) => generate(llmOptions(params, ctx.llm(params.llm))),
  paramsOf: (step, ctx) =>
    llmParamsOf(step, ctx, [['prompt'], ['system'], ['fewShot'], ['params'], ['n', 1], ['samples', 'list'], ['logprobs', false]], 'generation'),
});
