/**
 * `textGeneration`: an answer to each row's instruction, with the name of the model that wrote
 * it, so that the answers of several LLMs can be combined into `generations` and `model_names`
 * by a `join` (as distilabel's TextGeneration and CombineOutputs do).
 *
 * Prompt: the `prompt` template (default `{{ instruction }}`), after an optional `system` message.
 * @module
 */
import { SluiceConfigError } from '../core/errors.ts';
import type { Adds, Step } from '../core/step.ts';
import { generate } from '../llm/generate.ts';
import { REPLY, spreadReply } from './spread-reply.ts';
import { innerStepOptions, taskParams, type TaskOptions } from './structured-task.ts';

export interface TextGenerationOptions<As extends string = 'generation'> extends TaskOptions {
  /** The user message, a template over the row's columns. Default `{{ instruction }}`. */
  prompt?: string;
  /** A system message template. */
  system?: string;
  /** The column the answer goes to. Default `generation`. */
  as?: As;
  /** The column the model's name goes to. Default `model_name`. */
  modelAs?: string;
}

/**
 * @example
 * // Three LLMs answer; a join combines their answers and model names into lists.
 * broadcast({ a: (c) => c.pipe(textGeneration({ llm: a })), b: …, c: … }),
 * join({ combine: { generation: 'generations', model_name: 'model_names' } })
 */
export function textGeneration<R, As extends string = 'generation'>(
  options: TextGenerationOptions<As>,
): Step<R, Adds<{ [K in As]: string } & { model_name: string }>>;
export function textGeneration(options: TextGenerationOptions<string>): Step<any, any> {
  if (!options || typeof options.llm?.chat !== 'function') {
    throw new SluiceConfigError('Expected `llm` to be an LLM made with `createLlm(…)`.');
  }
  const prompt = options.prompt ?? '{{ instruction }}';
  const as = options.as ?? 'generation';
  const modelAs = options.modelAs ?? 'model_name';
  if (as === modelAs) throw new SluiceConfigError(`Expected \`as\` and \`modelAs\` to be two columns, got \`${as}\` for both.`);
  const inner = generate({
    ...innerStepOptions(options),
    name: options.name ?? 'textGeneration',
    prompt,
    ...(options.system !== undefined ? { system: options.system } : {}),
    as: REPLY,
  } as never) as Step<any, any>;
  return spreadReply(inner, {
    kind: 'textGeneration',
    named: options.name !== undefined,
    params: taskParams(options, { prompt, system: options.system ?? null, as, modelAs }),
    adds: [as, modelAs],
    // The model the LLM was made for: the same on every row, so the combined lists line up with the branches.
    spread: (reply) => ({ [as]: reply, [modelAs]: options.llm.model }),
  });
}
