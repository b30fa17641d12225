/**
 * A `fetch` built on `dispatcher.request`, for the openai SDK.
 *
 * WHATWG `fetch` in undici does a lot per request that an SDK talking JSON to one API
 * does not need: a full `Request` object, CORS and redirect bookkeeping, header guards,
 * decompression negotiation. `dispatcher.request` skips all of that. This function keeps
 * the `fetch` contract the SDK relies on (`status`, `ok`, `headers.get`, `text()`, `json()`,
 * a streamed `body` for SSE, `signal` aborts the request), and takes the inputs uploads need
 * (a `Request`, `FormData`, `Blob`, `URLSearchParams`, streams and async iterables).
 *
 * Differences from `fetch`, on purpose:
 * - Redirects are not followed: a 3xx comes back as it is (`redirect: 'error'` rejects).
 *   LLM APIs answer POSTs directly.
 * - No `accept-encoding` is added, so servers answer uncompressed; a compressed answer
 *   (gzip, deflate, br, zstd) is still decoded.
 * - Network failures reject with `TypeError('fetch failed', { cause })`, like undici's fetch,
 *   and an aborted request rejects with the signal's reason, so the SDK classifies both as it
 *   would for `fetch`.
 *
 * @module
 */
import { pipeline, Readable, type Transform } from 'node:stream';
import * as zlib from 'node:zlib';
import { Agent, type Dispatcher } from 'undici';

type FetchInput = Parameters<typeof globalThis.fetch>[0];
type FetchInit = NonNullable<Parameters<typeof globalThis.fetch>[1]>;

// Statuses whose Response must have a null body (Fetch standard, "null body status").
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/**
 * Creates a `fetch`-compatible function that sends requests through `dispatcher.request`.
 *
 * The dispatcher given here is used unless the call passes its own `init.dispatcher`
 * (the SDK passes `fetchOptions.dispatcher` that way), so one function serves any agent.
 *
 * @param dispatcher - the undici dispatcher (usually an `Agent`) to send requests through.
 * @example
 * ```ts
 * import OpenAI from 'openai';
 * import { Agent } from 'undici';
 * const dispatcher = new Agent({ connections: 64, pipelining: 1 });
 * const client = new OpenAI({ fetch: createUndiciFetch(dispatcher), fetchOptions: { dispatcher }, maxRetries: 0 });
 * ```
 */
export function createUndiciFetch(dispatcher: Dispatcher = new Agent()): typeof globalThis.fetch {
  return async function undiciRequestFetch(input: FetchInput, init?: FetchInit): Promise<Response> {
    // Node's RequestInit types `dispatcher` from its bundled undici-types; ours is the npm package's.
    const target = (init as { dispatcher?: Dispatcher } | undefined)?.dispatcher ?? dispatcher;
    const request = input instanceof Request ? input : undefined;
    const url: URL = request ? new URL(request.url) : typeof input === 'string' ? new URL(input) : (input as URL);
    const signal = init?.signal ?? request?.signal ?? null;
    if (signal?.aborted) throw signal.reason;
    const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
    // As in `new Request(request, init)`: headers given in init replace the request's.
    const headers = flattenHeaders(init?.headers ?? request?.headers);
    const body = toDispatchBody(init?.body ?? request?.body, headers);

    let data: Dispatcher.ResponseData;
    try {
      data = await target.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: method as Dispatcher.HttpMethod,
        headers,
        body,
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw new TypeError('fetch failed', { cause: error });
    }

    const status = data.statusCode;
    if ((init?.redirect ?? request?.redirect) === 'error' && status >= 300 && status < 400 && data.headers.location !== undefined) {
      await data.body.dump().catch(() => {});
      throw new TypeError('fetch failed', { cause: new Error(`Redirected to ${String(data.headers.location)} with redirect: 'error'`) });
    }
    const responseHeaders = toHeaders(data.headers);
    let responseBody: ReadableStream<Uint8Array> | null = null;
    if (NULL_BODY_STATUS.has(status) || method === 'HEAD') {
      data.body.resume(); // Drain, so the socket goes back to the pool.
    } else {
      responseBody = Readable.toWeb(decode(data.body, responseHeaders.get('content-encoding'))) as ReadableStream<Uint8Array>;
    }
    const response = new Response(responseBody, { status, statusText: data.statusText ?? '', headers: responseHeaders });
    // `url` is a read-only getter on Response; the SDK only uses it in debug logs, but keep it true.
    Object.defineProperty(response, 'url', { value: url.href });
    return response;
  };
}

/**
 * A request body in the shape `dispatcher.request` takes. Bytes and strings go as they are;
 * `FormData`, `Blob` and `URLSearchParams` are encoded by the platform's own `Response`
 * (so a `FormData` from Node's globals works, which npm undici's fetch would send as
 * "[object FormData]"), adding their content type when none was set.
 */
function toDispatchBody(body: unknown, headers: string[]): string | Uint8Array | Readable | null {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ReadableStream) return Readable.fromWeb(body as import('node:stream/web').ReadableStream);
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') return Readable.from(body as AsyncIterable<Uint8Array>);
  const encoded = new Response(body as ConstructorParameters<typeof Response>[0]);
  const contentType = encoded.headers.get('content-type');
  if (contentType && !hasHeader(headers, 'content-type')) headers.push('content-type', contentType);
  return encoded.body ? Readable.fromWeb(encoded.body as import('node:stream/web').ReadableStream) : null;
}

function hasHeader(flat: string[], name: string): boolean {
  for (let i = 0; i < flat.length; i += 2) if (flat[i]!.toLowerCase() === name) return true;
  return false;
}

/** Headers in any `HeadersInit` shape, as the flat `[name, value, …]` array undici takes fastest. */
function flattenHeaders(init: unknown): string[] {
  const flat: string[] = [];
  if (init === undefined || init === null) return flat;
  if (typeof (init as Headers).forEach === 'function' && !Array.isArray(init)) {
    (init as Headers).forEach((value, name) => {
      flat.push(name, value);
    });
  } else if (Array.isArray(init)) {
    for (const [name, value] of init as [string, string][]) flat.push(name, value);
  } else {
    for (const [name, value] of Object.entries(init as Record<string, string | readonly string[] | undefined>)) {
      if (value === undefined) continue;
      if (typeof value === 'string') flat.push(name, value);
      else for (const v of value) flat.push(name, v);
    }
  }
  return flat;
}

function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const name in raw) {
    const value = raw[name];
    if (value === undefined) continue;
    if (typeof value === 'string') headers.append(name, value);
    else for (const v of value) headers.append(name, v);
  }
  return headers;
}

function decode(body: Readable, encoding: string | null): Readable {
  if (!encoding || encoding === 'identity') return body;
  // Codings are listed in the order they were applied, so undo them from the last.
  const decoders: Transform[] = [];
  for (const coding of encoding
    .toLowerCase()
    .split(',')
    .map((c) => c.trim())
    .reverse()) {
    const decoder = decoderFor(coding);
    if (!decoder) break; // Unknown coding: hand back what we could decode, like fetch.
    decoders.push(decoder);
  }
  if (decoders.length === 0) return body;
  // pipeline() carries an abort or socket error from the body into the last decoder, which
  // the web stream then reports to the reader; its callback keeps the error handled.
  return pipeline([body, ...decoders], () => {}) as unknown as Readable;
}

function decoderFor(coding: string): Transform | undefined {
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip({ flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    case 'deflate':
      return zlib.createInflate();
    case 'br':
      return zlib.createBrotliDecompress();
    case 'zstd':
      return typeof zlib.createZstdDecompress === 'function' ? zlib.createZstdDecompress() : undefined;
    default:
      return undefined;
  }
}
