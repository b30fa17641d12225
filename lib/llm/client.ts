/**
 * An LLM client: the official `openai` SDK, with Sluice's request policy around each call.
 *
 * The SDK's own retries are off (`maxRetries: 0`): a retry the SDK made would be invisible to the
 * rate limiter, the concurrency and the usage counters. It talks through an undici `Agent` sized
 * to the concurrency, with its `fetch` from the same undici package (mixing npm undici's
 * dispatcher with Node's bundled fetch fails: openai-node #1886) and header/body timeouts above
 * ours (undici's 300 s default would cut long calls: openai-node #2153).
 *
 * The policy is in parts, each its own file: one attempt (`send-attempt.ts`), the retry loop
 * with the throttling rules (`call-with-retries.ts`), the adaptive concurrency
 * (`adaptive-limits.ts`), the RPM/TPM limiter (`rate-limiter.ts`), the retry verdicts and
 * budget (`retry-policy.ts`), and the endpoint's health (`endpoint-health.ts`).
 *
 * Any OpenAI-compatible server works by `baseURL`: OpenAI, vLLM, Ollama, llama.cpp server,
 * OpenRouter, Together, Groq.
 * @module
 */
import { type BatchApi, createBatchApi } from './batch/batch-api.ts';
import { type BatchOptions, resolveBatchOptions } from './batch/batch-options.ts';
import OpenAI from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { Completion, CompletionCreateParamsNonStreaming } from 'openai/resources/completions';
import type { CreateEmbeddingResponse, EmbeddingCreateParams } from 'openai/resources/embeddings';
import { type Observable, Subject } from 'rxjs';
import { Agent, fetch as undiciFetch } from 'undici';
import { SluiceConfigError } from '../core/errors.ts';
import { AdaptiveLimits } from './adaptive-limits.ts';
import { abortedError, callWithRetries, LlmClosed, type Answer, type CallRuntime } from './call-with-retries.ts';
import { EndpointHealth } from './endpoint-health.ts';
import { OPENAI_API, sameEndpoint } from './same-endpoint.ts';
import { acquireSimulator, releaseSimulator, SIMULATED_ENDPOINT, simulatedMode } from './shared-simulator.ts';
import { redact, redactAnswer } from './redact.ts';
import { type LlmError, LlmFinishReasonError, LlmNotConfiguredError } from './llm-errors.ts';
import type { LlmEvent } from './llm-event.ts';
import { PriceTable, type Price } from './prices.ts';
import { parseRateLimitDuration, RateLimiter, type Clock } from './rate-limiter.ts';
import { SharedRateLimit } from './shared-rate-limit.ts';
import { RetryPolicy, type RetryPolicyOptions } from './retry-policy.ts';
import type { LlmCallKind, SentResponse } from './send-attempt.ts';
import { TokenEstimator, type EstimableRequest } from './token-estimate.ts';
import { createUndiciFetch } from './undici-fetch.ts';
import { Usage, type ResponseUsage } from './usage.ts';

export type { LlmEvent } from './llm-event.ts';
export type { LlmCallKind } from './send-attempt.ts';

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
  /**
   * Default: `process.env.OPENAI_BASE_URL`, else OpenAI's API. Under `SLUICE_LLM=simulated`, an LLM
   * without a `baseURL` of its own talks to the built-in simulator (started on first use).
   */
  baseURL?: string;
  /**
   * Default: `process.env.OPENAI_API_KEY`, but only when `baseURL` is not given or is the
   * environment's endpoint (OPENAI_BASE_URL, else OpenAI's API): the environment's key never goes
   * to another server. Pass it explicitly for another provider (`process.env.TOGETHER_API_KEY`).
   * Local servers often need none.
   */
  apiKey?: string;
  /** Default sampling parameters for `chat` and `complete`. */
  params?: SamplingParams;
  /**
   * Most requests in flight at once; more wait in a queue. Default 64. Below it, the number in
   * flight adapts to the server (fewer after 429s, back up as answers come); `adaptive: false` keeps it fixed.
   */
  concurrency?: number;
  /** Adapt the requests in flight and their pace to the server's 429s and latency. Default true. */
  adaptive?: boolean;
  /** How long a server may refuse connections before the run stops with `SLUICE_LLM_UNAVAILABLE`. Default 10 000 ms. */
  unreachableAfterMs?: number;
  /** How long nothing but 429s may come before the run stops with `SLUICE_LLM_QUOTA`. Default 900 000 ms (15 min). */
  maxRateLimitedMs?: number;
  /** Requests per minute. Default `Infinity`. */
  rpm?: number;
  /** Tokens per minute (prompt + completion, estimated then corrected). Default `Infinity`. */
  tpm?: number;
  /**
   * A Redis URL where `rpm` and `tpm` are held for every process that uses this endpoint and model
   * (workers on other machines, copies of a run). Default: `SLUICE_SHARED_LIMITS`, else none.
   */
  sharedLimits?: string;
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
   * Send this LLM's requests through the provider's batch API (`/files` and `/batches`) instead of
   * one by one: about half the price, answers within the completion window. `true` for the
   * defaults, or options (see `BatchOptions`). An LLM step can set it for itself too.
   */
  batch?: boolean | BatchOptions;
  /**
   * How the SDK sends requests: `'undici-request'` (Sluice's fetch over `dispatcher.request`,
   * measured cheaper in CPU: see bench/llm-fetch.ts) or `'undici-fetch'` (undici's WHATWG fetch).
   * Default `'undici-request'`.
   */
  transport?: 'undici-request' | 'undici-fetch';
  /** Time and timers of the rate limiter, the concurrency, retry delays and attempt timeouts. Default: the system's. */
  clock?: Clock;
  /** Jitter source in [0, 1) of retry delays. Default `Math.random`. */
  random?: () => number;
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the call, wherever it is: queued, rate-limited, in flight or between retries. */
  signal?: AbortSignal;
  /** Send the call through the batch API instead: the run's batch queue for this LLM (an LLM step in batch mode passes it). */
  batch?: BatchSubmitter;
  /**
   * Once aborted, no new attempt of this call starts: a queued call, or one waiting to retry, ends
   * with `SLUICE_LLM_ABORTED`; an attempt in flight goes on (abort `signal` to end it). A run passes
   * its stopping signal here, so Ctrl+C or SIGTERM starts nothing new.
   */
  drain?: AbortSignal;
}

/** Where a call in batch mode goes: it resolves with the answer once the request's batch is done; `live` sends it as a normal call. */
export interface BatchSubmitter {
  submit<T>(
    kind: 'chat' | 'complete' | 'embed',
    body: Record<string, unknown>,
    signal: AbortSignal | undefined,
    live: () => Promise<LlmResult<T>>,
  ): Promise<LlmResult<T>>;
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

/** One configured LLM endpoint with its request policy. */
export interface Llm {
  readonly name: string;
  /**
   * Where requests go, as the cache keys it: the base URL, or `sluice-simulator` for the built-in
   * simulator. Never holds a key. Optional so that stand-ins need not have it.
   */
  readonly endpoint?: string;
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
  readonly events: Observable<LlmEvent>;
  /** The RPM/TPM limiter, for diagnostics. */
  readonly rateLimiter: RateLimiter;
  /** The adaptive concurrency and pacing, for diagnostics. Optional so that stand-ins need not have it. */
  readonly concurrency?: AdaptiveLimits;
  /** The provider's files and batches endpoints, on the same agent and key. Optional so that stand-ins need not have it. */
  batchApi?(): BatchApi;
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
const SIMULATED_KEY = 'sk-sluice-simulated';

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
    adaptive = true,
    unreachableAfterMs = 10_000,
    maxRateLimitedMs = 900_000,
    clock,
    random = Math.random,
  } = options;
  if (typeof model !== 'string' || model === '') {
    throw new SluiceConfigError(`Expected \`model\` to be a non-empty string, got \`${String(model)}\``, { received: model });
  }
  const name = options.name ?? model;
  // `sluice run --batch` (SLUICE_BATCH=1) puts every LLM that does not say otherwise in batch mode.
  const batchMode = options.batch ?? (process.env.SLUICE_BATCH === '1' ? true : undefined);
  resolveBatchOptions(batchMode); // Checked now: a wrong option fails where the LLM is made.
  if (!(concurrency === Infinity || (Number.isInteger(concurrency) && concurrency >= 1))) {
    throw new SluiceConfigError(`Expected \`concurrency\` to be an integer from 1 and up or \`Infinity\`, got \`${concurrency}\``, { received: concurrency });
  }
  if (!(typeof timeoutMs === 'number' && timeoutMs > 0)) {
    throw new SluiceConfigError(`Expected \`timeoutMs\` to be a number above 0 or \`Infinity\`, got \`${String(timeoutMs)}\``, { received: timeoutMs });
  }
  if (!(typeof maxRetryAfterMs === 'number' && maxRetryAfterMs >= 0)) {
    throw new SluiceConfigError(`Expected \`maxRetryAfterMs\` to be a number from 0 and up, got \`${String(maxRetryAfterMs)}\``, { received: maxRetryAfterMs });
  }
  if (transport !== 'undici-request' && transport !== 'undici-fetch') {
    throw new SluiceConfigError(`Expected \`transport\` to be 'undici-request' or 'undici-fetch', got \`${String(transport)}\``, { received: transport });
  }
  const simulated = nonEmpty(options.baseURL) === undefined && simulatedMode();
  const baseURL = simulated ? undefined : (nonEmpty(options.baseURL) ?? nonEmpty(process.env.OPENAI_BASE_URL));
  const apiKey = nonEmpty(options.apiKey) ?? (simulated ? SIMULATED_KEY : environmentKeyFor(options.baseURL));
  const unconfigured =
    !simulated && baseURL === undefined && apiKey === undefined
      ? new LlmNotConfiguredError(
          `LLM \`${name}\` has nowhere to send requests: set OPENAI_BASE_URL (any OpenAI-compatible server) or OPENAI_API_KEY (for api.openai.com), ` +
            'pass `baseURL`/`apiKey`, or try it without a key with `--llm simulated`.',
        )
      : undefined;
  // `sluice validate` and `graph` load a module to look at it, and send nothing: there, the error waits for a call.
  if (unconfigured && process.env.SLUICE_LLM_DEFER_CONFIG !== '1') throw unconfigured;
  const secrets = [apiKey];
  const timers = clock ?? systemClock;
  const rateLimiter = new RateLimiter({ rpm, tpm, clock: timers });
  const retryPolicy = options.retry instanceof RetryPolicy ? options.retry : new RetryPolicy({ maxRetryAfterMs, ...options.retry });
  const prices = options.prices instanceof PriceTable ? options.prices : new PriceTable(options.prices);
  const usage = new Usage({ llm: name, model, prices });
  const events = new Subject<LlmEvent>();
  const slots = new AdaptiveLimits({ max: concurrency, adaptive, clock: timers });
  const health = new EndpointHealth({ unreachableAfterMs, maxRateLimitedMs, clock: timers });
  const failOn = new Set(failOnFinishReasons);

  const transportTimeout = timeoutMs === Infinity ? 0 : timeoutMs + TRANSPORT_TIMEOUT_MARGIN_MS;
  const dispatcher = new Agent({
    connections: concurrency === Infinity ? null : concurrency,
    pipelining: 1, // Long requests on one socket would block each other.
    headersTimeout: transportTimeout,
    bodyTimeout: transportTimeout,
    keepAliveTimeout: 30_000,
    connect: { timeout: 10_000 },
  });
  const sdk = (url: string | undefined) =>
    new OpenAI({
      apiKey: apiKey ?? NO_KEY,
      ...(url === undefined ? {} : { baseURL: url }),
      maxRetries: 0,
      timeout: timeoutMs === Infinity ? 2 ** 31 - 1 : timeoutMs + TRANSPORT_TIMEOUT_MARGIN_MS,
      fetch: transport === 'undici-request' ? createUndiciFetch(dispatcher) : (undiciFetch as unknown as typeof fetch),
      fetchOptions: { dispatcher } as object,
      defaultHeaders: headers,
    });
  // Under simulated mode the client waits for the shared simulator, started on the first call.
  const direct = simulated ? undefined : sdk(baseURL);
  let viaSimulator: Promise<OpenAI> | undefined;
  const client = (): OpenAI | Promise<OpenAI> => direct ?? (viaSimulator ??= acquireSimulator().then(sdk));
  const endpoint = simulated ? SIMULATED_ENDPOINT : direct!.baseURL.replace(/\/+$/, '');
  const sharedUrl = options.sharedLimits ?? process.env.SLUICE_SHARED_LIMITS;
  const sharedLimit =
    sharedUrl && (Number.isFinite(rpm) || Number.isFinite(tpm))
      ? new SharedRateLimit({ url: sharedUrl, scope: `${endpoint}|${model}`, rpm, tpm, clock: timers })
      : undefined;
  const runtime: CallRuntime = {
    llm: name,
    baseURL: simulated ? 'the built-in simulator' : endpoint,
    secrets,
    slots,
    rateLimiter,
    estimator: new TokenEstimator(),
    retryPolicy,
    health,
    usage,
    events,
    clock: timers,
    timeoutMs,
    maxRetryAfterMs,
    random,
    ...(sharedLimit ? { sharedLimit } : {}),
  };

  // Every call in progress, so close() (and a fatal error) can abort them.
  const active = new Set<AbortController>();
  let closed = false;
  let calls = 0;

  async function run<T>(
    kind: LlmCallKind,
    body: EstimableRequest & { model: string },
    send: (signal: AbortSignal) => Promise<SentResponse<T>>,
    callOptions: CallOptions | undefined,
  ): Promise<LlmResult<T>> {
    const call = ++calls;
    usage.recordCall();
    retryPolicy.recordCall();
    if (closed) throw abortedError(name, call, 0, 'closed');
    if (unconfigured) throw unconfigured;
    const controller = new AbortController();
    const unlink = link(callOptions?.signal, controller);
    active.add(controller);
    try {
      return await callWithRetries(
        runtime,
        { kind, number: call, body, signal: controller.signal, ...(callOptions?.drain ? { drain: callOptions.drain } : {}) },
        send,
        (answer) => succeed(kind, call, body.model, answer),
      );
    } catch (error) {
      usage.recordError();
      const failed = error as LlmError;
      // The endpoint is gone for everyone: end the other calls now rather than after their waits.
      if (failed === health.fatal) for (const other of active) if (other !== controller) other.abort(failed);
      events.next({ llm: name, kind, call, type: 'error', attempt: failed.attempts ?? 0, status: failed.status, code: failed.code, message: failed.message });
      throw error;
    } finally {
      unlink();
      active.delete(controller);
    }
  }

  function succeed<T>(kind: LlmCallKind, call: number, askedModel: string, { sent, attempt, estimate, durationMs }: Answer<T>): LlmResult<T> {
    const { response } = sent;
    // A server may echo the key back in an answer: it must not reach outputs, metadata or the cache.
    const data = redactAnswer(sent.data, secrets);
    const requestId = sent.request_id === null ? null : redact(sent.request_id, secrets);
    const responseUsage = (data as { usage?: ResponseUsage }).usage;
    if (responseUsage) {
      const actual = responseUsage.total_tokens ?? (responseUsage.prompt_tokens ?? 0) + (responseUsage.completion_tokens ?? 0);
      rateLimiter.settle(estimate.total, actual);
      if (kind !== 'embed' && responseUsage.completion_tokens !== undefined) runtime.estimator.observe(responseUsage.completion_tokens);
    }
    // After settling: the server's view of what remains wins over our corrected estimate.
    rateLimiter.learn(response.headers);
    usage.recordResponse(askedModel, responseUsage);
    if (events.observed)
      events.next({
        llm: name,
        kind,
        call,
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

  const mergeParams = (request: { model?: string }) => ({ ...params, ...request, model: request.model ?? model });
  let batches: BatchApi | undefined;

  const { apiKey: _apiKey, ...givenOptions } = options;
  const publicOptions = batchMode === undefined ? givenOptions : { ...givenOptions, batch: batchMode };
  return {
    name,
    endpoint,
    model,
    params: Object.freeze({ ...params }),
    options: Object.freeze(publicOptions),
    usage,
    events: events.asObservable(),
    rateLimiter,
    concurrency: slots,
    chat(request, callOptions) {
      const body = mergeParams(request) as ChatCompletionCreateParamsNonStreaming;
      const live = () =>
        run('chat', body, async (signal) => (await client()).chat.completions.create({ ...body, stream: false }, { signal }).withResponse(), callOptions);
      return callOptions?.batch ? callOptions.batch.submit('chat', body as never, callOptions.signal, live) : live();
    },
    complete(request, callOptions) {
      const body = mergeParams(request) as CompletionCreateParamsNonStreaming;
      const live = () =>
        run('complete', body, async (signal) => (await client()).completions.create({ ...body, stream: false }, { signal }).withResponse(), callOptions);
      return callOptions?.batch ? callOptions.batch.submit('complete', body as never, callOptions.signal, live) : live();
    },
    embed(request, callOptions) {
      const body = { ...request, model: request.model ?? model } as EmbeddingCreateParams;
      const live = () => run('embed', body, async (signal) => (await client()).embeddings.create(body, { signal }).withResponse(), callOptions);
      return callOptions?.batch ? callOptions.batch.submit('embed', body as never, callOptions.signal, live) : live();
    },
    batchApi() {
      batches ??= createBatchApi(() => {
        if (unconfigured) throw unconfigured;
        return client();
      });
      return batches;
    },
    async close() {
      if (closed) return;
      closed = true;
      const reason = new LlmClosed();
      for (const controller of active) controller.abort(reason);
      await dispatcher.destroy();
      await sharedLimit?.close();
      if (viaSimulator) await releaseSimulator();
      events.complete();
    },
  };
}

const systemClock: Clock = {
  now: () => performance.now(),
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

/**
 * OPENAI_API_KEY, when `baseURL` is the environment's endpoint (OPENAI_BASE_URL, else OpenAI's API)
 * or not given. The environment's key goes to the environment's endpoint only: an LLM with a base
 * URL of its own gets its key from `apiKey`, or none.
 */
function environmentKeyFor(baseURL: string | undefined): string | undefined {
  const key = nonEmpty(process.env.OPENAI_API_KEY);
  if (key === undefined || nonEmpty(baseURL) === undefined) return key;
  const own = nonEmpty(process.env.OPENAI_BASE_URL) ?? OPENAI_API;
  return sameEndpoint(baseURL!, own) ? key : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
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
