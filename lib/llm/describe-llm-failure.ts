/**
 * Turns whatever an attempt threw into a Sluice LLM error whose message and cause are scrubbed
 * of the secrets. SDK errors are never passed on as they are: their messages and bodies can echo
 * request headers.
 * @module
 */
import OpenAI, { APIError } from 'openai';
import { LlmAuthError, LlmBadResponseError, LlmConnectionError, LlmError, LlmHttpError, LlmRateLimitError } from './llm-errors.ts';
import { redact, scrubError } from './redact.ts';

export interface FailureContext {
  llm: string;
  baseURL: string;
  secrets: readonly (string | undefined)[];
}

export function describeLlmFailure(error: unknown, attempt: number, { llm, baseURL, secrets }: FailureContext): LlmError {
  if (error instanceof LlmError) {
    error.attempts = attempt;
    return error;
  }
  const cause = scrubError(error, secrets);
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status;
    const body = error.error as { message?: unknown } | undefined;
    const detail = typeof body?.message === 'string' ? body.message : error.message;
    const code = typeof error.code === 'string' ? ` ${error.code}` : '';
    const message = redact(`LLM \`${llm}\` answered ${status}${code}: ${detail}`, secrets);
    const details = { llm, attempts: attempt, status, ...(error.requestID ? { requestId: error.requestID } : {}), cause };
    if (status === 429) return new LlmRateLimitError(message, details);
    if (status === 401 || status === 403) {
      return new LlmAuthError(
        `${message}. The server refused the API key, so the run stops here: no other row would fare better. ` +
          'Check the key (OPENAI_API_KEY, or the variable the LLM names) and that it may use this model, then run the same command again.',
        details,
      );
    }
    return new LlmHttpError(message, details);
  }
  if (error instanceof OpenAI.APIConnectionError || isNetworkError(error) || socketCode(error) !== undefined) {
    return new LlmConnectionError(redact(`Could not reach LLM \`${llm}\` at ${baseURL}: ${deepestMessage(error)}`, secrets), { llm, attempts: attempt, cause });
  }
  if (error instanceof SyntaxError) {
    return new LlmBadResponseError(redact(`LLM \`${llm}\` answered with a body that is not JSON: ${error.message}`, secrets), {
      llm,
      attempts: attempt,
      cause,
    });
  }
  return new LlmError(redact(`LLM \`${llm}\` call failed: ${error instanceof Error ? error.message : String(error)}`, secrets), {
    llm,
    attempts: attempt,
    cause,
  });
}

function isNetworkError(error: unknown): boolean {
  return error instanceof TypeError && error.message === 'fetch failed';
}

/** A socket-level code (`ECONNRESET`, `UND_ERR_SOCKET`…) anywhere down the cause chain. */
function socketCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code)) return code;
    current = current.cause;
  }
  return undefined;
}

function deepestMessage(error: unknown): string {
  let current: unknown = error;
  let message = error instanceof Error ? error.message : String(error);
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current.message) message = current.message;
    current = current.cause;
  }
  return message;
}
