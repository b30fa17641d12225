/**
 * LLMs in definitions: declared once under `llms:` and named by steps, as Benthos does with
 * resources. The schema of a declaration, and the declaration of a built LLM, for saving.
 * A declaration never holds a key: `OPENAI_API_KEY` comes from the environment, and goes only to
 * the environment's endpoint; an LLM with a `baseURL` of its own names the variable of its key in
 * `apiKeyEnv`.
 * @module
 */
import { z } from 'zod';
import type { Llm } from '../llm/client.ts';
import { field } from './fields.ts';
import { batchField } from './batch-field.ts';

export const llmDeclarationSchema = z.strictObject(
  {
    model: field.nonEmpty('Model id sent with each request: `gpt-4o-mini`.'),
    baseURL: field.nonEmpty("Any OpenAI-compatible server, such as `http://localhost:8000/v1`. Default: OPENAI_BASE_URL, else OpenAI's API.").optional(),
    apiKeyEnv: field
      .nonEmpty(
        "The environment variable that holds the key for `baseURL`, such as `TOGETHER_API_KEY`. OPENAI_API_KEY is sent only to OPENAI_BASE_URL (or OpenAI's API); another server gets the key named here, or none.",
      )
      .optional(),
    params: field.jsonMap('Default sampling parameters: `{ temperature: 0.7, max_tokens: 400 }`.').optional(),
    concurrency: field.concurrency('Requests in flight at once; more wait in a queue. Default 64.').optional(),
    rpm: field.positive('Requests per minute. Default `.inf`.').optional(),
    tpm: field.positive('Tokens per minute (prompt and completion). Default `.inf`.').optional(),
    timeoutMs: field.positive('Time limit of one attempt, in milliseconds. Default 600000.').optional(),
    maxRetryAfterMs: field.natural('Longest `retry-after` honoured, in milliseconds. Default 60000.').optional(),
    failOnFinishReasons: field.names('Finish reasons that fail the call, such as `[length]`. Default none.').optional(),
    batch: batchField.optional(),
  },
  { error: 'a map with `model`' },
);

export type LlmDeclaration = z.output<typeof llmDeclarationSchema>;

/** Declarations of the LLMs that definitions made, as written (never from the environment). */
const declarations = new WeakMap<Llm, LlmDeclaration>();

/** @internal Remembers the declaration an LLM was made from. */
export function rememberDeclaration(llm: Llm, declaration: LlmDeclaration): void {
  declarations.set(llm, declaration);
}

const DEFAULTS: Partial<Record<keyof LlmDeclaration, unknown>> = {
  concurrency: 64,
  rpm: Number.POSITIVE_INFINITY,
  tpm: Number.POSITIVE_INFINITY,
  timeoutMs: 600_000,
  maxRetryAfterMs: 60_000,
};
const KEYS = ['model', 'baseURL', 'apiKeyEnv', 'params', 'concurrency', 'rpm', 'tpm', 'timeoutMs', 'maxRetryAfterMs', 'failOnFinishReasons', 'batch'] as const;

/**
 * What to write under `llms:` for `llm`: its declaration when a definition made it, else what
 * `createLlm` was given (`model`, `baseURL`, `params`, limits). Defaults are left out, and so
 * is anything that is not plain data (a shared retry policy, a clock, prices). Never `apiKey`.
 */
export function declarationOf(llm: Llm): LlmDeclaration {
  const source: Record<string, unknown> = declarations.get(llm) ?? { ...llm.options, model: llm.model, params: llm.params };
  const out: Record<string, unknown> = {};
  for (const key of KEYS) {
    const value = source[key];
    if (value === undefined || value === null || value === DEFAULTS[key]) continue;
    if (Array.isArray(value) ? value.length === 0 : typeof value === 'object' && Object.keys(value).length === 0) continue;
    out[key] = Array.isArray(value) ? [...value] : typeof value === 'object' ? { ...value } : value;
  }
  return out as LlmDeclaration;
}
