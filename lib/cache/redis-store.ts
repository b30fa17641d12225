/**
 * The request cache's shared store: a Redis server (the `redis` client), so that every worker of
 * a run, and every rerun on any machine, finds the answers any of them got. Entries are JSON
 * strings under `sluice:cache:<key>`, written with `SET`; a Redis with AOF on keeps them through a
 * restart. The URL's password is sent to Redis only: `location` shows the URL without it.
 * @module
 */
import { connectRedis, type RedisClient, retryWhileReconnecting } from '../broker/connect-redis.ts';
import { withoutPassword } from '../core/without-password.ts';
import type { CacheEntry, CacheStore } from './cache-store.ts';

const PREFIX = 'sluice:cache:';

export class RedisStore implements CacheStore {
  readonly location: string;
  readonly #url: string;
  #client: Promise<RedisClient> | undefined;

  constructor(url: string) {
    this.#url = url;
    this.location = withoutPassword(url);
  }

  // Connected on first use: the `redis` client is loaded only by runs that cache in Redis.
  // Connected on first use: the `redis` client is loaded only by runs that cache in Redis.
  #connect(): Promise<RedisClient> {
    this.#client ??= connectRedis(this.#url, 'the Redis cache');
    return this.#client;
  }

  /** Sends a command again while Redis restarts. */
  async #send<T>(command: (client: RedisClient) => Promise<T>): Promise<T> {
    const client = await this.#connect();
    return retryWhileReconnecting(client, () => command(client));
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    const text = await this.#send((client) => client.get(PREFIX + key));
    if (text === null) return undefined;
    try {
      const entry = JSON.parse(text) as CacheEntry;
      return entry !== null && typeof entry === 'object' && 'response' in entry ? entry : undefined;
    } catch {
      return undefined; // Not an entry this version wrote: a miss.
    }
  }

  async put(key: string, entry: CacheEntry): Promise<void> {
    const text = JSON.stringify(entry);
    await this.#send((client) => client.set(PREFIX + key, text));
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
