/**
 * `perplexity` in definitions: `exp(-mean(logprobs))` of an answer's token log-probabilities.
 * `- perplexity: { logprobs: answer_logprobs }`
 * @module
 */
import { z } from 'zod';
import { perplexity } from '../../tasks/perplexity.ts';
import { field, stepOptions } from '../fields.ts';
import { defineKind } from '../step-kind.ts';

export const perplexityKind = defineKind({
  description: 'The perplexity of an answer, from the log-probabilities `generate`/`complete` wrote with `logprobs: true`.',
  schema: z.strictObject(
    {
      ...stepOptions,
      logprobs: field.nonEmpty('The column with the log-probabilities. Default `generation_logprobs`.').optional(),
      as: field.nonEmpty('The column to write. Default `perplexity`.').optional(),
    },
    { error: 'a map of params' },
  ),
  build: (params) => perplexity(params),
  paramsOf: (step) => ({ ...step.params }),
});
