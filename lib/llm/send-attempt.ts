/**
 * One HTTP attempt of an LLM call: the send, its time limit, and the check that a 200 is an answer.
 * Retries, limits and accounting sit around it (`call-with-retries.ts`), the way undici's retry
 * interceptor sits over one dispatch.
 * @module
 */
import { LlmBadResponseError, LlmTimeoutError } from './llm-errors.ts';
import type { Clock } from './rate-limiter.ts';

/** What the SDK's `.withResponse()` gives. */
export interface SentResponse<T> {
  data: T;
  response: Response;
  request_id: string | null;
}

export type LlmCallKind = 'chat' | 'complete' | 'embed';

export interface AttemptOptions {
  llm: string;
  kind: LlmCallKind;
  /** Time limit of the attempt, body included; `Infinity` for none. */
  timeoutMs: number;
  /** The call's signal: aborting it aborts the attempt. */
  signal: AbortSignal;
  timers: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  /** Which attempt of the call this is, for the errors it throws. */
  attempt: number;
}

/**
 * Sends once. Resolves with the response when its body is a usable answer; otherwise rejects with
 * `LlmTimeoutError` (the time limit passed), `LlmBadResponseError` (a 200 that is not an answer),
 * or whatever the SDK threw, for the caller to classify.
 */
export async function sendAttempt<T>(send: (signal: AbortSignal) => Promise<SentResponse<T>>, options: AttemptOptions): Promise<SentResponse<T>> {
  const { llm, kind, timeoutMs, signal, timers, attempt } = options;
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal.reason);
  if (signal.aborted) controller.abort(signal.reason);
  else signal.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  const timer =
    timeoutMs === Infinity
      ? undefined
      : timers.setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, timeoutMs);
  try {
    const sent = await send(controller.signal);
    const problem = answerProblem(kind, sent.data);
    if (problem) {
      throw new LlmBadResponseError(`LLM \`${llm}\` answered 200 with a body that is not an answer: ${problem}`, {
        llm,
        attempts: attempt,
        status: sent.response.status,
        ...(sent.request_id ? { requestId: sent.request_id } : {}),
      });
    }
    return sent;
  } catch (error) {
    if (timedOut && !signal.aborted) throw new LlmTimeoutError(`LLM \`${llm}\` did not answer within ${timeoutMs} ms`, { llm, attempts: attempt });
    throw error;
  } finally {
    if (timer !== undefined) timers.clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

/** Why a parsed 200 body is not an answer of its kind, or undefined when it is one. */
function answerProblem(kind: LlmCallKind, data: unknown): string | undefined {
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    return `expected a JSON object, got ${data === null ? 'null' : Array.isArray(data) ? 'an array' : typeof data}`;
  if (kind === 'embed') return Array.isArray((data as { data?: unknown }).data) ? undefined : 'no `data` list';
  const choices = (data as { choices?: unknown }).choices;
  if (!Array.isArray(choices) || choices.length === 0) return 'no `choices`';
  return undefined;
}
