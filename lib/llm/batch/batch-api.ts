/**
 * The provider's files and batches endpoints, through the official SDK on the LLM's own undici
 * agent: what the batch queue needs, each call retried on connection errors, 429s and 5xx.
 * @module
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import type OpenAI from 'openai';
import { toFile } from 'openai';

/** A batch as the queue needs to know it. */
export interface BatchState {
  readonly id: string;
  /** `validating`, `in_progress`, `finalizing`, `completed`, `failed`, `expired`, `cancelling`, `cancelled`. */
  readonly status: string;
  readonly outputFileId: string | null;
  readonly errorFileId: string | null;
  readonly counts: { readonly total: number; readonly completed: number; readonly failed: number };
  readonly metadata: Readonly<Record<string, string>>;
  /** Why a batch failed as a whole, from its `errors`. */
  readonly reason?: string;
}

export interface BatchApi {
  /** Uploads a request file (`purpose: batch`) and returns its file id. */
  upload(path: string): Promise<string>;
  create(fileId: string, endpoint: string, completionWindow: string, metadata: Readonly<Record<string, string>>): Promise<BatchState>;
  retrieve(id: string): Promise<BatchState>;
  cancel(id: string): Promise<BatchState>;
  /** The newest batch whose metadata has every pair of `metadata`, among the most recent `scan`. */
  find(metadata: Readonly<Record<string, string>>, scan?: number): Promise<BatchState | undefined>;
  /** A file's content, line by line, streamed. */
  lines(fileId: string): AsyncIterable<string>;
}

/** Terminal states: nothing more will happen to the batch. */
export const ENDED = new Set(['completed', 'failed', 'expired', 'cancelled']);

const ATTEMPTS = 6;

export function createBatchApi(client: () => OpenAI | Promise<OpenAI>, sleep: (ms: number) => Promise<void> = delay): BatchApi {
  /** Retries what a later attempt may fix: no answer, a 408/409/429 or a 5xx. */
  async function retried<T>(what: string, fn: (sdk: OpenAI) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn(await client());
      } catch (error) {
        const status = (error as { status?: number }).status;
        const transient = status === undefined || status === 408 || status === 409 || status === 429 || status >= 500;
        if (!transient || attempt >= ATTEMPTS) {
          (error as Error).message = `Batch API: ${what} failed: ${(error as Error).message}`;
          throw error;
        }
        await sleep(Math.min(10_000, 250 * 2 ** (attempt - 1)));
      }
    }
  }
  return {
    async upload(path) {
      return retried('uploading a request file', async (sdk) => {
        const file = await sdk.files.create({ file: await toFile(createReadStream(path), basename(path)), purpose: 'batch' });
        return file.id;
      });
    },
    async create(fileId, endpoint, completionWindow, metadata) {
      return stateOf(
        await retried('creating a batch', (sdk) =>
          sdk.batches.create({ input_file_id: fileId, endpoint: endpoint as never, completion_window: completionWindow as never, metadata: { ...metadata } }),
        ),
      );
    },
    async retrieve(id) {
      return stateOf(await retried(`reading batch ${id}`, (sdk) => sdk.batches.retrieve(id)));
    },
    async cancel(id) {
      return stateOf(await retried(`cancelling batch ${id}`, (sdk) => sdk.batches.cancel(id)));
    },
    async find(metadata, scan = 1000) {
      return retried('listing batches', async (sdk) => {
        let seen = 0;
        for await (const batch of sdk.batches.list({ limit: 100 })) {
          const tags = (batch.metadata ?? {}) as Record<string, string>;
          if (Object.entries(metadata).every(([key, value]) => tags[key] === value)) return stateOf(batch);
          if (++seen >= scan) break;
        }
        return undefined;
      });
    },
    async *lines(fileId) {
      const response = await retried(`downloading file ${fileId}`, (sdk) => sdk.files.content(fileId));
      const decoder = new TextDecoder();
      let rest = '';
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        rest += decoder.decode(chunk, { stream: true });
        let newline = rest.indexOf('\n');
        while (newline >= 0) {
          const line = rest.slice(0, newline);
          if (line.trim() !== '') yield line;
          rest = rest.slice(newline + 1);
          newline = rest.indexOf('\n');
        }
      }
      rest += decoder.decode();
      if (rest.trim() !== '') yield rest;
    },
  };
}

function stateOf(batch: OpenAI.Batches.Batch): BatchState {
  const reason = batch.errors?.data
    ?.map((e) => e.message ?? e.code)
    .filter(Boolean)
    .join('; ');
  return {
    id: batch.id,
    status: batch.status,
    outputFileId: batch.output_file_id ?? null,
    errorFileId: batch.error_file_id ?? null,
    counts: { total: batch.request_counts?.total ?? 0, completed: batch.request_counts?.completed ?? 0, failed: batch.request_counts?.failed ?? 0 },
    metadata: (batch.metadata ?? {}) as Record<string, string>,
    ...(reason ? { reason } : {}),
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
