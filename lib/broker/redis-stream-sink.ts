/**
 * A Redis stream as a sink: each row is one entry (`XADD <stream> * row <json> leaf <leaf>`),
 * its `done` called once Redis has it. Commands issued in one tick go out as one pipeline.
 * @module
 */
import { OutputNotJsonError, SluiceError } from '../core/errors.ts';
import type { Sink } from '../core/sink.ts';
import { connectRedis, type RedisClient } from './connect-redis.ts';
import { parseRedisStreamLocation } from './redis-stream-location.ts';

export interface ToRedisStreamOptions {
  /** Keep about this many entries (`MAXLEN ~`), for a stream nobody trims. Default: no limit. */
  maxLen?: number;
}

/**
 * @example
 * pipeline('enrich').from(…).pipe(…).to(toRedisStream('redis://127.0.0.1:6379/results'))
 */
export function toRedisStream(location: string, { maxLen }: ToRedisStreamOptions = {}): Sink {
  const { server, stream, shown } = parseRedisStreamLocation(location);
  let client: RedisClient | undefined;
  let pending = 0;
  let drained: (() => void) | undefined;
  const settle = (done: (error?: Error | null) => void, error?: Error) => {
    pending--;
    done(error);
    if (pending === 0) drained?.();
  };
  return {
    name: shown,
    async open() {
      client = await connectRedis(server, 'the Redis stream');
    },
    write(row, leaf, done) {
      let text: string;
      try {
        text = JSON.stringify(row);
      } catch (error) {
        queueMicrotask(() => done(new OutputNotJsonError(`A row could not be written (${(error as Error).message}). Rows must hold only JSON values.`)));
        return;
      }
      pending++;
      if (!client) {
        queueMicrotask(() => settle(done, new SluiceError(`The Redis stream ${shown} is not open`)));
        return;
      }
      client
        .xAdd(
          stream,
          '*',
          { row: text, ...(leaf ? { leaf } : {}) },
          maxLen ? { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: maxLen } } : undefined,
        )
        .then(
          () => settle(done),
          (error: Error) => settle(done, new SluiceError(`Could not add to the Redis stream ${shown}: ${error.message.replaceAll(server, shown)}`)),
        );
    },
    async close() {
      if (pending > 0) await new Promise<void>((resolve) => (drained = resolve));
      await client?.close().catch(() => {});
      client = undefined;
    },
  };
}
