/**
 * The typed events of one LLM's calls, in the order they happen. Messages are scrubbed of the API key.
 * @module
 */
import type { RetryReason } from './retry-policy.ts';
import type { LlmCallKind } from './send-attempt.ts';

interface LlmEventBase {
  llm: string;
  kind: LlmCallKind;
  /** Sequence number of the call within this LLM, to correlate its events. */
  call: number;
  attempt: number;
}

export type LlmEvent =
  | (LlmEventBase & { type: 'request'; estimatedTokens: number })
  | (LlmEventBase & { type: 'response'; status: number; requestId: string | undefined; promptTokens: number; completionTokens: number; durationMs: number })
  | (LlmEventBase & { type: 'rate-limited'; status: 429; delayMs: number })
  | (LlmEventBase & { type: 'retry'; status: number | undefined; delayMs: number; reason: RetryReason; code: string })
  | (LlmEventBase & { type: 'error'; status: number | undefined; code: string; message: string });
