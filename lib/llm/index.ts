/**
 * `sluice/llm`: LLM clients and steps. A separate entry point so that pipelines without LLM
 * steps do not load the OpenAI SDK.
 * @module
 */
export { createLlm, type Llm, type LlmOptions, type SamplingParams, type LlmResult, type LlmEvent } from './client.ts';
export * from './llm-errors.ts';
export { generate, type GenerateOptions } from './generate.ts';
export { structured, InvalidOutputError, type StructuredOptions } from './structured.ts';
export { complete, type CompleteOptions } from './complete.ts';
export { embed, type EmbedOptions } from './embed.ts';
export { promptTemplate, type PromptTemplate } from './prompt-template.ts';
export type { FewShot } from './chat-messages.ts';
export { METADATA_KEY } from './llm-step.ts';
export { PriceTable, type Price } from './prices.ts';
export type { UsageSnapshot } from './usage.ts';
export { RateLimiter } from './rate-limiter.ts';
export { RetryPolicy, classify } from './retry-policy.ts';
