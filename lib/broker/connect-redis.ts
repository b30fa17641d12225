/**
 * A connected `redis` client for a stream's server, loaded on first use. A failure names the
 * server as it may be shown (no password) and says what could not be reached.
 * @module
 */
import { SluiceError } from '../core/errors.ts';
import type { RedisStreamLocation } from './redis-stream-location.ts';

export type RedisClient = ReturnType<typeof import('redis').createClient>;

export async function connectRedis({ server, shown }: Pick<RedisStreamLocation, 'server' | 'shown'>): Promise<RedisClient> {
  const { createClient } = await import('redis');
  const client = createClient({ url: server });
  // Errors reach the calls that fail; the client's own event must not crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    throw new SluiceError(`Cannot reach the Redis stream ${shown}: ${(error as Error).message.replaceAll(server, shown)}`);
  }
  return client;
}
