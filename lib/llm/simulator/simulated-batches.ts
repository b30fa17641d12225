/**
 * The simulator's files and batches endpoints (OpenAI's batch API): upload a JSONL file of
 * requests, create a batch over it, watch it go `validating` → `in_progress` → `completed`, and
 * download its output and error files. Each request inside a batch is answered by the same reply
 * builders as the live endpoints, so a batch answers exactly what live calls would.
 * @module
 */
import { createHash } from 'node:crypto';
import type { SimulatedReply, ReplyContext } from './simulated-reply.ts';
import { SimulatorRequestError } from './simulator-request-error.ts';

/**
 * What happens to a batch: it completes, fails as a whole, expires after this many requests were
 * done, or stays in progress (`hold`: asked again every `batchMs`).
 */
export type BatchFate = 'complete' | 'fail' | 'hold' | { readonly expireAfter: number };

/** What a `batchFate` hook is told about a batch. */
export interface BatchInfo {
  /** 1 for the first batch created since start. */
  readonly n: number;
  readonly requests: number;
}

export interface BatchSettings {
  /** Time from creation to the end of processing, in ms. */
  readonly batchMs: number;
  /** Chance (0..1) that one request inside a batch fails with a 500 of its own, drawn per batch and `custom_id` (so a resubmission may pass). */
  readonly batchErrorRate: number;
  readonly batchFate: ((batch: BatchInfo) => BatchFate) | undefined;
  readonly seed: number;
}

/** A request body and what it asks of: built into a reply, or refused with a `SimulatorRequestError`. */
export type BuildReply = (path: string, body: Record<string, unknown>, context: ReplyContext) => SimulatedReply | undefined;

interface StoredFile {
  readonly id: string;
  readonly bytes: number;
  readonly filename: string;
  readonly purpose: string;
  readonly created_at: number;
  readonly content: Buffer;
}

/** A batch as the API shows it. */
export interface SimulatedBatch {
  id: string;
  object: 'batch';
  endpoint: string;
  errors: { object: 'list'; data: { code: string; message: string; line: number | null }[] } | null;
  input_file_id: string;
  completion_window: string;
  status: 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  in_progress_at: number | null;
  expires_at: number;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  expired_at: number | null;
  cancelling_at: number | null;
  cancelled_at: number | null;
  request_counts: { total: number; completed: number; failed: number };
  metadata: Record<string, string> | null;
}

export interface BatchAnswer {
  readonly status: number;
  readonly body?: unknown;
  /** Raw content (a file's), sent as `application/octet-stream`. */
  readonly content?: Buffer;
}

const ENDPOINTS = new Set(['/v1/chat/completions', '/v1/completions', '/v1/embeddings']);

export class SimulatedBatches {
  readonly #files = new Map<string, StoredFile>();
  readonly #batches = new Map<string, SimulatedBatch>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #settings: () => BatchSettings;
  readonly #build: BuildReply;
  readonly #instance: string;
  readonly #now: () => number;
  #files_n = 0;
  #batches_n = 0;

  constructor(options: { settings: () => BatchSettings; build: BuildReply; instance: string; now: () => number }) {
    this.#settings = options.settings;
    this.#build = options.build;
    this.#instance = options.instance;
    this.#now = options.now;
  }

  /** Whether `path` is one of these endpoints. */
  static handles(path: string): boolean {
    return path === '/v1/files' || path.startsWith('/v1/files/') || path === '/v1/batches' || path.startsWith('/v1/batches/');
  }

  /** Every batch so far, oldest first, as the API would show it now. */
  list(): SimulatedBatch[] {
    return [...this.#batches.values()].map((b) => structuredClone(b));
  }

  async handle(method: string, path: string, query: URLSearchParams, raw: Buffer, contentType: string | undefined): Promise<BatchAnswer> {
    const parts = path.split('/').filter(Boolean); // ['v1', 'files' | 'batches', id?, action?]
    const [, collection, id, action] = parts;
    if (collection === 'files') {
      if (id === undefined && method === 'POST') return this.#upload(raw, contentType);
      const file = id === undefined ? undefined : this.#files.get(id);
      if (id !== undefined && !file) return notFound(`No such File object: ${id}`);
      if (file && action === 'content' && method === 'GET') return { status: 200, content: file.content };
      if (file && action === undefined && method === 'GET') return { status: 200, body: fileObject(file) };
      if (file && action === undefined && method === 'DELETE') {
        this.#files.delete(file.id);
        return { status: 200, body: { id: file.id, object: 'file', deleted: true } };
      }
      if (id === undefined && method === 'GET')
        return { status: 200, body: { object: 'list', data: [...this.#files.values()].map(fileObject), has_more: false } };
    }
    if (collection === 'batches') {
      if (id === undefined && method === 'POST') return this.#create(raw);
      if (id === undefined && method === 'GET') return this.#list(query);
      const batch = id === undefined ? undefined : this.#batches.get(id);
      if (!batch) return notFound(`No batch found with id '${id}'.`);
      if (action === undefined && method === 'GET') return { status: 200, body: batch };
      if (action === 'cancel' && method === 'POST') return this.#cancel(batch);
    }
    return { status: 404, body: error(`Invalid URL (${method} ${path})`, 'unknown_url') };
  }

  close(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  /** Forgets every file and batch, and counts batches from 1 again. */
  reset(): void {
    this.close();
    this.#files.clear();
    this.#batches.clear();
    this.#batches_n = 0;
  }

  async #upload(raw: Buffer, contentType: string | undefined): Promise<BatchAnswer> {
    if (!contentType?.startsWith('multipart/form-data')) {
      return { status: 400, body: error('Upload files as multipart/form-data, with `file` and `purpose`.', 'invalid_request_error') };
    }
    // The body as a web Response parses multipart for us, boundary and all.
    const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
    const file = form.get('file');
    const purpose = form.get('purpose');
    if (!(file instanceof Blob)) return { status: 400, body: error("Missing the 'file' field.", 'invalid_request_error') };
    if (typeof purpose !== 'string' || purpose === '') return { status: 400, body: error("Missing the 'purpose' field.", 'invalid_request_error') };
    const content = Buffer.from(await file.arrayBuffer());
    const stored: StoredFile = {
      id: `file-sim${this.#instance}${(++this.#files_n).toString(16).padStart(6, '0')}`,
      bytes: content.length,
      filename: (file as File).name ?? 'upload.jsonl',
      purpose,
      created_at: this.#seconds(),
      content,
    };
    this.#files.set(stored.id, stored);
    return { status: 200, body: fileObject(stored) };
  }

  #create(raw: Buffer): BatchAnswer {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    } catch {
      return { status: 400, body: error('We could not parse the JSON body of your request.', 'invalid_json') };
    }
    const { input_file_id: fileId, endpoint, completion_window: window = '24h', metadata = null } = body;
    if (typeof fileId !== 'string' || !this.#files.has(fileId))
      return { status: 400, body: error(`No such File object: ${String(fileId)}`, 'invalid_request_error') };
    if (typeof endpoint !== 'string' || !ENDPOINTS.has(endpoint)) {
      return { status: 400, body: error(`Invalid 'endpoint': expected one of ${[...ENDPOINTS].join(', ')}.`, 'invalid_request_error') };
    }
    const now = this.#seconds();
    const lines = this.#files
      .get(fileId)!
      .content.toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const batch: SimulatedBatch = {
      id: `batch_sim${this.#instance}${(++this.#batches_n).toString(16).padStart(6, '0')}`,
      object: 'batch',
      endpoint,
      errors: null,
      input_file_id: fileId,
      completion_window: String(window),
      status: 'validating',
      output_file_id: null,
      error_file_id: null,
      created_at: now,
      in_progress_at: null,
      expires_at: now + 24 * 3600,
      finalizing_at: null,
      completed_at: null,
      failed_at: null,
      expired_at: null,
      cancelling_at: null,
      cancelled_at: null,
      request_counts: { total: lines.length, completed: 0, failed: 0 },
      metadata: metadata as Record<string, string> | null,
    };
    this.#batches.set(batch.id, batch);
    const n = this.#batches_n;
    const { batchMs } = this.#settings();
    this.#after(batchMs / 2, () => {
      if (batch.status !== 'validating') return;
      batch.status = 'in_progress';
      batch.in_progress_at = this.#seconds();
    });
    this.#after(batchMs, () => {
      if (batch.status === 'in_progress' || batch.status === 'validating') this.#finish(batch, lines, n);
    });
    return { status: 200, body: batch };
  }

  #finish(batch: SimulatedBatch, lines: readonly string[], n: number): void {
    const settings = this.#settings();
    const fate = settings.batchFate?.({ n, requests: lines.length }) ?? 'complete';
    if (fate === 'hold') {
      this.#after(settings.batchMs, () => {
        if (batch.status === 'in_progress') this.#finish(batch, lines, n);
      });
      return;
    }
    const now = this.#seconds();
    if (fate === 'fail') {
      batch.status = 'failed';
      batch.failed_at = now;
      batch.errors = { object: 'list', data: [{ code: 'simulated_failure', message: 'The batch failed as a whole (simulated).', line: null }] };
      return;
    }
    const doneCount = typeof fate === 'object' ? Math.max(0, Math.min(lines.length, fate.expireAfter)) : lines.length;
    const output: string[] = [];
    const errors: string[] = [];
    lines.forEach((line, index) => {
      let request: { custom_id?: unknown; method?: unknown; url?: unknown; body?: unknown };
      try {
        request = JSON.parse(line) as typeof request;
      } catch {
        errors.push(
          JSON.stringify({
            id: `batch_req_${index}`,
            custom_id: null,
            response: null,
            error: { code: 'invalid_json', message: `Line ${index + 1} is not JSON.` },
          }),
        );
        return;
      }
      const customId = String(request.custom_id ?? '');
      const id = `batch_req_${batch.id.slice(-6)}${index.toString(16).padStart(6, '0')}`;
      if (index >= doneCount) {
        errors.push(
          JSON.stringify({
            id,
            custom_id: customId,
            response: null,
            error: { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' },
          }),
        );
        return;
      }
      const requestId = `req_simb${this.#instance}${batch.id.slice(-6)}${index.toString(16).padStart(6, '0')}`;
      if (settings.batchErrorRate > 0 && unit(settings.seed, `${batch.id}:${customId}`) < settings.batchErrorRate) {
        errors.push(
          JSON.stringify({
            id,
            custom_id: customId,
            response: {
              status_code: 500,
              request_id: requestId,
              body: error('The server had an error while processing your request (simulated).', 'server_error'),
            },
            error: null,
          }),
        );
        return;
      }
      try {
        const reply = this.#build(String(request.url), (request.body ?? {}) as Record<string, unknown>, {
          id: `chatcmpl-simb${this.#instance}${index.toString(16)}`,
          created: now,
          embeddingDimensions: 8,
        });
        if (!reply) throw new SimulatorRequestError(`Invalid 'url': ${String(request.url)}`, 'url');
        output.push(JSON.stringify({ id, custom_id: customId, response: { status_code: 200, request_id: requestId, body: reply.body }, error: null }));
      } catch (failure) {
        const message = failure instanceof Error ? failure.message : String(failure);
        errors.push(
          JSON.stringify({
            id,
            custom_id: customId,
            response: { status_code: 400, request_id: requestId, body: error(message, 'invalid_request_error') },
            error: null,
          }),
        );
      }
    });
    batch.request_counts = { total: lines.length, completed: output.length, failed: errors.length };
    if (output.length > 0) batch.output_file_id = this.#store(`${batch.id}_output.jsonl`, output);
    if (errors.length > 0) batch.error_file_id = this.#store(`${batch.id}_error.jsonl`, errors);
    if (typeof fate === 'object') {
      batch.status = 'expired';
      batch.expired_at = now;
    } else {
      batch.status = 'completed';
      batch.finalizing_at = now;
      batch.completed_at = now;
    }
  }

  #cancel(batch: SimulatedBatch): BatchAnswer {
    if (batch.status === 'validating' || batch.status === 'in_progress') {
      batch.status = 'cancelling';
      batch.cancelling_at = this.#seconds();
      this.#after(this.#settings().batchMs / 4, () => {
        batch.status = 'cancelled';
        batch.cancelled_at = this.#seconds();
        batch.request_counts = { ...batch.request_counts, completed: 0, failed: 0 };
      });
    }
    return { status: 200, body: batch };
  }

  #list(query: URLSearchParams): BatchAnswer {
    const limit = Math.max(1, Math.min(100, Number(query.get('limit') ?? 20) || 20));
    const after = query.get('after');
    const newestFirst = [...this.#batches.values()].reverse();
    const start = after === null ? 0 : newestFirst.findIndex((b) => b.id === after) + 1;
    const page = newestFirst.slice(start, start + limit);
    return {
      status: 200,
      body: { object: 'list', data: page, first_id: page[0]?.id ?? null, last_id: page.at(-1)?.id ?? null, has_more: start + limit < newestFirst.length },
    };
  }

  #store(filename: string, lines: readonly string[]): string {
    const content = Buffer.from(`${lines.join('\n')}\n`);
    const id = `file-sim${this.#instance}${(++this.#files_n).toString(16).padStart(6, '0')}`;
    this.#files.set(id, { id, bytes: content.length, filename, purpose: 'batch_output', created_at: this.#seconds(), content });
    return id;
  }

  #after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
  }

  #seconds(): number {
    return Math.floor(this.#now() / 1000);
  }
}

function fileObject(file: StoredFile): Record<string, unknown> {
  return { id: file.id, object: 'file', bytes: file.bytes, created_at: file.created_at, filename: file.filename, purpose: file.purpose, status: 'processed' };
}

function error(message: string, type: string, code: string | null = null): { error: { message: string; type: string; param: null; code: string | null } } {
  return { error: { message, type, param: null, code } };
}

function notFound(message: string): BatchAnswer {
  return { status: 404, body: error(message, 'invalid_request_error', 'not_found') };
}

/** A number in [0, 1) fixed by the seed and the request's `custom_id`. */
function unit(seed: number, customId: string): number {
  return createHash('sha256').update(`${seed}:${customId}`).digest().readUInt32BE(0) / 2 ** 32;
}
