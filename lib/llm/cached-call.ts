/**
 * Wraps one LLM call with the run's request cache. The key covers the endpoint (so that answers of
 * one server, the simulator above all, are never served for another), the model, the whole request
 * after templating (messages or prompt or input, sampling parameters, response schema, `n`), the
 * LLM's default parameters, the row's sample identity (`sample: 'row'`), and a `variant` for
 * repeated asks (a retry after an invalid reply).
 * @module
 */
import type { StepContext } from '../core/step.ts';
import type { Llm, LlmResult } from './client.ts';
import type { RequestCache } from '../cache/request-cache.ts';

export type CallKind = 'chat' | 'complete' | 'embed';

export interface CachedResult<T> extends LlmResult<T> {
  /** True when the answer came from the cache and no request was sent. */
  cached?: boolean;
}

export function runCache(ctx: StepContext): RequestCache | undefined {
  return ctx.services.get('cache') as RequestCache | undefined;
}

export async function cachedCall<T>(
  ctx: StepContext,
  llm: Llm,
  kind: CallKind,
  request: Readonly<Record<string, unknown>>,
  options: { enabled: boolean; variant?: number; sample?: string | undefined },
  call: () => Promise<LlmResult<T>>,
): Promise<CachedResult<T>> {
  const cache = options.enabled ? runCache(ctx) : undefined;
  if (!cache) return call();
  const model = (request.model as string | undefined) ?? llm.model;
  // Messages and prompts are built by Sluice in a fixed key order: hashed as they are, apart from
  // the rest of the request, whose parameters come from users in any order and are canonicalised.
  const { messages, prompt, ...rest } = request;
  const material = {
    kind,
    endpoint: llm.endpoint ?? '',
    model,
    params: kind === 'embed' ? {} : llm.params,
    request: rest,
    variant: options.variant ?? 0,
    ...(options.sample === undefined ? {} : { sample: options.sample }),
  };
  const key = cache.key(material, { messages, prompt });
  const hit = await cache.get(key);
  if (hit) {
    llm.usage.recordCacheHit();
    if (ctx.events.observed) ctx.events.next({ type: 'cache', step: ctx.step, hit: true });
    return { response: hit.response as T, attempts: 0, requestId: hit.requestId, model, processingMs: undefined, rateLimit: {}, cached: true };
  }
  if (ctx.events.observed) ctx.events.next({ type: 'cache', step: ctx.step, hit: false });
  const result = await call();
  await cache.set(key, { response: result.response, requestId: result.requestId });
  return result;
}
