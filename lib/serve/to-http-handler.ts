/**
 * `toHttpHandler`: a Node HTTP handler that runs the pipeline over the request body (NDJSON) and
 * streams the output rows back as NDJSON, with backpressure both ways. When the client goes
 * away, the run is aborted: reading stops and LLM requests in flight are cancelled.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline as streamPipeline } from 'node:stream/promises';
import type { RunnablePipeline } from '../core/run.ts';
import { toNodeTransform, type TransformOptions } from './to-node-transform.ts';

/**
 * @example
 * http.createServer(toHttpHandler(p)).listen(8080, '127.0.0.1');
 * // curl --data-binary @rows.jsonl http://127.0.0.1:8080/
 */
export function toHttpHandler(pipeline: RunnablePipeline, options: Omit<TransformOptions, 'ndjson'> = {}): (req: IncomingMessage, res: ServerResponse) => void {
  return function handleSluiceRequest(req, res) {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const transform = toNodeTransform(pipeline, { name: 'request', ...options, ndjson: true });
    // A client that disconnects ends the response early: destroying the transform ends the
    // pulling iteration, which aborts the run's work in flight.
    res.on('close', () => {
      if (!res.writableFinished) transform.destroy();
    });
    streamPipeline(req, transform, res).catch(() => {
      if (!res.destroyed) res.destroy();
    });
  };
}
