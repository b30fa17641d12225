/**
 * `toWebTransform`: the pipeline as a web `TransformStream`-shaped pair (`{ readable, writable }`),
 * for runtimes and libraries that speak web streams. Backpressure works both ways, as with
 * `toNodeTransform`, which it wraps.
 * @module
 */
import { Duplex } from 'node:stream';
import type { RunnablePipeline } from '../core/run-options.ts';
import { toNodeTransform, type TransformOptions } from './to-node-transform.ts';

/**
 * @example
 * const { readable, writable } = toWebTransform(p, { ndjson: true });
 * await request.body.pipeThrough({ readable, writable }).pipeTo(responseSink);
 */
export function toWebTransform(pipeline: RunnablePipeline, options: TransformOptions = {}): { readable: ReadableStream; writable: WritableStream } {
  return Duplex.toWeb(toNodeTransform(pipeline, options)) as { readable: ReadableStream; writable: WritableStream };
}
