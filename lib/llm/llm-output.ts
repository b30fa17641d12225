/**
 * The columns an LLM step adds, as types: its output column, and `_sluice` while `metadata` is on.
 * @module
 */
import type { Adds } from '../core/step.ts';
import type { NoInputs, PromptCheck } from './prompt-check.ts';

/** The `_sluice` column: per step name, its call's model, usage, finish reason and request id. */
export type SluiceMetadata = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** Adds column `As` of type `V`, and `_sluice` unless `metadata: false` (`M`). */
export type LlmAdds<As extends string, V, M extends boolean> = Adds<
  { [K in As]: V } & (false extends M ? (true extends M ? { _sluice?: SluiceMetadata } : unknown) : { _sluice: SluiceMetadata })
>;

/** `LlmAdds` plus the `<As>_logprobs` column of `logprobs: true`. */
export type LlmAddsWithLogprobs<As extends string, V, L, M extends boolean> = Adds<
  { [K in As]: V } & { [K in `${As}_logprobs`]: L } & (false extends M
      ? true extends M
        ? { _sluice?: SluiceMetadata }
        : unknown
      : { _sluice: SluiceMetadata })
>;

/** The template options of an LLM step, checked against the row type `R` (see `prompt-check.ts`). */
export type CheckedTemplate<Key extends string, P extends string, R, I> = { [K in Key]: P } & { inputs?: I } & PromptCheck<P, R, I>;

export type { NoInputs };
