/**
 * `llmsOf`: the LLMs a pipeline's steps use, branches included, to close them after a run or
 * to look them up by name.
 * @module
 */
import type { AnyStep } from '../core/step.ts';
import type { Llm } from '../llm/client.ts';

/**
 * Every distinct LLM the steps use (through their `resources.llm`), in step order.
 * @example
 * const qa = await loadDefinition('qa.yaml');
 * await qa.run();
 * await Promise.all(llmsOf(qa).map((llm) => llm.close()));
 */
export function llmsOf(pipeline: { readonly steps: readonly AnyStep[] }): Llm[] {
  const found = new Set<Llm>();
  const walk = (steps: readonly AnyStep[]): void => {
    for (const step of steps) {
      const llm = step.resources?.llm as Llm | undefined;
      if (llm && typeof llm.chat === 'function') found.add(llm);
      for (const branch of Object.values(step.branches ?? {})) walk(branch);
    }
  };
  walk(pipeline.steps);
  return [...found];
}
