/**
 * `perplexity`: how surprised the model was by its own answer, from the token log-probabilities
 * that `generate({ logprobs: true })` or `complete({ logprobs: true })` wrote: `exp(-mean(logprobs))`.
 * 1 is a model certain of every token; higher is less certain. A row without log-probabilities
 * (a server that does not return them) gets `null`.
 * @module
 */
import { map } from '../operators/map.ts';
import { withColumns } from '../core/columns.ts';
import type { Adds, Step, StepOptions } from '../core/step.ts';

/** The perplexity of a list of token log-probabilities, or `null` when there are none. */
export function perplexityOf(logprobs: unknown): number | null {
  if (!Array.isArray(logprobs) || logprobs.length === 0 || logprobs.some((value) => typeof value !== 'number')) return null;
  const mean = (logprobs as number[]).reduce((sum, value) => sum + value, 0) / logprobs.length;
  return Math.exp(-mean);
}

export interface PerplexityOptions extends StepOptions {
  /** The column with the log-probabilities. Default `generation_logprobs`. */
  logprobs?: string;
  /** The column to write. Default `perplexity`. */
  as?: string;
}

/**
 * @example
 * pipeline('p').pipe(generate({ llm, prompt: '{{ q }}', as: 'answer', logprobs: true }), perplexity({ logprobs: 'answer_logprobs' }))
 */
export function perplexity<R>(options: PerplexityOptions = {}): Step<R, Adds<{ perplexity: number | null }>> {
  const column = options.logprobs ?? 'generation_logprobs';
  const as = options.as ?? 'perplexity';
  const step = map((row: Record<string, unknown>) => ({ ...row, [as]: perplexityOf(row[column]) }), {
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  return {
    ...step,
    kind: 'perplexity',
    name: options.name ?? 'perplexity',
    named: options.name !== undefined,
    needs: [column],
    params: { logprobs: column, as },
    columnsAfter: (input: Parameters<typeof withColumns>[0]) => withColumns(input, [as]),
  } as never;
}
