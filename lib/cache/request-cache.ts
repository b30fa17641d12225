/**
 * The request cache: content-addressed by the SHA-256 of the canonical request, kept in an
 * embedded LMDB database in a local folder (the `lmdb` package: no server, prebuilt binaries).
 *
 * Why LMDB and not a file per entry: a hit is a memory-mapped read of a few microseconds on the
 * main thread, and writes are batched into transactions in a background thread. A file per entry
 * cost four thread-pool round trips per hit and per miss (see the README's design notes for the
 * measurement). LMDB is crash-safe by design (copy-on-write pages, an atomic meta-page switch):
 * a `kill -9` at any moment leaves every entry whole or absent, never torn. Writes skip fsync
 * (`noSync`), so a power cut may lose the last moments of entries, but not corrupt the store.
 * Entries hold the response body and the request id, never headers or keys.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RootDatabase } from 'lmdb';
import { canonicalJson } from './canonical-json.ts';

/** Bumped when the key material or the entry format changes, so old entries are not misread. */
export const CACHE_VERSION = 3;

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

// One environment per folder and process, opened on first use and kept open: LMDB must not be
// opened twice in one process. The registry lives on `globalThis`, because one process can hold
// two copies of this module (the CLI from `dist/` and a pipeline that imports the package source).
const registryKey = Symbol.for('sluice.request-cache.databases');
const databases: Map<string, RootDatabase<CacheEntry, string>> = ((globalThis as Record<symbol, unknown>)[registryKey] as
  | Map<string, RootDatabase<CacheEntry, string>>
  | undefined) ?? ((globalThis as Record<symbol, unknown>)[registryKey] = new Map());

// LMDB is a native add-on: it is loaded when a cache is first used, so that `import 'sluice'`, and
// runs without LLM steps, never load it.
let lmdb: Promise<typeof import('lmdb')> | undefined;
const opening = new Map<string, Promise<RootDatabase<CacheEntry, string>>>();

function acquire(dir: string): Promise<RootDatabase<CacheEntry, string>> {
  const open = databases.get(dir);
  if (open) return Promise.resolve(open);
  let pending = opening.get(dir);
  if (!pending) {
    pending = (async () => {
      mkdirSync(dir, { recursive: true });
      setAsideIfUnreadable(dir);
      const { open: openLmdb } = await (lmdb ??= import('lmdb'));
      // `noSubdir: false`: lmdb would take a folder name with a dot (`/tmp/tmp.x1`) for a file name.
      const db = databases.get(dir) ?? openLmdb<CacheEntry, string>({ path: dir, noSubdir: false, noSync: true, encoding: 'json' });
      databases.set(dir, db);
      opening.delete(dir);
      return db;
    })();
    opening.set(dir, pending);
  }
  return pending;
}

/**
 * Reads the store in a child process first (`probe-store.ts`): a corrupted LMDB file crashes its
 * reader natively, with no message, on every run. One that does not read is moved aside, with a
 * warning that names where, and the run goes on with an empty cache.
 */
function setAsideIfUnreadable(dir: string): void {
  if (!existsSync(join(dir, 'data.mdb'))) return;
  // A store this process or the last probe left as it is now needs no second look (the probe costs
  // a process start, which dominated a cached rerun): a damaged file is almost always a changed one.
  if (unchangedSinceVerified(dir)) return;
  const probe = fileURLToPath(new URL(`./probe-store${extname(fileURLToPath(import.meta.url))}`, import.meta.url));
  const result = spawnSync(process.execPath, [probe, dir], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 120_000 });
  if (result.status === 0) {
    markVerified(dir);
    return;
  }
  const aside = `${dir.replace(/[\\/]+$/, '')}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  renameSync(dir, aside);
  mkdirSync(dir, { recursive: true });
  const reason = (result.stderr ?? '')
    .split('\n')
    .find((line) => /error|assert/i.test(line))
    ?.trim();
  const why = result.signal ? `reading it crashed with ${result.signal}` : `reading it failed${reason ? `: ${reason}` : ''}`;
  process.stderr.write(`sluice: warning: the request cache ${dir} cannot be read (${why}); moved it to ${aside} and going on with an empty cache.\n`);
}

const VERIFIED = '.sluice-verified';

/** The size and modification time of the store's data file, as a stamp. */
function stamp(dir: string): string | undefined {
  try {
    const info = statSync(join(dir, 'data.mdb'));
    return `${info.size}:${Math.round(info.mtimeMs)}`;
  } catch {
    return undefined;
  }
}

function unchangedSinceVerified(dir: string): boolean {
  try {
    const now = stamp(dir);
    return now !== undefined && readFileSync(join(dir, VERIFIED), 'utf8') === now;
  } catch {
    return false;
  }
}

/** Notes the store's stamp as known good: after a probe read it, or after this process wrote and flushed it. */
function markVerified(dir: string): void {
  const now = stamp(dir);
  if (now === undefined) return;
  try {
    writeFileSync(join(dir, VERIFIED), now);
  } catch {
    // Only an optimisation: the next run probes again.
  }
}

export class RequestCache {
  readonly dir: string;
  #db: RootDatabase<CacheEntry, string> | undefined;
  #counters = { hits: 0, misses: 0, writes: 0 };
  #unwritable = false;

  constructor(dir: string) {
    this.dir = dir;
  }

  // Opened on first use: a run with no LLM step never creates the folder, nor loads LMDB.
  async #store(): Promise<RootDatabase<CacheEntry, string>> {
    this.#db ??= await acquire(this.dir);
    return this.#db;
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
      entry = (this.#db ?? (await this.#store())).get(key);
    } catch {
      // An entry this version cannot read (written by another format): a miss, not a failed row.
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
      await (this.#db ?? (await this.#store())).put(key, { ...entry, at: new Date().toISOString() });
      this.#counters.writes++;
    } catch (error) {
      this.#unwritable = true;
      process.stderr.write(
        `sluice: warning: the request cache ${this.dir} cannot be written (${(error as Error).message}); this run goes on without storing answers.\n`,
      );
    }
  }

  snapshot(): CacheCounters {
    return { dir: this.dir, ...this.#counters };
  }

  /**
   * Waits until every write so far has committed. The database itself stays open for the life
   * of the process (shared by every cache on the same folder): closing and reopening an LMDB
   * environment while another run in the process still uses it fails.
   */
  async close(): Promise<void> {
    const db = this.#db;
    if (!db) return;
    this.#db = undefined;
    try {
      await db.flushed;
      if (this.#counters.writes > 0 && !this.#unwritable) markVerified(this.dir);
    } catch {
      // Reported by `set` already; the run's outcome does not depend on the cache.
    }
  }
}
