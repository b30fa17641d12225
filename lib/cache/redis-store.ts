/**
 * The request cache's shared store: a Redis server (the `redis` client), so that every worker of
 * a run, and every rerun on any machine, finds the answers any of them got. Entries are JSON
 * strings under `sluice:cache:<key>`, written with `SET`; a Redis with AOF on keeps them through a
 * restart. The URL's password is sent to Redis only: `location` shows the URL without it.
 * @module
 */
import type { CacheEntry, CacheStore } from './cache-store.ts';

type Client = ReturnType<typeof import('redis').createClient>;

/** Whether a cache location names a Redis server (`redis://`, `rediss://`) rather than a folder. */
export function isRedisLocation(location: string): boolean {
  return /^rediss?:\/\//i.test(location);
}

/** The URL as it may be shown: no user name's password. */
export function redisUrlForDisplay(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.href;
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

const PREFIX = 'sluice:cache:';

export class RedisStore implements CacheStore {
  readonly location: string;
  readonly #url: string;
  #client: Promise<Client> | undefined;

  constructor(url: string) {
    this.#url = url;
    this.location = redisUrlForDisplay(url);
  }

  // Connected on first use: the `redis` client is loaded only by runs that cache in Redis.
  #connect(): Promise<Client> {
    this.#client ??= (async () => {
      const { createClient } = await import('redis');
      const client = createClient({ url: this.#url, socket: { reconnectStrategy: (retries) => (retries > 20 ? false : Math.min(50 * 2 ** retries, 2000)) } });
      // Errors reach the calls that fail; the client's own event must not crash the process.
      client.on('error', () => {});
      try {
        await client.connect();
      } catch (error) {
        throw new Error(`cannot reach the Redis cache at ${this.location}: ${(error as Error).message.replaceAll(this.#url, this.location)}`);
      }
      return client;
    })();
    return this.#client;
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    const text = await (await this.#connect()).get(PREFIX + key);
    if (text === null) return undefined;
    try {
      const entry = JSON.parse(text) as CacheEntry;
      return entry !== null && typeof entry === 'object' && 'response' in entry ? entry : undefined;
    } catch {
      return undefined; // Not an entry this version wrote: a miss.
    }
  }

  async put(key: string, entry: CacheEntry): Promise<void> {
    await (await this.#connect()).set(PREFIX + key, JSON.stringify(entry));
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (!client) return;
    try {
      await (await client).close();
    } catch {
      // Never connected, or already gone: nothing to release.
    }
  }
}
