/**
 * `qualityScorer`: a quality score for each response to an instruction, as Deita's quality
 * scorer (Liu et al., 2023, "What Makes Good Data for Alignment?") asks for: the responses are
 * ranked against each other, each scored 1 (poor) to 6 (excellent), so that near-equal answers
 * are told apart.
 *
 * Prompt (user):
 * > Score each response to the instruction for its quality (helpful, accurate, deep, creative,
 * > detailed), 1 to 6, comparing them with each other. One score per response, in order.
 * > Instruction: {{ instruction }}  Responses: #1 …, #2 …
 * @module
 */
import { z } from 'zod';
import type { Adds, Step } from '../core/step.ts';
import { structuredTask, type TaskOptions } from './structured-task.ts';

export interface QualityScorerOptions extends TaskOptions {
  /** The column with the instruction. Default `instruction`. */
  instruction?: string;
  /** The column with the list of responses. Default `responses`. */
  responses?: string;
}

/** One score, as the method defines its scale. */
const SCORE = z.number().int().min(1).max(6);

/**
 * @example
 * qualityScorer({ llm, responses: 'generations' }) // adds quality_scores: number[]
 */
export function qualityScorer<R>(options: QualityScorerOptions): Step<R, Adds<{ quality_scores: number[] }>> {
  return structuredTask({
    kind: 'qualityScorer',
    options,
    prompt:
      'Score each response to the instruction for its quality (helpful, accurate, deep, creative, detailed), from 1 (poor) to 6 (excellent), ' +
      'comparing the responses with each other. Give one score per response, in the order of the responses.\n\n' +
      'Instruction:\n{{ instruction }}\n\nResponses:\n{% for response in responses %}#{{ forloop.index }}: {{ response }}\n{% endfor %}',
    inputs: { instruction: options.instruction ?? 'instruction', responses: options.responses ?? 'responses' },
    schema: z.object({ scores: z.array(SCORE) }),
    perItem: { column: options.responses ?? 'responses', schema: (n) => z.object({ scores: z.array(SCORE).length(n) }) },
    columns: { scores: 'quality_scores' },
    params: { instruction: options.instruction ?? 'instruction', responses: options.responses ?? 'responses' },
  });
}
