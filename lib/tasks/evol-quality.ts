/**
 * `evolQuality`: a response rewritten to be better in one way, as EvolQuality in Deita (Liu et
 * al., 2023) evolves answers: more helpful, more relevant, deeper, more creative, or more
 * detailed. The way is chosen with `mutation`.
 *
 * Prompt (user):
 * > Rewrite the response to the instruction so that it is {mutation}, keeping it correct and on
 * > topic. Instruction: {{ instruction }}  Response: {{ response }}
 * @module
 */
import { z } from 'zod';
import { SluiceConfigError } from '../core/errors.ts';
import type { Adds, Step } from '../core/step.ts';
import { structuredTask, type TaskOptions } from './structured-task.ts';

export const EVOL_QUALITY_MUTATIONS = {
  helpfulness: 'more helpful to the person who asked',
  relevance: 'more relevant to exactly what was asked',
  depth: 'deeper, explaining the why behind it',
  creativity: 'more creative and engaging',
  details: 'more detailed and specific',
} as const;

export type EvolQualityMutation = keyof typeof EVOL_QUALITY_MUTATIONS;

export interface EvolQualityOptions extends TaskOptions {
  /** Default `helpfulness`. */
  mutation?: EvolQualityMutation;
  /** The column with the instruction. Default `instruction`. */
  instruction?: string;
  /** The column with the response. Default `response`. */
  response?: string;
}

/**
 * @example
 * evolQuality({ llm, mutation: 'depth' }) // adds evolved_response: string
 */
export function evolQuality<R>(options: EvolQualityOptions): Step<R, Adds<{ evolved_response: string }>> {
  const mutation = options.mutation ?? 'helpfulness';
  if (!Object.hasOwn(EVOL_QUALITY_MUTATIONS, mutation)) {
    throw new SluiceConfigError(`Expected \`mutation\` to be one of ${Object.keys(EVOL_QUALITY_MUTATIONS).join(', ')}, got \`${String(mutation)}\``);
  }
  return structuredTask({
    kind: 'evolQuality',
    options,
    prompt:
      `Rewrite the response to the instruction so that it is ${EVOL_QUALITY_MUTATIONS[mutation]}, keeping it correct and on topic.\n\n` +
      'Instruction:\n{{ instruction }}\n\nResponse:\n{{ response }}',
    inputs: { instruction: options.instruction ?? 'instruction', response: options.response ?? 'response' },
    schema: z.object({ response: z.string().min(1) }),
    columns: { response: 'evolved_response' },
    params: { mutation, instruction: options.instruction ?? 'instruction', response: options.response ?? 'response' },
  });
}
