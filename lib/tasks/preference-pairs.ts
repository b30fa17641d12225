/**
 * `preferencePairs`: a chosen and a rejected response from several generations, for preference
 * tuning (DPO), as in the synthetic preference flow Nvidia describes for Nemotron (and Dria's docs
 * cite): a judge scores every generation, the best becomes `chosen`, the worst `rejected`. A row
 * whose generations all score the same gives no pair: `chosen` and `rejected` are `null`, and
 * `filter` can drop it.
 *
 * Prompt (user):
 * > Score each response to the instruction from 1 (poor) to 10 (excellent) for how helpful,
 * > correct and clear it is. One score per response, in order.
 * > Instruction: {{ instruction }}  Responses: #1 …, #2 …
 * @module
 */
import { z } from 'zod';
import type { Adds, Step } from '../core/step.ts';
import { structuredTask, type TaskOptions } from './structured-task.ts';

export interface PreferencePairsOptions extends TaskOptions {
  /** The column with the instruction. Default `instruction`. */
  instruction?: string;
  /** The column with the list of responses (two or more). Default `generations`. */
  generations?: string;
}

export interface PreferencePair {
  chosen: string | null;
  rejected: string | null;
  chosen_score: number | null;
  rejected_score: number | null;
  /** The judge's score for each generation, in order. */
  scores: number[];
}

/** The best and the worst of `generations` by `scores` (the first of equals); none when all are equal. */
export function pickPair(generations: readonly unknown[], scores: readonly number[]): PreferencePair {
  const count = Math.min(generations.length, scores.length);
  let best = -1;
  let worst = -1;
  for (let i = 0; i < count; i++) {
    if (best < 0 || scores[i]! > scores[best]!) best = i;
    if (worst < 0 || scores[i]! < scores[worst]!) worst = i;
  }
  if (best < 0 || scores[best] === scores[worst]) return { chosen: null, rejected: null, chosen_score: null, rejected_score: null, scores: [...scores] };
  return {
    chosen: String(generations[best]),
    rejected: String(generations[worst]),
    chosen_score: scores[best]!,
    rejected_score: scores[worst]!,
    scores: [...scores],
  };
}

/** One score, as the method defines its scale. */
const SCORE = z.number().int().min(1).max(10);

/**
 * @example
 * preferencePairs({ llm: judge }) // adds chosen, rejected, chosen_score, rejected_score, scores
 */
export function preferencePairs<R>(options: PreferencePairsOptions): Step<R, Adds<PreferencePair>> {
  const generations = options.generations ?? 'generations';
  return structuredTask({
    kind: 'preferencePairs',
    options,
    prompt:
      'Score each response to the instruction from 1 (poor) to 10 (excellent) for how helpful, correct and clear it is. ' +
      'Give one score per response, in the order of the responses.\n\n' +
      'Instruction:\n{{ instruction }}\n\nResponses:\n{% for response in generations %}#{{ forloop.index }}: {{ response }}\n{% endfor %}',
    inputs: { instruction: options.instruction ?? 'instruction', generations },
    schema: z.object({ scores: z.array(SCORE) }),
    perItem: { column: generations, schema: (n) => z.object({ scores: z.array(SCORE).length(n) }) },
    derive: {
      adds: ['chosen', 'rejected', 'chosen_score', 'rejected_score', 'scores'],
      fn: (reply, row) => ({ ...pickPair(Array.isArray(row[generations]) ? (row[generations] as unknown[]) : [], reply.scores) }),
    },
    params: { instruction: options.instruction ?? 'instruction', generations },
  });
}
