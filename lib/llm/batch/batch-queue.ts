/**
 * The batch API behind one LLM for one run. Calls in batch mode land here instead of going out:
 * each request is appended to a request file on disk as it arrives (so memory holds only the
 * rows waiting, which the budget bounds), a file is sent as a batch when it is full or
 * `flushAfterMs` after its first request, batches are polled with backoff, and each answer
 * resolves the calls waiting for it as soon as its batch is done, while other batches are still
 * pending. Requests the batch did not answer are sent again (in a new batch, or live) up to
 * `retries`, then fail with the provider's reason. Every step is recorded in the run directory
 * first (see `BatchLedger`), so a resumed run picks up submitted batches instead of paying twice.
 * @module
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { completeLines } from '../../cache/line-reader.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson } from '../../core/canonical-json.ts';
import type { StepContext } from '../../core/step.ts';
import type { Llm, LlmResult } from '../client.ts';
import { LlmAbortError, LlmBatchError } from '../llm-errors.ts';
import type { BatchApi, BatchState } from './batch-api.ts';
import { ENDED } from './batch-api.ts';
import { BatchLedger } from './batch-ledger.ts';
import { type BatchOptions, type ResolvedBatchOptions, resolveBatchOptions } from './batch-options.ts';
import { SIMULATED_ENDPOINT } from '../shared-simulator.ts';

export type BatchCallKind = 'chat' | 'complete' | 'embed';

const URLS: Readonly<Record<BatchCallKind, string>> = { chat: '/v1/chat/completions', complete: '/v1/completions', embed: '/v1/embeddings' };

interface Waiter {
  resolve(result: LlmResult<unknown>): void;
  reject(error: unknown): void;
  live(): Promise<LlmResult<unknown>>;
}

interface OpenPart {
  readonly part: number;
  readonly endpoint: string;
  readonly file: string;
  readonly fd: number;
  count: number;
  bytes: number;
  timer?: NodeJS.Timeout;
}

export class BatchQueue {
  readonly #llm: Llm;
  readonly #api: BatchApi;
  readonly #options: ResolvedBatchOptions;
  readonly #ledger: BatchLedger;
  readonly #temporary: boolean;
  readonly #waiting = new Map<string, Waiter[]>();
  /** The part each request not yet answered is in (open or submitted). */
  readonly #where = new Map<string, number>();
  /** Submissions of each request so far. */
  readonly #tries = new Map<string, number>();
  /** Answers downloaded before any call asked for them (batches a resumed run picked up). */
  readonly #early = new Map<string, LlmResult<unknown>>();
  /**
   * Where the answers of batches that ended in an earlier attempt of the run are on disk
   * (`<part>.results.jsonl`): the rows they were for may come again after a kill, and their
   * answers were paid for; with the request cache off, this is what keeps them from being asked again.
   */
  readonly #stored = new Map<string, { file: string; start: number; length: number }>();
  readonly #open = new Map<string, OpenPart>();
  readonly #submitted = new Map<number, { batchId: string; endpoint: string; file: string }>();
  readonly #ready: Promise<void>;
  #sending: Promise<void> = Promise.resolve();
  #polling = false;
  #wake: (() => void) | undefined;
  #closed = false;

  constructor(llm: Llm, api: BatchApi, options: ResolvedBatchOptions, runDir: string | undefined) {
    this.#llm = llm;
    this.#api = api;
    this.#options = options;
    this.#temporary = runDir === undefined;
    const folder = runDir === undefined ? mkdtempSync(join(tmpdir(), 'sluice-batches-')) : join(runDir, 'batches');
    this.#ledger = new BatchLedger(folder, llm.name, llm.endpoint ?? '', runDir !== undefined);
    this.#ready = this.#resume();
  }

  /** The run's queue for `llm`, made on first use; closed when the run ends. */
  static of(ctx: StepContext, llm: Llm, value: boolean | BatchOptions): BatchQueue {
    const key = `batch:${llm.name}`;
    let queue = ctx.services.get(key) as BatchQueue | undefined;
    if (!queue) {
      if (typeof llm.batchApi !== 'function') throw new LlmBatchError(`LLM \`${llm.name}\` cannot send batches: it has no batch API.`, { llm: llm.name });
      const options = resolveBatchOptions(value, { simulated: llm.endpoint === SIMULATED_ENDPOINT })!;
      queue = new BatchQueue(llm, llm.batchApi(), options, ctx.runDir);
      ctx.services.set(key, queue);
      const made = queue;
      ctx.events.subscribe({ complete: () => made.close() });
    }
    return queue;
  }

  /** One request through the batch API: resolves with its answer once its batch is done. */
  async submit<T>(
    kind: BatchCallKind,
    body: Record<string, unknown>,
    signal: AbortSignal | undefined,
    live: () => Promise<LlmResult<T>>,
  ): Promise<LlmResult<T>> {
    this.#llm.usage.recordCall();
    await this.#ready;
    if (this.#closed || signal?.aborted)
      throw new LlmAbortError(`LLM \`${this.#llm.name}\`: the batch call was stopped before it was sent`, { llm: this.#llm.name });
    const url = URLS[kind];
    const customId = createHash('sha256')
      .update(`${url}\n${canonicalJson(body)}`)
      .digest('hex')
      .slice(0, 40);
    const early = this.#early.get(customId) ?? this.#readStored(customId);
    if (early) {
      this.#early.delete(customId);
      return early as LlmResult<T>;
    }
    return new Promise<LlmResult<T>>((resolve, reject) => {
      const waiter: Waiter = { resolve: resolve as Waiter['resolve'], reject, live: live as Waiter['live'] };
      const list = this.#waiting.get(customId);
      if (list) list.push(waiter);
      else {
        this.#waiting.set(customId, [waiter]);
        if (!this.#where.has(customId)) this.#append(url, customId, body);
      }
      signal?.addEventListener(
        'abort',
        () => {
          const waiters = this.#waiting.get(customId);
          if (!waiters?.includes(waiter)) return;
          waiters.splice(waiters.indexOf(waiter), 1);
          if (waiters.length === 0) this.#waiting.delete(customId);
          reject(new LlmAbortError(`LLM \`${this.#llm.name}\`: stopped while its batch was pending`, { llm: this.#llm.name }));
        },
        { once: true },
      );
      this.#poll();
    });
  }

  /** Stops polling and flushing; request files of a run without a run directory are removed. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const open of this.#open.values()) {
      clearTimeout(open.timer);
      closeSync(open.fd);
    }
    this.#open.clear();
    this.#wake?.();
    if (this.#temporary) rmSync(this.#ledger.folder, { recursive: true, force: true });
  }

  /** Picks up what an earlier attempt of this run left at the provider. */
  async #resume(): Promise<void> {
    for (const record of this.#ledger.parts.values()) {
      if (record.ended !== undefined) {
        await this.#indexResults(record.file);
        continue;
      }
      let batchId = record.batchId;
      if (batchId === undefined) {
        // Killed after the batch was created but before its id was recorded? The tag finds it.
        const found = await this.#api.find({ sluice_run: this.#ledger.runKey, sluice_part: String(record.part) });
        if (!found) continue; // Never created: its requests are sent again when their rows come.
        batchId = found.id;
        this.#ledger.submitted(record.part, batchId);
      }
      this.#submitted.set(record.part, { batchId, endpoint: record.endpoint, file: record.file });
      for await (const line of this.#requestLines(record.file)) this.#where.set(line.custom_id, record.part);
    }
  }

  #append(url: string, customId: string, body: Record<string, unknown>): void {
    const line = `${JSON.stringify({ custom_id: customId, method: 'POST', url, body })}\n`;
    const size = Buffer.byteLength(line);
    let open = this.#open.get(url);
    if (open && open.count > 0 && open.bytes + size > this.#options.maxBytes) {
      this.#seal(open);
      open = undefined;
    }
    if (!open) {
      const part = this.#nextPart();
      const file = this.#ledger.fileOf(this.#llm.name, part);
      open = { part, endpoint: url, file, fd: openSync(join(this.#ledger.folder, file), 'w'), count: 0, bytes: 0 };
      this.#open.set(url, open);
      const sealing = open;
      open.timer = setTimeout(() => this.#seal(sealing), this.#options.flushAfterMs);
    }
    writeSync(open.fd, line);
    open.count++;
    open.bytes += size;
    this.#where.set(customId, open.part);
    if (open.count >= this.#options.maxRequests) this.#seal(open);
  }

  #parts = 0;
  #nextPart(): number {
    this.#parts = Math.max(this.#parts, this.#ledger.nextPart() - 1) + 1;
    return this.#parts;
  }

  /** Closes a part's file, records it, and sends it (one part at a time, in order). */
  #seal(open: OpenPart): void {
    if (this.#open.get(open.endpoint) !== open) return;
    this.#open.delete(open.endpoint);
    clearTimeout(open.timer);
    closeSync(open.fd);
    this.#ledger.written({ part: open.part, file: open.file, endpoint: open.endpoint, requests: open.count });
    this.#sending = this.#sending.then(() => this.#send(open.part, open.endpoint, open.file)).catch((error: unknown) => this.#sendFailed(open, error));
  }

  async #send(part: number, endpoint: string, file: string): Promise<void> {
    if (this.#closed) return;
    const fileId = await this.#api.upload(join(this.#ledger.folder, file));
    this.#ledger.uploaded(part, fileId);
    const batch = await this.#api.create(fileId, endpoint, this.#options.completionWindow, { sluice_run: this.#ledger.runKey, sluice_part: String(part) });
    this.#ledger.submitted(part, batch.id);
    this.#llm.usage.recordBatch('submitted');
    this.#submitted.set(part, { batchId: batch.id, endpoint, file });
    this.#wake?.();
    this.#poll();
  }

  /** A part that could not be uploaded or submitted: its requests go again, or fail with the reason. */
  async #sendFailed(open: OpenPart, error: unknown): Promise<void> {
    const reason = error instanceof Error ? error.message : String(error);
    this.#ledger.ended(open.part, 'not-sent');
    for await (const line of this.#requestLines(open.file)) this.#retryOrFail(line.custom_id, line.url, line.body, reason);
  }

  /** Polls submitted batches while calls wait for them; collects each one that ended. */
  #poll(): void {
    if (this.#polling || this.#closed) return;
    this.#polling = true;
    void (async () => {
      let interval = this.#options.pollMs.min;
      try {
        while (!this.#closed && this.#submitted.size > 0 && this.#waiting.size > 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, interval);
            this.#wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          this.#wake = undefined;
          let changed = false;
          for (const [part, { batchId, endpoint, file }] of [...this.#submitted]) {
            if (this.#closed) return;
            const state = await this.#api.retrieve(batchId);
            if (!ENDED.has(state.status)) continue;
            changed = true;
            await this.#collect(part, state, endpoint, file);
          }
          interval = changed ? this.#options.pollMs.min : Math.min(this.#options.pollMs.max, Math.max(1, interval * 1.5));
        }
      } catch (error) {
        // The batch API stopped answering even after retries: the waiting calls fail with why.
        for (const [customId, waiters] of this.#waiting) {
          if (this.#open.size > 0 && [...this.#open.values()].some((o) => o.part === this.#where.get(customId))) continue;
          this.#waiting.delete(customId);
          for (const waiter of waiters) waiter.reject(error);
        }
      } finally {
        this.#polling = false;
      }
    })();
  }

  /** Takes an ended batch's answers, and sends again (or fails) what it did not answer. */
  async #collect(part: number, state: BatchState, endpoint: string, file: string): Promise<void> {
    const answered = new Set<string>();
    const reasons = new Map<string, string>();
    if (state.outputFileId) {
      // Kept in the run directory as they come: a later attempt of the run reads them from there.
      const results = openSync(join(this.#ledger.folder, resultsFile(file)), 'w');
      try {
        for await (const text of this.#api.lines(state.outputFileId)) {
          const line = JSON.parse(text) as {
            custom_id: string;
            response?: { status_code: number; request_id?: string; body: unknown } | null;
            error?: { message?: string } | null;
          };
          if (line.response?.status_code === 200) {
            writeSync(results, `${text}\n`);
            answered.add(line.custom_id);
            this.#deliver(line.custom_id, line.response.body, line.response.request_id);
          } else reasons.set(line.custom_id, describe(line));
        }
      } finally {
        closeSync(results);
      }
    }
    if (state.errorFileId) {
      for await (const text of this.#api.lines(state.errorFileId)) {
        const line = JSON.parse(text) as {
          custom_id: string;
          response?: { status_code: number; body?: unknown } | null;
          error?: { message?: string; code?: string } | null;
        };
        reasons.set(line.custom_id, describe(line));
      }
    }
    this.#submitted.delete(part);
    this.#ledger.ended(part, state.status);
    const complete = state.status === 'completed' && reasons.size === 0;
    this.#llm.usage.recordBatch(complete ? 'completed' : 'ended');
    if (answered.size === this.#ledger.parts.get(part)?.requests) return;
    const whole = `the batch ${state.id} ${state.status === 'completed' ? 'left it unanswered' : `ended ${state.status}`}${state.reason ? ` (${state.reason})` : ''}`;
    for await (const line of this.#requestLines(file)) {
      if (answered.has(line.custom_id)) continue;
      this.#retryOrFail(line.custom_id, line.url ?? endpoint, line.body, reasons.get(line.custom_id) ?? whole);
    }
  }

  /** Indexes the answers an ended part left on disk, by `custom_id`, reading the file as a stream. */
  async #indexResults(file: string): Promise<void> {
    const results = resultsFile(file);
    let start = 0;
    for await (const text of completeLines(join(this.#ledger.folder, results))) {
      const length = Buffer.byteLength(text);
      const match = /"custom_id"\s*:\s*"([^"]+)"/.exec(text.slice(0, 400));
      if (match) this.#stored.set(match[1]!, { file: results, start, length });
      start += length + 1;
    }
  }

  /** An answer an earlier attempt of the run downloaded, read back from disk. */
  #readStored(customId: string): LlmResult<unknown> | undefined {
    const at = this.#stored.get(customId);
    if (!at) return undefined;
    this.#stored.delete(customId);
    const buffer = Buffer.alloc(at.length);
    const fd = openSync(join(this.#ledger.folder, at.file), 'r');
    try {
      readSync(fd, buffer, 0, at.length, at.start);
    } finally {
      closeSync(fd);
    }
    let line: { response?: { body: unknown; request_id?: string } };
    try {
      line = JSON.parse(buffer.toString('utf8')) as typeof line;
    } catch {
      return undefined;
    }
    if (!line.response) return undefined;
    const body = line.response.body;
    const model = (body as { model?: string }).model ?? this.#llm.model;
    // Paid for in the attempt that downloaded it: counted here as an answer, at the batch price, once.
    this.#llm.usage.recordResponse(model, (body as { usage?: never }).usage, { batch: true });
    return { response: body, attempts: 1, requestId: line.response.request_id, model, processingMs: undefined, rateLimit: {} };
  }

  #deliver(customId: string, body: unknown, requestId: string | undefined): void {
    this.#where.delete(customId);
    const model = ((body as { model?: string }).model as string | undefined) ?? this.#llm.model;
    this.#llm.usage.recordResponse(model, (body as { usage?: never }).usage, { batch: true });
    const result: LlmResult<unknown> = { response: body, attempts: this.#tries.get(customId) ?? 1, requestId, model, processingMs: undefined, rateLimit: {} };
    const waiters = this.#waiting.get(customId);
    if (!waiters) {
      this.#early.set(customId, result);
      return;
    }
    this.#waiting.delete(customId);
    for (const waiter of waiters) waiter.resolve(result);
  }

  #retryOrFail(customId: string, url: string, body: Record<string, unknown>, reason: string): void {
    this.#where.delete(customId);
    const waiters = this.#waiting.get(customId);
    // No call waits for it (a resumed run's row not read yet): it is sent again when its row comes.
    if (!waiters) return;
    const tries = this.#tries.get(customId) ?? 1;
    if (tries <= this.#options.retries && !this.#closed) {
      this.#tries.set(customId, tries + 1);
      this.#llm.usage.recordBatch('resubmitted');
      if (this.#options.resubmit === 'live') {
        this.#waiting.delete(customId);
        for (const waiter of waiters) waiter.live().then(waiter.resolve, waiter.reject);
      } else this.#append(url, customId, body);
      return;
    }
    this.#waiting.delete(customId);
    this.#llm.usage.recordError();
    const error = new LlmBatchError(
      `LLM \`${this.#llm.name}\`: the batch API did not answer this request in ${tries} batch${tries === 1 ? '' : 'es'}: ${reason}`,
      {
        llm: this.#llm.name,
        attempts: tries,
      },
    );
    for (const waiter of waiters) waiter.reject(error);
  }

  /** A part's request lines, read from its file as a stream (a file may hold 190 MiB). */
  async *#requestLines(file: string): AsyncGenerator<{ custom_id: string; url: string; body: Record<string, unknown> }> {
    // Complete lines only: a line torn by a kill was never sent.
    for await (const text of completeLines(join(this.#ledger.folder, file))) {
      if (text.trim() !== '') yield JSON.parse(text) as { custom_id: string; url: string; body: Record<string, unknown> };
    }
  }
}

/** The file an ended part's answers are kept in, beside its request file. */
function resultsFile(requests: string): string {
  return requests.replace(/\.requests\.jsonl$/, '.results.jsonl');
}

/** The provider's reason for one request, in a sentence. */
function describe(line: { response?: { status_code: number; body?: unknown } | null; error?: { message?: string; code?: string } | null }): string {
  if (line.error?.message) return `${line.error.code ? `${line.error.code}: ` : ''}${line.error.message}`;
  const message = (line.response?.body as { error?: { message?: string } } | undefined)?.error?.message;
  return `status ${line.response?.status_code ?? '?'}${message ? `: ${message}` : ''}`;
}
