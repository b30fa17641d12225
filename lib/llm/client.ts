/**
 * An LLM client that owns the whole request policy: a concurrency limit with a FIFO queue,
 * RPM/TPM rate limits, retries with a budget, a per-attempt timeout, cancellation and
 * accounting.
 *
 * It wraps the official `openai` SDK with its own retries turned off (`maxRetries: 0`): a
 * retry the SDK made would be invisible to the rate limiter, the concurrency limit and the
 * usage counters. The SDK talks through an undici `Agent` sized to the concurrency, with its
 * `fetch` from the same undici package (mixing npm undici's dispatcher with Node's bundled
 * fetch fails: openai-node #1886) and header/body timeouts above ours (undici's 300 s default
 * would cut long calls: openai-node #2153).
 *
 * Any OpenAI-compatible server works by `baseURL`: OpenAI, vLLM, Ollama, llama.cpp server,
 * OpenRouter, Together, Groq.
 * @module
 */
import OpenAI from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { Completion, CompletionCreateParamsNonStreaming } from 'openai/resources/completions';
import type { CreateEmbeddingResponse, EmbeddingCreateParams } from 'openai/resources/embeddings';
import { APIError } from 'openai';
import { Subject } from 'rxjs';
import { Agent, fetch as undiciFetch } from 'undici';
import { SluiceConfigError } from '../core/errors.ts';
import {
  LlmAbortError,
  LlmConnectionError,
  LlmError,
  LlmFinishReasonError,
  LlmHttpError,
  LlmNotConfiguredError,
  LlmRateLimitError,
  LlmRetryBudgetError,
  LlmTimeoutError,
} from './llm-errors.ts';
import { PriceTable, type Price } from './prices.ts';
import { parseRateLimitDuration, RateLimiter, type Clock } from './rate-limiter.ts';
import { redact, scrubError } from './redact.ts';
import { RetryPolicy, type RetryDecision, type RetryPolicyOptions, type RetryReason } from './retry-policy.ts';
import { TokenEstimator, type EstimableRequest, type TokenEstimate } from './token-estimate.ts';
import { createUndiciFetch } from './undici-fetch.ts';
import { Usage, type ResponseUsage } from './usage.ts';

/** Default sampling parameters, merged under each request. Extra keys pass through (vLLM's `top_k`, `min_p`…). */
export interface SamplingParams {
  temperature?: number | null;
  top_p?: number | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  seed?: number | null;
  stop?: string | string[] | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  [param: string]: unknown;
}

export interface LlmOptions {
  /** Model id sent with each request (a request may name another). */
  model: string;
  /** Name in accounting, events and errors. Default: `model`. */
  name?: string;
  /** Default: `process.env.OPENAI_BASE_URL`, else OpenAI's API. */
  baseURL?: string;
  /** Default: `process.env.OPENAI_API_KEY`. Local servers often need none. */
  apiKey?: string;
  /** Default sampling parameters for `chat` and `complete`. */
  params?: SamplingParams;
  /** Requests in flight at once; more wait in a FIFO queue. Default 64. */
  concurrency?: number;
  /** Requests per minute. Default `Infinity`. */
  rpm?: number;
  /** Tokens per minute (prompt + completion, estimated then corrected). Default `Infinity`. */
  tpm?: number;
  /** Time limit of one attempt, body included. Default 600 000 (10 min). */
  timeoutMs?: number;
  /** Retry rules (attempts, backoff, budget), or a policy to share between LLMs. */
  retry?: RetryPolicyOptions | RetryPolicy;
  /** Longest `retry-after` honoured; longer ones are cut to this. Default 60 000. */
  maxRetryAfterMs?: number;
  /** Prices (USD per 1M tokens) over the built-in table, or a table. */
  prices?: Readonly<Record<string, Price>> | PriceTable;
  /** Finish reasons that fail the call with `SLUICE_LLM_FINISH_REASON`, e.g. `['length', 'content_filter']`. Default none. */
  failOnFinishReasons?: readonly string[];
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /**
   * How the SDK sends requests: `'undici-request'` (Sluice's fetch over `dispatcher.request`,
   * measured cheaper in CPU: see bench/llm-fetch.ts) or `'undici-fetch'` (undici's WHATWG fetch).
   * Default `'undici-request'`.
   */
  transport?: 'undici-request' | 'undici-fetch';
  /** Time and timers of the rate limiter and retry delays. Default: the system's. */
  clock?: Clock;
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the call, wherever it is: queued, rate-limited, in flight or between retries. */
  signal?: AbortSignal;
}

export type ChatRequest = Omit<ChatCompletionCreateParamsNonStreaming, 'model' | 'stream'> & { model?: string };
export type CompletionRequest = Omit<CompletionCreateParamsNonStreaming, 'model' | 'stream'> & { model?: string };
export type EmbeddingRequest = Omit<EmbeddingCreateParams, 'model'> & { model?: string };

/** Rate-limit state the server reported with the response (`x-ratelimit-*`), where present. */
export interface RateLimitInfo {
  limitRequests?: number;
  remainingRequests?: number;
  resetRequestsMs?: number;
  limitTokens?: number;
  remainingTokens?: number;
  resetTokensMs?: number;
}

/** What a call resolves to: the SDK's response plus what the headers and the policy add. */
export interface LlmResult<T> {
  response: T;
  /** HTTP attempts the call took (1 when the first one succeeded). */
  attempts: number;
  /** The server's `x-request-id`, for support tickets and provenance. */
  requestId: string | undefined;
  /** The model that was asked for. */
  model: string;
  /** Server-side processing time (`openai-processing-ms`), when reported. */
  processingMs: number | undefined;
  rateLimit: RateLimitInfo;
}

export type LlmCallKind = 'chat' | 'complete' | 'embed';

interface LlmEventBase {
  llm: string;
  kind: LlmCallKind;
  /** Sequence number of the call within this LLM, to correlate its events. */
  call: number;
  attempt: number;
}

/** Events of one LLM, in the order they happen. Messages are scrubbed of the API key. */
export type LlmEvent =
  | (LlmEventBase & { type: 'request'; estimatedTokens: number })
  | (LlmEventBase & { type: 'response'; status: number; requestId: string | undefined; promptTokens: number; completionTokens: number; durationMs: number })
  | (LlmEventBase & { type: 'rate-limited'; status: 429; delayMs: number })
  | (LlmEventBase & { type: 'retry'; status: number | undefined; delayMs: number; reason: RetryReason; code: string })
  | (LlmEventBase & { type: 'error'; status: number | undefined; code: string; message: string });

/** One configured LLM endpoint with its request policy. */
export interface Llm {
  readonly name: string;
  readonly model: string;
  readonly params: Readonly<SamplingParams>;
  /**
   * The options it was made with, without `apiKey` (never exposed), for saving a pipeline's
   * definition and for diagnostics. Optional so that stand-ins (tests, lazy proxies) need not have it.
   */
  readonly options?: Readonly<Omit<LlmOptions, 'apiKey'>>;
  /** A chat completion (`POST /chat/completions`, non-streaming). */
  chat(request: ChatRequest, options?: CallOptions): Promise<LlmResult<ChatCompletion>>;
  /** A legacy text completion (`POST /completions`), for raw prompts such as Magpie's. */
  complete(request: CompletionRequest, options?: CallOptions): Promise<LlmResult<Completion>>;
  /** Embeddings (`POST /embeddings`). Sampling `params` do not apply. */
  embed(request: EmbeddingRequest, options?: CallOptions): Promise<LlmResult<CreateEmbeddingResponse>>;
  /** Accounting: calls, requests, retries, 429s, errors, tokens, cost. */
  readonly usage: Usage;
  /** Typed events of every call. Completes on `close()`. */
  readonly events: Subject<LlmEvent>;
  /** The RPM/TPM limiter, for diagnostics. */
  readonly rateLimiter: RateLimiter;
  /** Aborts every call in progress, and closes the connections. Calls after it fail with `SLUICE_LLM_ABORTED`. */
  close(): Promise<void>;
}

const DEFAULT_CONCURRENCY = 64;
const DEFAULT_TIMEOUT_MS = 600_000;
// The agent's and the SDK's own timers must never fire before ours: ours covers the body
// too, and gives a clear error.
const TRANSPORT_TIMEOUT_MARGIN_MS = 5_000;
// Sent when no key is configured (local servers): the SDK insists on one.
const NO_KEY = 'sluice-no-api-key';

/**
 * Creates an LLM client with its request policy.
 *
 * @example
 * ```ts
 * const judge = createLlm({ model: 'gpt-4o-mini', rpm: 500, params: { temperature: 0 }, failOnFinishReasons: ['length'] });
 * const { response, attempts } = await judge.chat({ messages: [{ role: 'user', content: 'Is 7 prime?' }] });
 * console.log(response.choices[0]?.message.content, attempts, judge.usage.snapshot().costUsd);
 * await judge.close();
 * ```
 */
export function createLlm(options: LlmOptions): Llm {
  const {
    model,
    params = {},
    concurrency = DEFAULT_CONCURRENCY,
    rpm = Infinity,
    tpm = Infinity,
    timeoutMs = DEFAULT_TIMEOUT_MS,
    maxRetryAfterMs = 60_000,
    failOnFinishReasons = [],
    headers = {},
    transport = 'undici-request',
    clock,
  } = options;
  if (typeof model !== 'string' || model === '') {
    throw new SluiceConfigError(`Expected \`model\` to be a non-empty string, got \`${String(model)}\``);
  }
  const name = options.name ?? model;
  if (!(concurrency === Infinity || (Number.isInteger(concurrency) && concurrency >= 1))) {
    throw new SluiceConfigError(`Expected \`concurrency\` to be an integer from 1 and up or \`Infinity\`, got \`${concurrency}\``);
  }
  if (!(typeof timeoutMs === 'number' && timeoutMs > 0)) {
    throw new SluiceConfigError(`Expected \`timeoutMs\` to be a number above 0 or \`Infinity\`, got \`${String(timeoutMs)}\``);
  }
  if (!(typeof maxRetryAfterMs === 'number' && maxRetryAfterMs >= 0)) {
    throw new SluiceConfigError(`Expected \`maxRetryAfterMs\` to be a number from 0 and up, got \`${String(maxRetryAfterMs)}\``);
  }
  if (transport !== 'undici-request' && transport !== 'undici-fetch') {
    throw new SluiceConfigError(`Expected \`transport\` to be 'undici-request' or 'undici-fetch', got \`${String(transport)}\``);
  }
  const baseURL = nonEmpty(options.baseURL) ?? nonEmpty(process.env['OPENAI_BASE_URL']);
  const apiKey = nonEmpty(options.apiKey) ?? nonEmpty(process.env['OPENAI_API_KEY']);
  if (baseURL === undefined && apiKey === undefined) {
    throw new LlmNotConfiguredError(
      `LLM \`${name}\` has nowhere to send requests: set OPENAI_BASE_URL (any OpenAI-compatible server) or OPENAI_API_KEY (for api.openai.com), `
      + 'pass `baseURL`/`apiKey`, or try it without a key with `--llm simulated`.',
    );
  }
  const secrets = [apiKey];
  const rateLimiter = new RateLimiter({ rpm, tpm, ...(clock ? { clock } : {}) });
  const retryPolicy = options.retry instanceof RetryPolicy ? options.retry : new RetryPolicy({ maxRetryAfterMs, ...options.retry });
  const prices = options.prices instanceof PriceTable ? options.prices : new PriceTable(options.prices);
  const usage = new Usage({ llm: name, model, prices });
  const estimator = new TokenEstimator();
  const events = new Subject<LlmEvent>();
  const slots = new Slots(concurrency);
  const failOn = new Set(failOnFinishReasons);
  const timers = clock ?? systemTimers;

  const transportTimeout = timeoutMs === Infinity ? 0 : timeoutMs + TRANSPORT_TIMEOUT_MARGIN_MS;
  const dispatcher = new Agent({
    connections: concurrency === Infinity ? null : concurrency,
    pipelining: 1, // Long requests on one socket would block each other.
    headersTimeout: transportTimeout,
    bodyTimeout: transportTimeout,
    keepAliveTimeout: 30_000,
    connect: { timeout: 10_000 },
  });
  const client = new OpenAI({
    apiKey: apiKey ?? NO_KEY,
    ...(baseURL === undefined ? {} : { baseURL }),
    maxRetries: 0,
    timeout: timeoutMs === Infinity ? 2 ** 31 - 1 : timeoutMs + TRANSPORT_TIMEOUT_MARGIN_MS,
    fetch: transport === 'undici-request' ? createUndiciFetch(dispatcher) : (undiciFetch as unknown as typeof fetch),
    fetchOptions: { dispatcher } as object,
    defaultHeaders: headers,
  });

  // Every call in progress, so close() can abort them.
  const active = new Set<AbortController>();
  let closed = false;
  let calls = 0;

  async function run<T>(kind: LlmCallKind, body: EstimableRequest & { model: string }, send: (signal: AbortSignal) => Promise<{ data: T; response: Response; request_id: string | null }>, callOptions: CallOptions | undefined): Promise<LlmResult<T>> {
    const call = ++calls;
    const askedModel = body.model;
    usage.recordCall();
    retryPolicy.recordCall();
    if (closed) throw aborted(call, 0, 'closed');
    const controller = new AbortController();
    const unlink = link(callOptions?.signal, controller);
    active.add(controller);
    const base = { llm: name, kind, call };
    try {
      for (let attempt = 1; ; attempt++) {
        if (controller.signal.aborted) throw aborted(call, attempt - 1, controller.signal.reason);
        let decision: RetryDecision;
        let failure: LlmError;
        let status: number | undefined;
        try {
          await slots.acquire(controller.signal);
        } catch {
          throw aborted(call, attempt - 1, controller.signal.reason);
        }
        let estimate: TokenEstimate | undefined;
        const attemptController = new AbortController();
        const unlinkAttempt = link(controller.signal, attemptController);
        let timedOut = false;
        let sent = false;
        let timer: ReturnType<typeof setTimeout> | undefined;
        const started = performance.now();
        try {
          estimate = estimator.estimate(body);
          await rateLimiter.acquire(estimate.total, controller.signal);
          usage.recordRequest();
          sent = true;
          if (events.observed) events.next({ ...base, type: 'request', attempt, estimatedTokens: estimate.total });
          if (timeoutMs !== Infinity) {
            timer = setTimeout(() => {
              timedOut = true;
              attemptController.abort();
            }, timeoutMs);
          }
          const { data, response, request_id } = await send(attemptController.signal);
          // The body has been read: the attempt is over, whatever follows.
          clearTimeout(timer);
          return succeed(kind, base, attempt, askedModel, estimate, data, response, request_id, performance.now() - started);
        } catch (error) {
          clearTimeout(timer);
          if (error instanceof LlmFinishReasonError) throw error;
          if (controller.signal.aborted) throw aborted(call, sent ? attempt : attempt - 1, controller.signal.reason);
          failure = timedOut
            ? new LlmTimeoutError(`LLM \`${name}\` did not answer within ${timeoutMs} ms`, { llm: name, attempts: attempt })
            : wrap(error, attempt);
          status = failure.status;
          const responseHeaders = error instanceof APIError ? error.headers : undefined;
          if (responseHeaders) rateLimiter.learn(responseHeaders);
          // The server answered with an error: it did not spend the tokens we charged.
          if (status !== undefined && estimate) rateLimiter.settle(estimate.total, 0);
          decision = retryPolicy.decide(timedOut ? failure : error, attempt);
        } finally {
          unlinkAttempt();
          slots.release();
        }

        if (status === 429) {
          usage.recordRateLimited();
          // Pause the whole LLM, not just this call: the server meant all of them.
          const pauseMs = decision.retryAfterMs === undefined ? decision.delayMs : Math.min(decision.retryAfterMs, maxRetryAfterMs);
          rateLimiter.pause(pauseMs);
          events.next({ ...base, type: 'rate-limited', attempt, status: 429, delayMs: pauseMs });
        }
        if (!decision.retry) {
          failure.attempts = attempt;
          if (decision.stop === 'attempts' && attempt > 1) failure.message += ` (gave up after ${attempt} attempts)`;
          const final = decision.stop === 'budget'
            ? new LlmRetryBudgetError(
              `${failure.message}. Not retried: the retry budget of LLM \`${name}\` is spent (${retryPolicy.snapshot().retries} retries so far); the server is failing too often`,
              { llm: name, attempts: attempt, ...(status === undefined ? {} : { status }), ...(failure.requestId ? { requestId: failure.requestId } : {}), cause: failure },
            )
            : failure;
          throw final;
        }
        usage.recordRetry();
        events.next({ ...base, type: 'retry', attempt, status, delayMs: decision.delayMs, reason: decision.reason, code: failure.code });
        // A 429's wait is the limiter's pause; sleeping here as well would double it.
        if (status !== 429 && decision.delayMs > 0) {
          try {
            await sleep(decision.delayMs, controller.signal, timers);
          } catch {
            throw aborted(call, attempt, controller.signal.reason);
          }
        }
      }
    } catch (error) {
      usage.recordError();
      const failed = error as LlmError;
      events.next({ ...base, type: 'error', attempt: failed.attempts ?? 0, status: failed.status, code: failed.code, message: failed.message });
      throw error;
    } finally {
      unlink();
      active.delete(controller);
    }
  }

  function succeed<T>(kind: LlmCallKind, base: { llm: string; kind: LlmCallKind; call: number }, attempt: number, askedModel: string, estimate: TokenEstimate, data: T, response: Response, requestId: string | null, durationMs: number): LlmResult<T> {
    const responseUsage = (data as { usage?: ResponseUsage }).usage;
    if (responseUsage) {
      const actual = responseUsage.total_tokens ?? (responseUsage.prompt_tokens ?? 0) + (responseUsage.completion_tokens ?? 0);
      rateLimiter.settle(estimate.total, actual);
      if (kind !== 'embed' && responseUsage.completion_tokens !== undefined) estimator.observe(responseUsage.completion_tokens);
    }
    // After settling: the server's view of what remains wins over our corrected estimate.
    rateLimiter.learn(response.headers);
    usage.recordResponse(askedModel, responseUsage);
    if (events.observed) events.next({
      ...base,
      type: 'response',
      attempt,
      status: response.status,
      requestId: requestId ?? undefined,
      promptTokens: responseUsage?.prompt_tokens ?? 0,
      completionTokens: responseUsage?.completion_tokens ?? 0,
      durationMs,
    });
    if (failOn.size > 0 && kind !== 'embed') {
      const choices = (data as { choices?: { finish_reason?: string | null }[] }).choices ?? [];
      const hit = choices.find((choice) => choice.finish_reason && failOn.has(choice.finish_reason));
      if (hit) {
        throw new LlmFinishReasonError(
          `LLM \`${name}\` finished with reason \`${hit.finish_reason}\`${hit.finish_reason === 'length' ? ' (cut off at the token limit: raise `max_tokens` or shorten the prompt)' : ''}`,
          { llm: name, attempts: attempt, status: response.status, ...(requestId ? { requestId } : {}), finishReason: hit.finish_reason!, response: data },
        );
      }
    }
    const headers = response.headers;
    return {
      response: data,
      attempts: attempt,
      requestId: requestId ?? undefined,
      model: askedModel,
      // Read on demand: most callers never look, and header parsing is per-request CPU.
      get processingMs() {
        return numberHeader(headers, 'openai-processing-ms');
      },
      get rateLimit() {
        return rateLimitInfo(headers);
      },
    };
  }

  /** Turns whatever the SDK threw into a Sluice error whose message and cause are scrubbed of the key. */
  function wrap(error: unknown, attempt: number): LlmError {
    const cause = scrubError(error, secrets);
    if (error instanceof APIError && typeof error.status === 'number') {
      const status = error.status;
      const body = error.error as { message?: unknown } | undefined;
      const detail = typeof body?.message === 'string' ? body.message : error.message;
      const code = typeof error.code === 'string' ? ` ${error.code}` : '';
      const message = redact(`LLM \`${name}\` answered ${status}${code}: ${detail}`, secrets);
      const details = { llm: name, attempts: attempt, status, ...(error.requestID ? { requestId: error.requestID } : {}), cause };
      return status === 429 ? new LlmRateLimitError(message, details) : new LlmHttpError(message, details);
    }
    if (error instanceof OpenAI.APIConnectionError || isNetworkError(error)) {
      const reason = deepestMessage(error);
      return new LlmConnectionError(redact(`Could not reach LLM \`${name}\` at ${client.baseURL}: ${reason}`, secrets), { llm: name, attempts: attempt, cause });
    }
    return new LlmError(redact(`LLM \`${name}\` call failed: ${error instanceof Error ? error.message : String(error)}`, secrets), { llm: name, attempts: attempt, cause });
  }

  function aborted(call: number, attempts: number, reason: unknown): LlmAbortError {
    const message = reason === 'closed' || reason instanceof LlmClosed
      ? `LLM \`${name}\` was closed; call ${call} did not finish`
      : `LLM \`${name}\` call ${call} was aborted`;
    return new LlmAbortError(message, { llm: name, attempts, ...(reason === 'closed' || reason === undefined ? {} : { cause: reason }) });
  }

  const mergeParams = (request: { model?: string }) => ({ ...params, ...request, model: request.model ?? model });

  const { apiKey: _apiKey, ...publicOptions } = options;
  return {
    name,
    model,
    params: Object.freeze({ ...params }),
    options: Object.freeze(publicOptions),
    usage,
    events,
    rateLimiter,
    chat(request, callOptions) {
      const body = mergeParams(request) as ChatCompletionCreateParamsNonStreaming;
      return run('chat', body, (signal) => client.chat.completions.create({ ...body, stream: false }, { signal }).withResponse(), callOptions);
    },
    complete(request, callOptions) {
      const body = mergeParams(request) as CompletionCreateParamsNonStreaming;
      return run('complete', body, (signal) => client.completions.create({ ...body, stream: false }, { signal }).withResponse(), callOptions);
    },
    embed(request, callOptions) {
      const body = { ...request, model: request.model ?? model } as EmbeddingCreateParams;
      return run('embed', body, (signal) => client.embeddings.create(body, { signal }).withResponse(), callOptions);
    },
    async close() {
      if (closed) return;
      closed = true;
      const reason = new LlmClosed();
      for (const controller of active) controller.abort(reason);
      await dispatcher.destroy();
      events.complete();
    },
  };
}

/** The abort reason `close()` uses, told apart from a caller's abort. */
class LlmClosed extends Error {
  override name = 'LlmClosed';
}

/** A counting semaphore whose waiters are served in arrival order. */
class Slots {
  #free: number;
  readonly #queue: { resolve: () => void; reject: (reason: unknown) => void; signal: AbortSignal; onAbort: () => void }[] = [];

  constructor(size: number) {
    this.#free = size;
  }

  acquire(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.#free > 0 && this.#queue.length === 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.#queue.indexOf(waiter);
          if (index !== -1) this.#queue.splice(index, 1);
          reject(signal.reason);
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.#queue.push(waiter);
    });
  }

  release(): void {
    const next = this.#queue.shift();
    if (!next) {
      this.#free++;
      return;
    }
    // Hand the slot straight to the next waiter, so a newcomer cannot take it first.
    next.signal.removeEventListener('abort', next.onAbort);
    next.resolve();
  }
}

const systemTimers: Pick<Clock, 'setTimeout' | 'clearTimeout'> = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Aborts `child` when `parent` aborts; returns the unlinker. Cheaper than `AbortSignal.any` per call. */
function link(parent: AbortSignal | undefined, child: AbortController): () => void {
  if (!parent) return () => {};
  if (parent.aborted) {
    child.abort(parent.reason);
    return () => {};
  }
  const onAbort = () => child.abort(parent.reason);
  parent.addEventListener('abort', onAbort, { once: true });
  return () => parent.removeEventListener('abort', onAbort);
}

function sleep(ms: number, signal: AbortSignal, timers: Pick<Clock, 'setTimeout' | 'clearTimeout'>): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      timers.clearTimeout(handle);
      reject(signal.reason);
    };
    const handle = timers.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function isNetworkError(error: unknown): boolean {
  return error instanceof TypeError && error.message === 'fetch failed';
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

function numberHeader(headers: Headers, name: string): number | undefined {
  const value = Number.parseFloat(headers.get(name) ?? '');
  return Number.isFinite(value) ? value : undefined;
}

function rateLimitInfo(headers: Headers): RateLimitInfo {
  const info: RateLimitInfo = {};
  const set = (key: keyof RateLimitInfo, value: number | undefined) => {
    if (value !== undefined && Number.isFinite(value)) info[key] = value;
  };
  set('limitRequests', numberHeader(headers, 'x-ratelimit-limit-requests'));
  set('remainingRequests', numberHeader(headers, 'x-ratelimit-remaining-requests'));
  set('resetRequestsMs', parseRateLimitDuration(headers.get('x-ratelimit-reset-requests')));
  set('limitTokens', numberHeader(headers, 'x-ratelimit-limit-tokens'));
  set('remainingTokens', numberHeader(headers, 'x-ratelimit-remaining-tokens'));
  set('resetTokensMs', parseRateLimitDuration(headers.get('x-ratelimit-reset-tokens')));
  return info;
}
