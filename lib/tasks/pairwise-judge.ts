/**
 * `pairwiseJudge`: which of two responses to an instruction is better, with a rationale, as in
 * the LLM-as-a-judge pairwise comparison of Zheng et al. (2023, "Judging LLM-as-a-Judge with
 * MT-Bench and Chatbot Arena"): a tie is allowed, and length alone must not decide.
 *
 * Prompt (system, then user):
 * > You compare two responses to the same instruction, impartially: the order they come in and
 * > their length must not sway you. Answer with JSON only.
 * > Instruction: {{ instruction }}  Response A: {{ generations[0] }}  Response B: {{ generations[1] }}
 * > Which is better, A, B, or a tie? Say why in one or two sentences.
 * @module
 */
import { z } from 'zod';
import type { Adds, Step } from '../core/step.ts';
import { structuredTask, type TaskOptions } from './structured-task.ts';

export interface PairwiseJudgeOptions extends TaskOptions {
  /** The column with the instruction. Default `instruction`. */
  instruction?: string;
  /** The column with the two responses, a list (its first two are compared). Default `generations`. */
  generations?: string;
}

/**
 * @example
 * pairwiseJudge({ llm: judge }) // adds preferred: 'A' | 'B' | 'tie', rationale: string
 */
export function pairwiseJudge<R>(options: PairwiseJudgeOptions): Step<R, Adds<{ preferred: 'A' | 'B' | 'tie'; rationale: string }>> {
  return structuredTask({
    kind: 'pairwiseJudge',
    options,
    system: 'You compare two responses to the same instruction, impartially: the order they come in and their length must not sway you. Answer with JSON only.',
    prompt:
      'Instruction:\n{{ instruction }}\n\nResponse A:\n{{ generations[0] }}\n\nResponse B:\n{{ generations[1] }}\n\n' +
      'Which is better, A, B, or a tie? Say why in one or two sentences.',
    inputs: { instruction: options.instruction ?? 'instruction', generations: options.generations ?? 'generations' },
    schema: z.object({ preferred: z.enum(['A', 'B', 'tie']), rationale: z.string() }),
    columns: { preferred: 'preferred', rationale: 'rationale' },
    params: { instruction: options.instruction ?? 'instruction', generations: options.generations ?? 'generations' },
  });
}
