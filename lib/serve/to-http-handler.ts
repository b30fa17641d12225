/**
 * `toHttpHandler`: a Node HTTP handler that runs the pipeline over the request body (NDJSON) and
 * streams the output rows back as NDJSON, with backpressure both ways. When the client goes
 * away, the run is aborted: reading stops and LLM requests in flight are cancelled.
 *
 * Each request is its own run, with its own row ids (`request-<8 hex>:<line>`). Its failed rows
 * go to the `failed` sink the embedder gives (shared by every request: make it one that appends),
 * and by default only to the client: the response ends with one record
 * `{"_sluice_end":{"rows":N,"failed":[{"id","step","line","error":{"code","message"}}]}}`, which
 * says which of its rows failed (by the line of the request body) and why (`endRecord: false`
 * leaves it out).
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform } from 'node:stream';
import { pipeline as streamPipeline } from 'node:stream/promises';
import type { Row } from '../core/row.ts';
import type { RunnablePipeline } from '../core/run-options.ts';
import type { FailedRow } from '../core/failed-row.ts';
import type { Sink } from '../core/sink.ts';
import { toNodeTransform, type TransformOptions } from './to-node-transform.ts';

export interface HttpHandlerOptions extends Omit<TransformOptions, 'ndjson'> {
  /** End each response with the `_sluice_end` record (row count and failed rows). Default true. */
  endRecord?: boolean;
}

/** What the end record says of a failed row: enough for the client to find it in what it sent. */
type FailedSummary = Pick<FailedRow, 'id' | 'step' | 'error'> & { line?: number };

/**
 * @example
 * http.createServer(toHttpHandler(p)).listen(8080, '127.0.0.1');
 * // curl --data-binary @rows.jsonl http://127.0.0.1:8080/
 */
export function toHttpHandler(pipeline: RunnablePipeline, options: HttpHandlerOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const { endRecord = true, name = 'request', ...runOptions } = options;
  return function handleSluiceRequest(req, res) {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const failures: FailedSummary[] = [];
    const collector: Sink = {
      name: 'response',
      write(row: Row, _leaf, done) {
        const failed = row as unknown as FailedRow;
        // The line of the request body the row came from: in the id (`request-…:<line>[.child]`) when not given.
        const line = failed.line ?? Number(/:(\d+)/.exec(failed.id)?.[1] ?? Number.NaN);
        failures.push({ id: failed.id, step: failed.step, ...(Number.isFinite(line) ? { line } : {}), error: failed.error });
        done();
      },
      async close() {},
    };
    // The embedder's sink gets every failed row; the response gets a summary of this request's.
    const failed: Sink = runOptions.failed ? tee(runOptions.failed, collector) : collector;
    const transform = toNodeTransform(pipeline, { ...runOptions, name: `${name}-${randomBytes(4).toString('hex')}`, ndjson: true, failed });
    let rows = 0;
    const ending = new Transform({
      transform(chunk: Buffer | string, _encoding, callback) {
        rows++;
        callback(null, chunk);
      },
      flush(callback) {
        callback(null, endRecord ? `${JSON.stringify({ _sluice_end: { rows, failed: failures } })}\n` : undefined);
      },
    });
    // A client that disconnects ends the response early: destroying the transform ends the
    // pulling iteration, which aborts the run's work in flight.
    res.on('close', () => {
      if (!res.writableFinished) transform.destroy();
    });
    streamPipeline(req, transform, ending, res).catch(() => {
      if (!res.destroyed) res.destroy();
    });
  };
}

/**
 * A sink that writes each row to both, and is done when both are. It never closes `first`: that
 * is the embedder's, shared by every request, and outlives this one.
 */
function tee(first: Sink, second: Sink): Sink {
  return {
    name: first.name,
    ...(first.open ? { open: (options?: { append?: boolean }) => first.open!(options) } : {}),
    write(row, leaf, done) {
      let pending = 2;
      let failure: Error | null | undefined;
      const both = (error?: Error | null) => {
        failure ??= error;
        if (--pending === 0) done(failure);
      };
      first.write(row, leaf, both);
      second.write(row, leaf, both);
    },
    close: async () => {},
  };
}
