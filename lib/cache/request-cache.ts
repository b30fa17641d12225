/**
 * The request cache: content-addressed by the SHA-256 of the canonical request, kept in a store:
 * an embedded LMDB folder (`lmdb-store.ts`, the default) or a Redis server shared by every machine
 * of a run (`redis-store.ts`, a `redis://` location). Entries hold the response body and the
 * request id, never headers or keys.
 * @module
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../core/canonical-json.ts';
import type { CacheEntry, CacheStore } from './cache-store.ts';
import { LmdbStore } from './lmdb-store.ts';
import { isRedisUrl } from '../broker/connect-redis.ts';
import { RedisStore } from './redis-store.ts';

export type { CacheEntry } from './cache-store.ts';

/** Bumped when the key material or the entry format changes, so old entries are not misread. */
export const CACHE_VERSION = 3;

export interface CacheCounters {
  dir: string;
  hits: number;
  misses: number;
  writes: number;
}

export class RequestCache {
  /** Where it is: a folder, or a Redis URL without its password. */
  readonly dir: string;
  readonly #store: CacheStore;
  #counters = { hits: 0, misses: 0, writes: 0 };
  #unwritable = false;

  /** `location`: a folder (LMDB), or `redis://[:password@]host:port[/db]` (shared by every machine). */
  constructor(location: string) {
    this.#store = isRedisUrl(location) ? new RedisStore(location) : new LmdbStore(location);
    this.dir = this.#store.location;
  }

  /**
   * The key of a request: SHA-256 over its canonical JSON and the cache version. `bulk` is the
   * large part of a request that Sluice itself built in a fixed key order (rendered messages,
   * a prompt): it is hashed as plain JSON, which is several times faster than canonicalising it.
   */
  key(material: unknown, bulk?: unknown): string {
    const hash = createHash('sha256').update(canonicalJson({ v: CACHE_VERSION, request: material }));
    if (bulk !== undefined) hash.update('\n').update(JSON.stringify(bulk));
    return hash.digest('hex');
  }

  /**
   * The entry for `key`, or undefined. The read itself is synchronous (memory-mapped), but the
   * result comes through a promise, so a hit never completes synchronously inside a `mergeMap`
   * (rxjs #3609, #7334).
   */
  async get(key: string): Promise<CacheEntry | undefined> {
    let entry: CacheEntry | undefined;
    try {
      entry = await this.#store.get(key);
    } catch {
      // A store that cannot be read (Redis gone): a miss, not a failed row.
      entry = undefined;
    }
    if (entry === undefined) this.#counters.misses++;
    else this.#counters.hits++;
    return entry;
  }

  /**
   * Stores an entry; resolves once its transaction has committed. A cache that cannot be written
   * (a full disk) costs the next run some requests, never this run's rows: the failure is reported
   * once on stderr, and later entries are not tried.
   */
  async set(key: string, entry: Omit<CacheEntry, 'at'>): Promise<void> {
    if (this.#unwritable) return;
    try {
      await this.#store.put(key, { ...entry, at: new Date().toISOString() });
      this.#counters.writes++;
    } catch (error) {
      if (this.#unwritable) return; // Told once, though many writes fail together.
      this.#unwritable = true;
      process.stderr.write(
        `sluice: warning: the request cache ${this.dir} cannot be written (${(error as Error).message}); this run goes on without storing answers.\n`,
      );
    }
  }

  snapshot(): CacheCounters {
    return { dir: this.dir, ...this.#counters };
  }

  /** Waits until every write so far is stored, and releases the store. */
  close(): Promise<void> {
    return this.#store.close();
  }
}
