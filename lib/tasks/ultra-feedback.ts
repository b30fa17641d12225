/**
 * `ultraFeedback`: each of a row's generations rated 1 to 5 on one aspect, with a rationale, as
 * in UltraFeedback (Cui et al., 2023, "UltraFeedback: Boosting Language Models with High-quality
 * Feedback"): the aspects are helpfulness, honesty, instruction-following and truthfulness, or an
 * overall rating.
 *
 * Prompt (user):
 * > Rate how well each response below does on {aspect}: {what the aspect asks}. 1 is poor, 5 is
 * > excellent. Give one rating and a one-sentence rationale per response, in order.
 * > Instruction: {{ instruction }}  Responses: #1 …, #2 …
 * @module
 */
import { z } from 'zod';
import { SluiceConfigError } from '../core/errors.ts';
import type { Adds, Step } from '../core/step.ts';
import { structuredTask, type TaskOptions } from './structured-task.ts';

const ASPECTS = {
  helpfulness: 'is it correct, informative, and useful for what was asked',
  honesty: 'does it state what it is unsure of, and never invent certainty',
  'instruction-following': 'does it do what the instruction asks, in the form it asks for',
  truthfulness: 'is it free of made-up facts and of claims that contradict the instruction',
  overall: 'all of the above, weighed together',
} as const;

export type UltraFeedbackAspect = keyof typeof ASPECTS;

export interface UltraFeedbackOptions extends TaskOptions {
  /** Default `overall`. */
  aspect?: UltraFeedbackAspect;
  /** The column with the instruction. Default `instruction`. */
  instruction?: string;
  /** The column with the list of responses. Default `generations`. */
  generations?: string;
}

/** One rating, on the 1–5 scale of the method. */
const RATING = z.number().int().min(1).max(5);

/**
 * @example
 * ultraFeedback({ llm: judge, aspect: 'helpfulness' }) // adds ratings: number[], rationales: string[]
 */
export function ultraFeedback<R>(options: UltraFeedbackOptions): Step<R, Adds<{ ratings: number[]; rationales: string[] }>> {
  const aspect = options.aspect ?? 'overall';
  if (!Object.hasOwn(ASPECTS, aspect)) {
    throw new SluiceConfigError(`Expected \`aspect\` to be one of ${Object.keys(ASPECTS).join(', ')}, got \`${String(aspect)}\``);
  }
  return structuredTask({
    kind: 'ultraFeedback',
    options,
    prompt:
      `Rate how well each response below does on ${aspect}: ${ASPECTS[aspect]}. 1 is poor, 5 is excellent. ` +
      'Give one rating and a one-sentence rationale per response, in the order of the responses.\n\n' +
      'Instruction:\n{{ instruction }}\n\nResponses:\n{% for response in generations %}#{{ forloop.index }}: {{ response }}\n{% endfor %}',
    inputs: { instruction: options.instruction ?? 'instruction', generations: options.generations ?? 'generations' },
    schema: z.object({ ratings: z.array(RATING), rationales: z.array(z.string()) }),
    perItem: {
      column: options.generations ?? 'generations',
      schema: (n) => z.object({ ratings: z.array(RATING).length(n), rationales: z.array(z.string()).length(n) }),
    },
    columns: { ratings: 'ratings', rationales: 'rationales' },
    params: { aspect, instruction: options.instruction ?? 'instruction', generations: options.generations ?? 'generations' },
  });
}
