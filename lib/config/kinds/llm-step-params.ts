/**
 * What the LLM step kinds share: the params every LLM step has, and the way back from a built
 * LLM step to them, leaving out what equals the default so that saved definitions stay short.
 * @module
 */
import { z } from 'zod';
import type { AnyStep } from '../../core/step.ts';
import type { Llm } from '../../llm/client.ts';
import { defaultRowConcurrency } from '../../llm/llm-step.ts';
import { field, stepOptions } from '../fields.ts';
import { batchField } from '../batch-field.ts';
import type { SaveContext } from '../step-kind.ts';

/** Params of every LLM step. */
export const llmStepShape = {
  ...stepOptions,
  llm: field.nonEmpty('The LLM to call: a name declared under `llms:`.'),
  as: field.nonEmpty('Output column.').optional(),
  concurrency: field
    .concurrency(
      "Rows in flight in this step. Default 4 × the LLM's `concurrency` (at most 1024): a row waiting out a 429 holds no request; the LLM's own `concurrency` still caps its requests.",
    )
    .optional(),
  metadata: field.flag('Adds `_sluice.<step>` with model, usage, finish reason and request id. Default `true`.').optional(),
  inputs: field.stringMap('Template variables read from other columns: `{ question: prompt }` fills `question` from column `prompt`.').optional(),
  cache: field.flag("Use the run's request cache for this step. Default `true`.").optional(),
  batch: batchField.optional(),
};

/** Params of chat steps (`generate`, `structured`). */
export const chatShape = {
  ...llmStepShape,
  prompt: field.text('The user message, a liquid template over row columns: `Answer: {{ question }}`.'),
  system: field.text('A system message template.').optional(),
  fewShot: z
    .array(
      z.strictObject(
        { user: field.text('What the user said.'), assistant: field.text('What the assistant answered.') },
        { error: 'a map with `user` and `assistant`' },
      ),
      { error: 'a list of `{ user, assistant }` pairs' },
    )
    .describe('Example exchanges put before the prompt.')
    .optional(),
  params: field.jsonMap("Sampling parameters for this step, over the LLM's: `{ temperature: 0.2, max_tokens: 300 }`.").optional(),
};

/** The options every LLM step builder takes, from checked params. */
export function llmOptions<P extends { llm: string }>(params: P, llm: Llm): Omit<P, 'llm'> & { llm: Llm } {
  const { llm: _name, ...rest } = params;
  return { ...rest, llm };
}

/** Puts `value` under `key` unless it equals `fallback` (or is null/empty). */
export function unlessDefault(out: Record<string, unknown>, key: string, value: unknown, fallback?: unknown): void {
  if (value === undefined || value === null) return;
  if (fallback !== undefined && JSON.stringify(value) === JSON.stringify(fallback)) return;
  if (Array.isArray(value) && value.length === 0) return;
  if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) return;
  out[key] = value;
}

/**
 * The params of a built LLM step: its LLM (by name in `llms:`), then `fields` in order (each
 * left out when it equals its default), then the options every LLM step has.
 */
export function llmParamsOf(
  step: AnyStep,
  ctx: SaveContext,
  fields: ReadonlyArray<readonly [key: string, fallback?: unknown]>,
  defaultAs: string,
): Record<string, unknown> | undefined {
  const llm = step.resources?.llm as Llm | undefined;
  if (!llm) return undefined;
  const p = step.params;
  const out: Record<string, unknown> = { llm: ctx.llm(llm) };
  for (const [key, fallback] of fields) unlessDefault(out, key, p[key], fallback);
  unlessDefault(out, 'as', p.as, defaultAs);
  const batch = (p.batch ?? llm.options?.batch) !== undefined && (p.batch ?? llm.options?.batch) !== false;
  unlessDefault(out, 'concurrency', p.concurrency, batch ? Number.POSITIVE_INFINITY : defaultRowConcurrency(llm));
  unlessDefault(out, 'metadata', p.metadata, true);
  unlessDefault(out, 'inputs', p.inputs);
  unlessDefault(out, 'cache', p.cache, true);
  unlessDefault(out, 'batch', p.batch, false);
  return out;
}
