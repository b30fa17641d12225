/**
 * The request cache: content-addressed by the SHA-256 of the canonical request, stored on the
 * local disk as one file per entry (`<dir>/<2 hex>/<64 hex>.json`).
 *
 * Crash safety: an entry is written to a temporary file and then renamed into place. A rename is
 * atomic, so a `kill -9` at any moment leaves either the whole entry or none (at worst a stray
 * `.tmp` file, which lookups never read and `prune` removes). No server, no native module.
 * Entries hold the response body and the request id, never headers or keys.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson } from './canonical-json.ts';

/** Bumped when the key material or the entry format changes, so old entries are not misread. */
export const CACHE_VERSION = 1;

export interface CacheEntry {
  /** The response body, as the server sent it (parsed). */
  response: unknown;
  requestId?: string | undefined;
  /** When it was stored (ISO time). */
  at: string;
}

export interface CacheCounters {
  dir: string;
  hits: number;
  misses: number;
  writes: number;
}

export class RequestCache {
  readonly dir: string;
  #shards = new Set<string>();
  #counters = { hits: 0, misses: 0, writes: 0 };

  constructor(dir: string) {
    this.dir = dir;
  }

  /** The key of a request: SHA-256 over its canonical JSON and the cache version. */
  key(material: unknown): string {
    return createHash('sha256').update(canonicalJson({ v: CACHE_VERSION, request: material })).digest('hex');
  }

  #path(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  /** The entry for `key`, or undefined. Always asynchronous (a disk read), never a synchronous completion. */
  async get(key: string): Promise<CacheEntry | undefined> {
    let text: string;
    try {
      text = await readFile(this.#path(key), 'utf8');
    } catch {
      this.#counters.misses++;
      return undefined;
    }
    try {
      const entry = JSON.parse(text) as CacheEntry;
      this.#counters.hits++;
      return entry;
    } catch {
      // Cannot happen with rename-into-place, but a hand-edited file must not break a run.
      this.#counters.misses++;
      return undefined;
    }
  }

  /** Stores an entry; resolves once it is in place (renamed), so a later crash cannot lose it half-written. */
  async set(key: string, entry: Omit<CacheEntry, 'at'>): Promise<void> {
    const shard = join(this.dir, key.slice(0, 2));
    if (!this.#shards.has(shard)) {
      await mkdir(shard, { recursive: true });
      this.#shards.add(shard);
    }
    const target = this.#path(key);
    const temporary = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temporary, JSON.stringify({ ...entry, at: new Date().toISOString() }));
    await rename(temporary, target);
    this.#counters.writes++;
  }

  snapshot(): CacheCounters {
    return { dir: this.dir, ...this.#counters };
  }
}
