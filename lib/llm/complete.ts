/**
 * `complete`: a legacy text completion per row (`POST /completions`), for raw prompts
 * such as Magpie's, where no chat template may be applied.
 * @module
 */
import { SluiceConfigError } from '../core/errors.ts';
import type { Step } from '../core/step.ts';
import type { CheckedTemplate, LlmAdds, LlmAddsWithLogprobs, NoInputs } from './llm-output.ts';
import type { SamplingParams } from './client.ts';
import { llmStep, withSample, type LlmStepOptions } from './llm-step.ts';
import { promptTemplate } from './prompt-template.ts';
import { responseMetadata } from './response-metadata.ts';
import { cachedCall } from './cached-call.ts';

export interface CompleteOptions<As extends string> extends LlmStepOptions<As> {
  /** The raw prompt, a liquid template over row columns. */
  prompt: string;
  params?: SamplingParams;
  /** Also write each token's log-probability, a list of numbers in `<as>_logprobs`. */
  logprobs?: boolean;
}

/**
 * @example
 * complete({ llm: base, prompt: '<|im_start|>user\n', as: 'instruction', params: { max_tokens: 128 } })
 */
export function complete<
  R,
  As extends string = 'completion',
  const P extends string = string,
  const I extends Readonly<Record<string, string>> = NoInputs,
  const M extends boolean = true,
>(
  options: CompleteOptions<As> & { logprobs: true; metadata?: M } & CheckedTemplate<'prompt', P, R, I>,
): Step<R, LlmAddsWithLogprobs<As, string, number[] | null, M>>;
export function complete<
  R,
  As extends string = 'completion',
  const P extends string = string,
  const I extends Readonly<Record<string, string>> = NoInputs,
  const M extends boolean = true,
>(options: CompleteOptions<As> & { metadata?: M } & CheckedTemplate<'prompt', P, R, I>): Step<R, LlmAdds<As, string, M>>;
export function complete(options: CompleteOptions<string>): Step<any, any> {
  if (!options || typeof options.llm?.complete !== 'function') {
    throw new SluiceConfigError('Expected `llm` to be an LLM made with `createLlm(…)`.');
  }
  const template = promptTemplate(options.prompt, 'prompt');
  const params = { ...options.params };
  const logprobs = options.logprobs === true;
  const logprobsColumn = `${options.as ?? 'completion'}_logprobs`;
  return llmStep({
    kind: 'complete',
    options,
    defaultAs: 'completion',
    variables: template.variables,
    params: { prompt: options.prompt, params, ...(logprobs ? { logprobs: true } : {}) },
    ...(logprobs ? { extraColumns: [logprobsColumn] } : {}),
    async work(row, call, ctx) {
      // The legacy endpoint asks with a number: the alternatives per token (1, the least it gives).
      const request = withSample({ prompt: template.render(row), ...params, ...(logprobs ? { logprobs: 1 } : {}) }, call);
      const result = await cachedCall(ctx, options.llm, 'complete', request, { enabled: options.cache !== false, sample: call.sample }, () =>
        options.llm.complete(request, call.options),
      );
      const choice = result.response.choices[0];
      return {
        values: [choice?.text ?? ''],
        shape: 'single',
        metadata: responseMetadata(result, result.response),
        ...(logprobs ? { extra: { [logprobsColumn]: choice?.logprobs?.token_logprobs ?? null } } : {}),
      };
    },
  });
}
