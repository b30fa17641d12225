/**
 * The request cache's local store: an embedded LMDB database in a folder (the `lmdb` package: no
 * server, prebuilt binaries).
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
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RootDatabase } from 'lmdb';
import type { CacheEntry, CacheStore } from './cache-store.ts';

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

/** The LMDB store in `dir`, opened on first use: a run with no LLM step never creates the folder, nor loads LMDB. */
export class LmdbStore implements CacheStore {
  readonly location: string;
  #db: RootDatabase<CacheEntry, string> | undefined;
  #writes = 0;

  constructor(dir: string) {
    this.location = dir;
  }

  async #store(): Promise<RootDatabase<CacheEntry, string>> {
    this.#db ??= await acquire(this.location);
    return this.#db;
  }

  /** The read itself is synchronous (memory-mapped); an entry written in another format is a miss. */
  async get(key: string): Promise<CacheEntry | undefined> {
    const db = this.#db ?? (await this.#store());
    try {
      return db.get(key);
    } catch {
      return undefined;
    }
  }

  async put(key: string, entry: CacheEntry): Promise<void> {
    await (this.#db ?? (await this.#store())).put(key, entry);
    this.#writes++;
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
      if (this.#writes > 0) markVerified(this.location);
    } catch {
      // Reported by the cache's `set` already; the run's outcome does not depend on the cache.
    }
  }
}
