/**
 * `generate`: a chat completion per row, from a prompt template over the row's columns.
 * @module
 */
import type { ChatCompletion } from 'openai/resources/chat/completions';
import { checkPositiveInt } from '../core/define-step.ts';
import { SluiceConfigError } from '../core/errors.ts';
import type { Step } from '../core/step.ts';
import type { CheckedTemplate, LlmAdds, LlmAddsWithLogprobs, NoInputs } from './llm-output.ts';
import type { SamplingParams } from './client.ts';
import { chatTemplate, type FewShot } from './chat-messages.ts';
import { llmStep, withSample, type LlmStepOptions } from './llm-step.ts';
import { responseMetadata } from './response-metadata.ts';
import { cachedCall } from './cached-call.ts';

export interface GenerateOptions<As extends string> extends LlmStepOptions<As> {
  /** The user message, a liquid template over row columns: `'Answer: {{ question }}'`. */
  prompt: string;
  /** An optional system message template. */
  system?: string;
  /** Example exchanges put before the prompt. */
  fewShot?: readonly FewShot[];
  /** Sampling parameters for this step (over the LLM's defaults). */
  params?: SamplingParams;
  /** Samples per row (the `n` of the request). Default 1. */
  n?: number;
  /** With `n` > 1: a list in one column (`list`, default), or one row per sample (`rows`, ids `<id>.<i>`). */
  samples?: 'list' | 'rows';
  /**
   * Also write each answer token's log-probability, as a list of numbers in `<as>_logprobs` (a list
   * of lists with `n` > 1), for perplexity and confidence scores. Not with `samples: 'rows'`.
   */
  logprobs?: boolean;
}

type Inputs = Readonly<Record<string, string>>;

/**
 * @example
 * pipeline('qa').from(rows).pipe(generate({ llm, prompt: 'Answer briefly: {{ question }}', as: 'answer' }))
 */
export function generate<
  R,
  As extends string = 'generation',
  const P extends string = string,
  const I extends Inputs = NoInputs,
  const M extends boolean = true,
>(
  options: GenerateOptions<As> & { n?: 1; logprobs: true; metadata?: M } & CheckedTemplate<'prompt', P, R, I>,
): Step<R, LlmAddsWithLogprobs<As, string, number[] | null, M>>;
export function generate<
  R,
  As extends string = 'generation',
  const P extends string = string,
  const I extends Inputs = NoInputs,
  const M extends boolean = true,
>(options: GenerateOptions<As> & { n?: 1; metadata?: M } & CheckedTemplate<'prompt', P, R, I>): Step<R, LlmAdds<As, string, M>>;
export function generate<
  R,
  As extends string = 'generation',
  const P extends string = string,
  const I extends Inputs = NoInputs,
  const M extends boolean = true,
>(options: GenerateOptions<As> & { samples: 'rows'; metadata?: M } & CheckedTemplate<'prompt', P, R, I>): Step<R, LlmAdds<As, string, M>>;
export function generate<
  R,
  As extends string = 'generation',
  const P extends string = string,
  const I extends Inputs = NoInputs,
  const M extends boolean = true,
>(options: GenerateOptions<As> & { metadata?: M } & CheckedTemplate<'prompt', P, R, I>): Step<R, LlmAdds<As, string[], M>>;
export function generate(options: GenerateOptions<string>): Step<any, any> {
  if (!options || typeof options.llm?.chat !== 'function') {
    throw new SluiceConfigError('Expected `llm` to be an LLM made with `createLlm(…)`.');
  }
  const n = checkPositiveInt('n', options.n ?? 1, false);
  const samples = options.samples ?? 'list';
  if (samples !== 'list' && samples !== 'rows') {
    throw new SluiceConfigError(`Expected \`samples\` to be \`list\` or \`rows\`, got \`${String(samples)}\``);
  }
  const logprobs = options.logprobs === true;
  if (logprobs && samples === 'rows' && n > 1) {
    throw new SluiceConfigError(
      "`logprobs` with `samples: 'rows'` is not supported: use `samples: 'list'`, which gives one list of log-probabilities per sample.",
    );
  }
  const template = chatTemplate(options.prompt, options.system, options.fewShot);
  const params = { ...options.params };
  const logprobsColumn = `${options.as ?? 'generation'}_logprobs`;
  return llmStep({
    kind: 'generate',
    options,
    defaultAs: 'generation',
    variables: template.variables,
    params: { ...template.params, params, n, samples, ...(logprobs ? { logprobs: true } : {}) },
    ...(logprobs ? { extraColumns: [logprobsColumn] } : {}),
    async work(row, call, ctx) {
      const request = withSample({ messages: template.render(row), ...params, ...(n > 1 ? { n } : {}), ...(logprobs ? { logprobs: true } : {}) }, call);
      const result = await cachedCall(ctx, options.llm, 'chat', request, { enabled: options.cache !== false, sample: call.sample }, () =>
        options.llm.chat(request, call.options),
      );
      const texts = result.response.choices.map((choice) => choice.message.content ?? '');
      const tokens = logprobs ? result.response.choices.map((choice) => choice.logprobs?.content?.map((token) => token.logprob) ?? null) : [];
      return {
        values: n === 1 ? [texts[0] ?? ''] : texts,
        shape: n === 1 ? 'single' : samples,
        metadata: responseMetadata(result, result.response as ChatCompletion),
        ...(logprobs ? { extra: { [logprobsColumn]: n === 1 ? (tokens[0] ?? null) : tokens } } : {}),
      };
    },
  });
}
