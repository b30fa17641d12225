/**
 * `evolInstruct`: an instruction made harder, or new in its domain, over `rounds` rounds, as in
 * Evol-Instruct (Xu et al., 2023, "WizardLM: Empowering Large Language Models to Follow Complex
 * Instructions"). Each round picks one mutation, from the row's instruction and the round (the
 * same row, the same picks): in depth (add a constraint, deepen, make concrete, ask for more
 * reasoning steps) or in breadth (a new, rarer instruction in the same domain).
 *
 * An evolution that failed is eliminated, as the paper does: the row fails with
 * `SLUICE_TASK_ELIMINATED` and the reason, when a round's instruction is the same as the last,
 * is a refusal (says sorry, under 80 words), is empty, or leaks the rewriting prompt's words.
 *
 * Prompt (user), per round:
 * > Here is an instruction: {current}. {mutation} The new instruction must make sense on its own,
 * > be answerable by a capable assistant, and add at most 20 words. Reply with it alone.
 * @module
 */
import { createHash } from 'node:crypto';
import { checkPositiveInt } from '../core/define-step.ts';
import { SluiceConfigError, SluiceError } from '../core/errors.ts';
import type { Adds, Step } from '../core/step.ts';
import { cachedCall } from '../llm/cached-call.ts';
import { llmStep, withSample } from '../llm/llm-step.ts';
import { responseMetadata } from '../llm/response-metadata.ts';
import type { TaskOptions } from './structured-task.ts';

export const EVOL_INSTRUCT_MUTATIONS = {
  constraints: 'Rewrite it with one more constraint or requirement.',
  deepen: 'Rewrite it so that it asks about the same issue in more depth and breadth.',
  concretize: 'Rewrite it with the general ideas in it replaced by more specific ones.',
  reasoning: 'Rewrite it so that answering it clearly needs several steps of reasoning.',
  breadth: 'Write a new instruction instead, in the same domain but on a rarer topic, of the same length and difficulty.',
} as const;

export type EvolInstructMutation = keyof typeof EVOL_INSTRUCT_MUTATIONS;

/** A round's instruction failed: why, or `undefined` when it passes. */
export function eliminationReason(previous: string, evolved: string): string | undefined {
  const normal = (text: string) => text.toLowerCase().replace(/\s+/g, ' ').trim();
  if (!/[\p{L}\p{N}]/u.test(evolved)) return 'the new instruction is empty';
  if (normal(evolved) === normal(previous)) return 'the new instruction is the same as the last';
  if (/\bsorry\b/i.test(evolved) && evolved.trim().split(/\s+/).length < 80) return 'the model refused (it says sorry)';
  if (/(rewritten|given|new) instruction\b/i.test(evolved)) return "the new instruction copies the rewriting prompt's words";
  return undefined;
}

class EliminatedError extends SluiceError {
  override name = 'EliminatedError';
  override readonly code = 'SLUICE_TASK_ELIMINATED';
}

export interface EvolInstructOptions extends TaskOptions {
  /** The column with the instruction. Default `instruction`. */
  instruction?: string;
  /** Rounds of evolution. Default 1. */
  rounds?: number;
  /** The mutations to pick from. Default: all five. */
  mutations?: readonly EvolInstructMutation[];
}

/**
 * @example
 * evolInstruct({ llm, rounds: 3 }) // adds evolved_instructions: string[] (one per round; the last is the hardest)
 */
export function evolInstruct<R>(options: EvolInstructOptions): Step<R, Adds<{ evolved_instructions: string[] }>> {
  const rounds = checkPositiveInt('rounds', options.rounds ?? 1, false);
  const mutations = [...(options.mutations ?? (Object.keys(EVOL_INSTRUCT_MUTATIONS) as EvolInstructMutation[]))];
  if (mutations.length === 0 || mutations.some((m) => !Object.hasOwn(EVOL_INSTRUCT_MUTATIONS, m))) {
    throw new SluiceConfigError(`Expected \`mutations\` to be a non-empty list of ${Object.keys(EVOL_INSTRUCT_MUTATIONS).join(', ')}`);
  }
  const column = options.instruction ?? 'instruction';
  const params = { ...options.params };
  const step = llmStep({
    kind: 'evolInstruct',
    options: { ...options, as: 'evolved_instructions', inputs: { instruction: column } },
    defaultAs: 'evolved_instructions',
    variables: ['instruction'],
    params: { instruction: column, rounds, mutations, params },
    async work(row, call, ctx) {
      let current = String(row.instruction ?? '');
      const evolved: string[] = [];
      let attempts = 0;
      let metadata: Record<string, unknown> = {};
      for (let round = 0; round < rounds; round++) {
        const pick = createHash('sha256').update(`${current}\0${round}`).digest().readUInt32BE(0) % mutations.length;
        const mutation = mutations[pick]!;
        const content =
          `Here is an instruction:\n\n${current}\n\n${EVOL_INSTRUCT_MUTATIONS[mutation]} ` +
          'The new one must make sense on its own, be answerable by a capable assistant, and add at most 20 words. Reply with it alone.';
        const request = withSample({ messages: [{ role: 'user' as const, content }], ...params }, call);
        const result = await cachedCall(ctx, options.llm, 'chat', request, { enabled: true, sample: call.sample }, () =>
          options.llm.chat(request as never, call.options),
        );
        attempts += result.attempts;
        const next = (result.response.choices[0]?.message.content ?? '').trim();
        const reason = eliminationReason(current, next);
        if (reason) throw new EliminatedError(`Round ${round + 1} (${mutation}) was eliminated: ${reason}`);
        evolved.push(next);
        current = next;
        metadata = { ...responseMetadata(result, result.response as never), attempts, rounds: round + 1 };
      }
      return { values: [evolved], shape: 'single', metadata };
    },
  });
  return step as never;
}
