/**
 * A connected `redis` client, loaded on first use, for every part that talks to Redis (streams,
 * the shared request cache, shared rate limits). A failure says what could not be reached, and
 * where, without the URL's password.
 * @module
 */
import { SluiceError } from '../core/errors.ts';
import { withoutPassword } from '../core/without-password.ts';

export type RedisClient = ReturnType<typeof import('redis').createClient>;

/** Whether a location names a Redis server (`redis://`, `rediss://`) rather than a file or folder. */
export function isRedisUrl(location: string): boolean {
  return /^rediss?:\/\//i.test(location);
}

/** Connects to `url`; `what` names it in the error (`the Redis stream`, `the Redis cache`). */
export async function connectRedis(url: string, what: string): Promise<RedisClient> {
  const { createClient } = await import('redis');
  // A first connection that fails (no server, a wrong password) fails at once; after a drop, the
  // client reconnects with backoff and gives up after 20 tries: a gone server fails calls, not hangs them.
  let connected = false;
  const client = createClient({
    url,
    socket: { reconnectStrategy: (retries) => (!connected || retries > 20 ? false : Math.min(50 * 2 ** retries, 2000)) },
  });
  client.on('ready', () => {
    connected = true;
  });
  // Errors reach the calls that fail; the client's own event must not crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    throw new SluiceError(`Cannot reach ${what} at ${withoutPassword(url)}: ${withoutPassword((error as Error).message)}`);
  }
  return client;
}

/**
 * Sends a command again while Redis restarts: a call in flight when the connection dropped fails,
 * and the client reconnects (or gives up after its tries and closes, and then this throws).
 * Stops at once when `signal` aborts.
 */
export async function retryWhileReconnecting<T>(client: RedisClient, send: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  for (;;) {
    try {
      return await send();
    } catch (error) {
      if (signal?.aborted || !client.isOpen) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
