/**
 * Why the request cache is LMDB and not a file per entry: puts and gets of 20,000 entries of
 * about 600 bytes (a chat completion), both ways, in one run, measured as main-thread CPU and
 * wall time. The file-per-entry store is the design Sluice had first (temp file + rename).
 *
 *   node bench/cache-store.ts [n=20000] [--json]
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RequestCache } from '../lib/cache/request-cache.ts';

const n = Number(process.argv[2] ?? 20_000);
const json = process.argv.includes('--json');
const entry = {
  response: {
    id: 'chatcmpl-x',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, message: { role: 'assistant', content: 'An answer of a few sentences. '.repeat(12) }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 40, completion_tokens: 90, total_tokens: 130 },
  },
  requestId: 'req_123',
};

/** The first design: one JSON file per entry, written to a temp file and renamed into place. */
class FileStore {
  readonly dir: string;
  #shards = new Set<string>();
  constructor(dir: string) {
    this.dir = dir;
  }
  #path(key: string) {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }
  async get(key: string): Promise<unknown> {
    try {
      return JSON.parse(await readFile(this.#path(key), 'utf8'));
    } catch {
      return undefined;
    }
  }
  async set(key: string, value: unknown): Promise<void> {
    const shard = join(this.dir, key.slice(0, 2));
    if (!this.#shards.has(shard)) {
      await mkdir(shard, { recursive: true });
      this.#shards.add(shard);
    }
    const temporary = `${this.#path(key)}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temporary, JSON.stringify({ ...(value as object), at: new Date().toISOString() }));
    await rename(temporary, this.#path(key));
  }
}

async function measure(name: string, store: { get(k: string): Promise<unknown>; set(k: string, v: typeof entry): Promise<void> }, keys: string[]) {
  const time = async (label: string, work: () => Promise<unknown>) => {
    const cpu = process.cpuUsage();
    const started = performance.now();
    await work();
    const wall = performance.now() - started;
    const used = process.cpuUsage(cpu);
    return { label, wallMs: wall, cpuUsPerOp: (used.user + used.system) / keys.length, opsPerS: (keys.length / wall) * 1000 };
  };
  // 256 at a time, like an LLM step at concurrency 256.
  const inBatches = async (op: (key: string) => Promise<unknown>) => {
    for (let i = 0; i < keys.length; i += 256) await Promise.all(keys.slice(i, i + 256).map(op));
  };
  const put = await time('put', () => inBatches((k) => store.set(k, entry)));
  const get = await time('get', () => inBatches((k) => store.get(k)));
  return { name, put, get };
}

const keys = Array.from({ length: n }, (_, i) => new RequestCache('/unused').key({ i }));
const fileDir = await mkdtemp(join(tmpdir(), 'sluice-files-'));
const lmdbDir = await mkdtemp(join(tmpdir(), 'sluice-lmdb-'));
const files = await measure('file-per-entry', new FileStore(fileDir), keys);
const cache = new RequestCache(lmdbDir);
const lmdb = await measure('lmdb', { get: (k) => cache.get(k), set: (k, v) => cache.set(k, v) }, keys);
await cache.close();
await rm(fileDir, { recursive: true, force: true });
await rm(lmdbDir, { recursive: true, force: true });

for (const op of ['put', 'get'] as const) {
  const base = files[op];
  const mine = lmdb[op];
  const lines = [
    { name: `cache-store.file-per-entry.${op}`, value: base.opsPerS, unit: 'ops/s', baseline: base.opsPerS, ratio: 1 },
    { name: `cache-store.lmdb.${op}`, value: mine.opsPerS, unit: 'ops/s', baseline: base.opsPerS, ratio: mine.opsPerS / base.opsPerS },
    { name: `cache-store.file-per-entry.${op}.cpu`, value: base.cpuUsPerOp, unit: 'us/op', baseline: base.cpuUsPerOp, ratio: 1 },
    { name: `cache-store.lmdb.${op}.cpu`, value: mine.cpuUsPerOp, unit: 'us/op', baseline: base.cpuUsPerOp, ratio: mine.cpuUsPerOp / base.cpuUsPerOp },
  ];
  for (const line of lines) {
    if (json) process.stdout.write(`${JSON.stringify(line)}\n`);
    else process.stdout.write(`${line.name.padEnd(36)} ${line.value.toFixed(1).padStart(10)} ${line.unit.padEnd(6)} ratio ${line.ratio.toFixed(2)}\n`);
  }
}
