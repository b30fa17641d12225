/**
 * `complexityScorer`: a complexity score for each of a list of instructions, as Deita's
 * complexity scorer (Liu et al., 2023) asks for: the instructions (often one and its evolved
 * versions) are ranked against each other, each scored 1 (simple) to 6 (very complex).
 *
 * Prompt (user):
 * > Score each instruction for how complex it is to answer (steps, constraints, reasoning,
 * > knowledge needed), 1 to 6, comparing them with each other. One score per instruction, in order.
 * > Instructions: #1 …, #2 …
 * @module
 */
import { z } from 'zod';
import type { Adds, Step } from '../core/step.ts';
import { structuredTask, type TaskOptions } from './structured-task.ts';

export interface ComplexityScorerOptions extends TaskOptions {
  /** The column with the list of instructions. Default `instructions`. */
  instructions?: string;
}

/** One score, as the method defines its scale. */
const SCORE = z.number().int().min(1).max(6);

/**
 * @example
 * complexityScorer({ llm }) // adds complexity_scores: number[]
 */
export function complexityScorer<R>(options: ComplexityScorerOptions): Step<R, Adds<{ complexity_scores: number[] }>> {
  return structuredTask({
    kind: 'complexityScorer',
    options,
    prompt:
      'Score each instruction for how complex it is to answer (the steps, constraints, reasoning and knowledge it needs), from 1 (simple) to 6 (very complex), ' +
      'comparing the instructions with each other. Give one score per instruction, in their order.\n\n' +
      'Instructions:\n{% for instruction in instructions %}#{{ forloop.index }}: {{ instruction }}\n{% endfor %}',
    inputs: { instructions: options.instructions ?? 'instructions' },
    schema: z.object({ scores: z.array(SCORE) }),
    perItem: { column: options.instructions ?? 'instructions', schema: (n) => z.object({ scores: z.array(SCORE).length(n) }) },
    columns: { scores: 'complexity_scores' },
    params: { instructions: options.instructions ?? 'instructions' },
  });
}
