/**
 * Where the request cache keeps its entries: an embedded LMDB folder on one machine, or a Redis
 * server that every machine of a run shares. Both pass the same conformance suite
 * (`spec/conformance/cache-store.case.ts`).
 * @module
 */

export interface CacheEntry {
  /** The response body, as the server sent it (parsed). */
  response: unknown;
  requestId?: string | undefined;
  /** When it was stored (ISO time). */
  at: string;
}

export interface CacheStore {
  /** Where it is, for summaries and messages: a folder, or a Redis URL without its password. */
  readonly location: string;
  /** The entry for `key`; undefined when there is none, or none this version can read. */
  get(key: string): Promise<CacheEntry | undefined>;
  /** Stores an entry; resolves once it is durable as the store allows. Rejects when it cannot be written. */
  put(key: string, entry: CacheEntry): Promise<void>;
  /** Waits for every write so far; releases what this user of the store holds. */
  close(): Promise<void>;
}
