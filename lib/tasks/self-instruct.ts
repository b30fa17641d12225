/**
 * `selfInstruct`: new instructions from a seed (a topic, a task, or an instruction), as in
 * Self-Instruct (Wang et al., 2023, "Self-Instruct: Aligning Language Models with Self-Generated
 * Instructions"): several diverse instructions a user might give an assistant, each on its own.
 *
 * Prompt (user):
 * > Write {n} different instructions that a user could give an AI assistant about: {{ input }}.
 * > Vary the kind of task (questions, writing, reasoning, planning) and the form; each must make
 * > sense on its own. {criteria}
 * @module
 */
import { z } from 'zod';
import { checkPositiveInt } from '../core/define-step.ts';
import type { Adds, Step } from '../core/step.ts';
import { structuredTask, type TaskOptions } from './structured-task.ts';

export interface SelfInstructOptions extends TaskOptions {
  /** The column with the seed. Default `input`. */
  input?: string;
  /** Instructions per row. Default 5. */
  numInstructions?: number;
  /** Extra rules for the instructions (who they are for, what to avoid). */
  criteria?: string;
}

/**
 * @example
 * selfInstruct({ llm, input: 'topic', numInstructions: 3 }) // adds instructions: string[]; scatter them after
 */
export function selfInstruct<R>(options: SelfInstructOptions): Step<R, Adds<{ instructions: string[] }>> {
  const n = checkPositiveInt('numInstructions', options.numInstructions ?? 5, false);
  return structuredTask({
    kind: 'selfInstruct',
    options,
    prompt:
      `Write ${n} different instructions that a user could give an AI assistant about: {{ input }}. ` +
      'Vary the kind of task (questions, writing, reasoning, planning) and the form; each must make sense on its own.' +
      (options.criteria ? ` ${options.criteria}` : ''),
    inputs: { input: options.input ?? 'input' },
    schema: z.object({ instructions: z.array(z.string().min(1)).min(n).max(n) }),
    columns: { instructions: 'instructions' },
    params: { input: options.input ?? 'input', numInstructions: n, criteria: options.criteria ?? null },
  });
}
