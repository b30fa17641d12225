/**
 * The metadata an LLM step records per row: model, usage, finish reason, request id, attempts,
 * and whether the built-in simulator answered.
 * @module
 */
import type { LlmResult } from './client.ts';

interface AnyResponse {
  model?: string;
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number } | null;
  choices?: ReadonlyArray<{ finish_reason?: string | null }>;
  system_fingerprint?: string | null;
}

export const SIMULATOR_FINGERPRINT = 'sluice-simulator';

export function responseMetadata(result: LlmResult<unknown>, response: AnyResponse): Record<string, unknown> {
  const finish = response.choices?.map((c) => c.finish_reason ?? null) ?? [];
  return {
    model: response.model ?? result.model,
    usage: {
      prompt_tokens: response.usage?.prompt_tokens ?? 0,
      completion_tokens: response.usage?.completion_tokens ?? 0,
    },
    ...(finish.length > 0 ? { finish_reason: finish.length === 1 ? finish[0] : finish } : {}),
    request_id: result.requestId ?? null,
    attempts: result.attempts,
    ...((result as { cached?: boolean }).cached ? { cached: true } : {}),
    ...(response.system_fingerprint === SIMULATOR_FINGERPRINT ? { simulated: true } : {}),
  };
}
