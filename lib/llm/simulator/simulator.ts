/**
 * An OpenAI-compatible server on 127.0.0.1 that answers deterministically, injects faults,
 * enforces rate limits and keeps a request log: for tests, benchmarks, examples, and for trying
 * a pipeline without an API key (`--llm simulated`).
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { chatCompletionReply } from './chat-completion-reply.ts';
import { deterministicUnit } from './deterministic-unit.ts';
import { embeddingsReply } from './embeddings-reply.ts';
import { formatResetDuration } from './format-reset-duration.ts';
import { type FaultName, pickFault } from './pick-fault.ts';
import { RateLimitWindow } from './rate-limit-window.ts';
import type { ReplyContext, SimulatedReply } from './simulated-reply.ts';
import { resolveSimulatorOptions, type ResolvedSimulatorOptions, type SimulatorOptions, type SimulatorSettings } from './simulator-options.ts';
import { SimulatorRequestError } from './simulator-request-error.ts';
import { textCompletionReply } from './text-completion-reply.ts';
import { type SimulatedBatch, SimulatedBatches } from './simulated-batches.ts';

/** One request as the simulator saw it. Never holds the API key, only whether one was sent. */
export interface SimulatorLogEntry {
  /** Request counter: 1 for the first request since start or `reset()`. */
  readonly n: number;
  /** When the request had fully arrived (ms since the epoch); rate limits count from this time. */
  readonly at: number;
  readonly method: string;
  /** URL path without the query. */
  readonly path: string;
  /** The body's `model`, when it had one. */
  model: string | undefined;
  /** Whether the body asked to stream. */
  stream: boolean;
  /** The status sent; `null` until the answer starts, and for good on `reset` and `hang`. */
  status: number | null;
  /** The fault injected, if any. */
  fault?: FaultName;
  /** Set when `rpm` or `tpm` turned the request away with a 429. */
  limited?: 'requests' | 'tokens';
  /** Set when the client closed the connection before the answer was complete. */
  clientClosed?: true;
  /** Estimated prompt tokens (0 when the body was not a valid request). */
  promptTokens: number;
  /** Completion tokens of the answer sent; 0 unless it was a 200 with the whole answer. */
  completionTokens: number;
  /** The `x-request-id` sent back. */
  readonly requestId: string;
  /** SHA-256 (hex) of the raw request body. */
  readonly bodyHash: string;
  readonly authorization: 'present' | 'absent';
}

/** Counters since start or `reset()`. */
export interface SimulatorStats {
  /** Requests whose body arrived (one per log entry, even when the log is trimmed). */
  readonly requests: number;
  /** Answers by status code, e.g. `{ '200': 97, '429': 3 }`. */
  readonly byStatus: Readonly<Record<string, number>>;
  /** Faults injected, by name. */
  readonly faults: Readonly<Partial<Record<FaultName, number>>>;
  /** 429s sent because `rpm` or `tpm` was reached. */
  readonly limited: number;
  /** Requests being handled now. */
  readonly inFlight: number;
  /** Most requests handled at once. */
  readonly peakInFlight: number;
  /** TCP connections accepted. */
  readonly connectionsOpened: number;
  /** TCP connections open now. */
  readonly connectionsOpen: number;
  /** Requests whose client closed the connection before the answer was complete (aborts, timeouts). */
  readonly clientClosedInFlight: number;
}

/** A running simulator. */
export interface Simulator {
  /** Base URL for an OpenAI client, e.g. `http://127.0.0.1:40123/v1`. */
  readonly url: string;
  readonly port: number;
  /** The request log, oldest first. Live: it grows as requests arrive. */
  readonly log: readonly SimulatorLogEntry[];
  /** A snapshot of the counters. */
  stats(): SimulatorStats;
  /**
   * Holds every answer that is due (none is sent, so none completes) until `release()`; with
   * `only`, just the answers to the requests it picks. Tests use it to kill a client at a point
   * where no answer is half-delivered.
   */
  hold(only?: (entry: SimulatorLogEntry) => boolean): void;
  /** Sends the answers held since `hold()`, and stops holding. */
  release(): void;
  /** Changes faults, latency, limits and the rest while running; unnamed settings stay as they are. */
  configure(settings: SimulatorSettings): void;
  /** Every batch created (batch API), oldest first, as `GET /v1/batches/{id}` would show it now. */
  batches(): SimulatedBatch[];
  /** Empties the log, zeroes the counters and the request counter, forgets the rate-limit window, and every batch and file. */
  reset(): void;
  /** Stops listening and destroys every connection, hung requests included. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** How far the log may grow past `logLimit` before it is trimmed back. */
const LOG_TRIM_SLACK = 1024;

/** Largest request body accepted; more gets a 413. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** Largest file upload accepted (batch request files). */
const MAX_FILE_BYTES = 256 * 1024 * 1024;

type Endpoint = (body: Record<string, unknown>, context: ReplyContext) => SimulatedReply;

const ENDPOINTS: Readonly<Record<string, { readonly build: Endpoint; readonly idPrefix: string }>> = {
  '/v1/chat/completions': { build: chatCompletionReply, idPrefix: 'chatcmpl-sim' },
  '/v1/completions': { build: textCompletionReply, idPrefix: 'cmpl-sim' },
  '/v1/embeddings': { build: embeddingsReply, idPrefix: 'embd-sim' },
};

/** Per-request state the handler and its `close` listener share. */
interface Pending {
  entry?: SimulatorLogEntry;
  timer?: NodeJS.Timeout;
  /** The simulator itself cut the connection (reset, truncation): not a client close. */
  serverCut: boolean;
}

/**
 * Starts an OpenAI-compatible server on 127.0.0.1 and resolves once it listens.
 *
 * Endpoints: `POST /v1/chat/completions` (n, max_tokens, json_schema structured output, streaming),
 * `POST /v1/completions`, `POST /v1/embeddings`, `GET /v1/models`. Answers are deterministic in the
 * request; every response has `x-sluice-simulated: 1` and bodies say `"system_fingerprint": "sluice-simulator"`.
 * Faults and latency apply to the completion and embeddings endpoints; they are drawn with `seed` and
 * the request counter, so a run repeats exactly. With `rpm`/`tpm` set, every response carries OpenAI's
 * `x-ratelimit-*` headers for the limits that are set.
 * Per request it does a JSON parse, two or three SHA-256s and one write: cheap enough for
 * benchmarks of thousands of requests at high concurrency.
 *
 * @example
 * ```ts
 * const sim = await startSimulator({ latencyMs: 50, rate429: 0.1, rpm: 600 });
 * const client = new OpenAI({ baseURL: sim.url, apiKey: 'sk-sim', maxRetries: 0 });
 * const reply = await client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'Hi' }] });
 * console.log(reply.choices[0]?.message.content, sim.stats().byStatus);
 * await sim.close();
 * ```
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  let settings: ResolvedSimulatorOptions = resolveSimulatorOptions(options);
  const window = new RateLimitWindow(settings);
  const now = () => settings.now();
  const instance = randomBytes(3).toString('hex');
  const log: SimulatorLogEntry[] = [];
  const pending = new Set<Pending>();
  const sockets = new Set<Socket>();
  let held: Array<() => void> | undefined;
  let holding: ((entry: SimulatorLogEntry) => boolean) | undefined;
  const holds = (entry: SimulatorLogEntry | undefined) => held !== undefined && (holding === undefined || (entry !== undefined && holding(entry)));
  let counter = 0;
  let byStatus: Record<string, number> = {};
  let faultCounts: Partial<Record<FaultName, number>> = {};
  let limited = 0;
  let inFlight = 0;
  let peakInFlight = 0;
  let connectionsOpened = 0;
  let clientClosedInFlight = 0;
  let closing: Promise<void> | undefined;
  const batches = new SimulatedBatches({
    settings: () => settings,
    instance,
    now,
    build: (path, body, context) => {
      const endpoint = ENDPOINTS[path];
      return endpoint ? endpoint.build(body, { ...context, embeddingDimensions: settings.embeddingDimensions }) : undefined;
    },
  });

  const server = createServer({ noDelay: true, keepAlive: true }, function handleRequest(req, res) {
    inFlight++;
    if (inFlight > peakInFlight) peakInFlight = inFlight;
    const state: Pending = { serverCut: false };
    pending.add(state);
    res.on('close', function onResponseClose() {
      inFlight--;
      pending.delete(state);
      if (state.timer) clearTimeout(state.timer);
      if (!res.writableFinished && !state.serverCut && !closing) {
        clientClosedInFlight++;
        if (state.entry) state.entry.clientClosed = true;
      }
    });

    const chunks: Buffer[] = [];
    let size = 0;
    const maxBytes = req.url?.startsWith('/v1/files') ? MAX_FILE_BYTES : MAX_BODY_BYTES;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    // A client that goes away mid-body is counted by the response's close listener.
    req.on('error', () => {});
    req.on('end', () => {
      if (size > maxBytes) {
        sendError(
          res,
          state,
          413,
          `Request body too large: ${size} bytes, the simulator takes up to ${maxBytes}.`,
          'invalid_request_error',
          'request_too_large',
        );
        return;
      }
      handleBody(req, res, state, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket: Socket) => {
    connectionsOpened++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function handleBody(req: IncomingMessage, res: ServerResponse, state: Pending, raw: Buffer): void {
    const n = ++counter;
    const at = now();
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query >= 0 ? url.slice(0, query) : url;
    const method = req.method ?? 'GET';
    const entry: SimulatorLogEntry = {
      n,
      at,
      method,
      path,
      model: undefined,
      stream: false,
      status: null,
      promptTokens: 0,
      completionTokens: 0,
      requestId: `req_sim${instance}${n.toString(16).padStart(6, '0')}`,
      bodyHash: createHash('sha256').update(raw).digest('hex'),
      // Only whether a key came: the key itself must never reach the log.
      authorization: req.headers.authorization ? 'present' : 'absent',
    };
    state.entry = entry;
    log.push(entry);
    // Trim in batches: dropping one entry per request would move the whole array every time.
    if (log.length > settings.logLimit + LOG_TRIM_SLACK) log.splice(0, log.length - settings.logLimit);

    const endpoint = ENDPOINTS[path];
    if (endpoint) {
      if (method !== 'POST')
        return sendError(res, state, 405, `Method ${method} not allowed on ${path}; use POST.`, 'invalid_request_error', 'method_not_allowed');
      return handleGeneration(req, res, state, entry, endpoint.build, endpoint.idPrefix, raw);
    }
    if (SimulatedBatches.handles(path)) {
      batches.handle(method, path, new URLSearchParams(query >= 0 ? url.slice(query + 1) : ''), raw, req.headers['content-type']).then(
        (answer) => {
          const send = () => {
            if (answer.content) {
              count(state, answer.status);
              res.writeHead(answer.status, headers(state, { 'content-type': 'application/octet-stream', 'content-length': String(answer.content.length) }));
              res.end(answer.content);
            } else sendJson(res, state, answer.status, answer.body);
          };
          // `hold()` holds these answers too, so a test can kill a client mid-upload or mid-download.
          if (holds(state.entry)) held!.push(send);
          else send();
        },
        (error: unknown) =>
          sendError(res, state, 500, `The simulator failed on this request: ${error instanceof Error ? error.message : String(error)}`, 'server_error', null),
      );
      return;
    }
    if (path === '/v1/models' || path.startsWith('/v1/models/')) {
      if (method !== 'GET')
        return sendError(res, state, 405, `Method ${method} not allowed on ${path}; use GET.`, 'invalid_request_error', 'method_not_allowed');
      const models = settings.models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'sluice-simulator' }));
      if (path === '/v1/models') return sendJson(res, state, 200, { object: 'list', data: models });
      const id = decodeURIComponent(path.slice('/v1/models/'.length));
      const model = models.find((m) => m.id === id);
      if (model) return sendJson(res, state, 200, model);
      return sendError(res, state, 404, `The model '${id}' does not exist`, 'invalid_request_error', 'model_not_found');
    }
    sendError(res, state, 404, `Invalid URL (${method} ${path})`, 'invalid_request_error', 'unknown_url');
  }

  function handleGeneration(
    req: IncomingMessage,
    res: ServerResponse,
    state: Pending,
    entry: SimulatorLogEntry,
    build: Endpoint,
    idPrefix: string,
    raw: Buffer,
  ): void {
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return sendError(res, state, 400, 'We could not parse the JSON body of your request. Send valid JSON.', 'invalid_request_error', 'invalid_json');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return sendError(res, state, 400, 'The request body must be a JSON object.', 'invalid_request_error', 'invalid_json');
    }
    const fields = body as Record<string, unknown>;
    if (typeof fields.model === 'string') entry.model = fields.model;
    entry.stream = fields.stream === true;

    const { n } = entry;
    let reply: SimulatedReply;
    try {
      reply = build(fields, {
        id: `${idPrefix}${instance}${n.toString(16).padStart(6, '0')}`,
        created: Math.floor(entry.at / 1000),
        embeddingDimensions: settings.embeddingDimensions,
      });
    } catch (error) {
      if (error instanceof SimulatorRequestError) return sendError(res, state, 400, error.message, 'invalid_request_error', null, error.param);
      // A bug in the simulator: answer it rather than crash the process that hosts the server.
      return sendError(
        res,
        state,
        500,
        `The simulator failed on this request: ${error instanceof Error ? error.message : String(error)}`,
        'server_error',
        null,
      );
    }
    entry.promptTokens = reply.promptTokens;

    const verdict = window.admit(entry.at, reply.promptTokens + reply.completionTokens);
    if (!verdict.ok) {
      entry.limited = verdict.kind;
      limited++;
      const unit = verdict.kind === 'requests' ? 'requests per min (RPM)' : 'tokens per min (TPM)';
      const message = `Rate limit reached for ${reply.model} in the Sluice simulator on ${unit}: Limit ${verdict.limit}, Used ${verdict.used}, Requested ${verdict.requested}. Please try again in ${formatResetDuration(verdict.retryAfterMs)}.`;
      return sendError(res, state, 429, message, verdict.kind, 'rate_limit_exceeded', null, retryAfter(verdict.retryAfterMs));
    }

    let fault: FaultName | undefined;
    try {
      fault = settings.faults?.({ n, body, path: entry.path }) ?? pickFault(n, settings.seed, settings.rates);
    } catch (error) {
      return sendError(
        res,
        state,
        500,
        `The simulator's \`faults\` hook threw: ${error instanceof Error ? error.message : String(error)}`,
        'server_error',
        null,
      );
    }
    if (fault !== undefined) {
      entry.fault = fault;
      faultCounts[fault] = (faultCounts[fault] ?? 0) + 1;
    }

    const { min, max } = settings.latency;
    const delay = min === max ? min : min + deterministicUnit(settings.seed, n, 'latency') * (max - min);
    const deliver = () => {
      state.timer = undefined;
      if (holds(entry)) held!.push(() => answer(req, res, state, entry, reply, fault));
      else answer(req, res, state, entry, reply, fault);
    };
    if (delay > 0) state.timer = setTimeout(deliver, delay);
    else deliver();
  }

  function answer(
    req: IncomingMessage,
    res: ServerResponse,
    state: Pending,
    entry: SimulatorLogEntry,
    reply: SimulatedReply,
    fault: FaultName | undefined,
  ): void {
    switch (fault) {
      case undefined: {
        entry.completionTokens = reply.completionTokens;
        if (reply.events) return sendEvents(res, state, `${reply.events.map(sseEvent).join('')}data: [DONE]\n\n`);
        return sendJson(res, state, 200, reply.body);
      }
      case '429': {
        const message = `Rate limit reached for ${reply.model} (simulated fault). Please try again in ${settings.retryAfterSeconds}s.`;
        return sendError(res, state, 429, message, 'requests', 'rate_limit_exceeded', null, retryAfter(settings.retryAfterSeconds * 1000));
      }
      case '500':
        return sendError(res, state, 500, 'The server had an error while processing your request. Sorry about that! (simulated fault)', 'server_error', null);
      case '503':
        return sendError(res, state, 503, 'The engine is currently overloaded, please try again later. (simulated fault)', 'server_error', 'overloaded');
      case 'reset':
        state.serverCut = true;
        // An RST rather than a FIN: the client sees ECONNRESET, as when a proxy drops the connection.
        req.socket.resetAndDestroy();
        return;
      case 'hang':
        // No answer: the client's timeout or abort ends it, and the close listener records that.
        return;
      case 'malformed': {
        if (reply.events) {
          const first = reply.events[0];
          return sendEvents(res, state, `${first ? sseEvent(first) : ''}data: {"id": "${String(reply.body.id)}", "choices": [\n\ndata: [DONE]\n\n`);
        }
        return sendJson(res, state, 200, undefined, `{"id":"${String(reply.body.id)}","object":"${String(reply.body.object)}","choices":[{"index":0,`);
      }
      case 'truncated': {
        if (reply.events) {
          // The stream ends cleanly, without its last events or `[DONE]`.
          const kept = reply.events.slice(0, Math.max(1, Math.floor(reply.events.length / 2)));
          return sendEvents(res, state, kept.map(sseEvent).join(''));
        }
        const full = Buffer.from(JSON.stringify(reply.body));
        count(state, 200);
        res.writeHead(200, headers(state, { 'content-type': 'application/json', 'content-length': String(full.length) }));
        // Half the promised bytes, then the socket closes: the client sees a premature close.
        state.serverCut = true;
        res.write(full.subarray(0, full.length >> 1), () => req.socket.destroy());
        return;
      }
    }
  }

  function retryAfter(ms: number): Record<string, string> {
    const seconds = { 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))) };
    // A server that keeps its limits to itself gives the wait in whole seconds only, as most do.
    return settings.announceLimits ? { ...seconds, 'retry-after-ms': String(Math.max(0, Math.ceil(ms))) } : seconds;
  }

  function headers(state: Pending, extra: Record<string, string>): Record<string, string> {
    const entry = state.entry;
    const base: Record<string, string> = { 'x-sluice-simulated': '1', ...extra };
    if (entry) base['x-request-id'] = entry.requestId;
    return window.enforcing && settings.announceLimits ? { ...base, ...window.headers(now()) } : base;
  }

  function count(state: Pending, status: number): void {
    if (state.entry) state.entry.status = status;
    byStatus[status] = (byStatus[status] ?? 0) + 1;
  }

  function sendJson(res: ServerResponse, state: Pending, status: number, body: unknown, text = JSON.stringify(body), extra: Record<string, string> = {}): void {
    count(state, status);
    res.writeHead(status, headers(state, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...extra }));
    res.end(text);
  }

  function sendEvents(res: ServerResponse, state: Pending, text: string): void {
    count(state, 200);
    // No content-length: chunked, as a real stream is.
    res.writeHead(200, headers(state, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' }));
    res.end(text);
  }

  function sendError(
    res: ServerResponse,
    state: Pending,
    status: number,
    message: string,
    type: string,
    code: string | null,
    param: string | null = null,
    extra: Record<string, string> = {},
  ): void {
    sendJson(res, state, status, { error: { message, type, param, code } }, undefined, extra);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Loopback only: the simulator is never reachable from another machine.
    server.listen(settings.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const simulator: Simulator = {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    log,
    stats() {
      return {
        requests: counter,
        byStatus: { ...byStatus },
        faults: { ...faultCounts },
        limited,
        inFlight,
        peakInFlight,
        connectionsOpened,
        connectionsOpen: sockets.size,
        clientClosedInFlight,
      };
    },
    batches() {
      return batches.list();
    },
    hold(only) {
      held ??= [];
      holding = only;
    },
    release() {
      const queued = held ?? [];
      held = undefined;
      holding = undefined;
      for (const send of queued) send();
    },
    configure(next) {
      const { port: _port, latency, rates, ...rest } = settings;
      const current: SimulatorOptions = {
        ...rest,
        latencyMs: latency,
        rate429: rates['429'],
        rate500: rates['500'],
        rate503: rates['503'],
        rateReset: rates.reset,
        rateHang: rates.hang,
        rateMalformed: rates.malformed,
        rateTruncated: rates.truncated,
      };
      settings = { ...resolveSimulatorOptions({ ...current, ...next }), port: settings.port };
      window.configure(settings);
    },
    reset() {
      batches.reset();
      log.length = 0;
      counter = 0;
      byStatus = {};
      faultCounts = {};
      limited = 0;
      peakInFlight = inFlight;
      connectionsOpened = 0;
      clientClosedInFlight = 0;
      window.clear();
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        batches.close();
        for (const state of pending) if (state.timer) clearTimeout(state.timer);
        server.close(() => resolve());
        // Idle keep-alive sockets and hung requests would hold close() open forever.
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
    [Symbol.asyncDispose]() {
      return simulator.close();
    },
  };
  return simulator;
}

function sseEvent(event: Record<string, unknown>): string {
  return `data: ${JSON.stringify(event)}\n\n`;
}
