import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { open } from 'lmdb';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RequestCache } from '../../lib/cache/request-cache.ts';
import { canonicalJson } from '../../lib/core/canonical-json.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import { createLlm, type Llm } from '../../lib/llm/client.ts';
import { generate } from '../../lib/llm/generate.ts';
import { startSimulator, type Simulator } from '../../lib/llm/simulator/index.ts';
import { toMemory } from '../../lib/sinks/memory.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';
import { repoRoot } from '../helpers/run-cli.ts';
import { failedCollector } from '../helpers/failed-collector.ts';

describe('request cache', () => {
  let sim: Simulator;
  let llm: Llm;
  before(async () => {
    sim = await startSimulator();
    llm = createLlm({ model: 'sim-small', baseURL: sim.url, apiKey: 'sk-test', concurrency: 32 });
  });
  after(async () => {
    await llm.close();
    await sim.close();
  });

  it('keys requests by their canonical JSON: key order does not matter, content does', () => {
    const cache = new RequestCache('/nonexistent');
    assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }] }), '{"a":[{"d":2}],"b":1}');
    assert.equal(cache.key({ model: 'm', messages: [{ role: 'user', content: 'x' }] }), cache.key({ messages: [{ content: 'x', role: 'user' }], model: 'm' }));
    assert.notEqual(cache.key({ model: 'm', temperature: 0.1 }), cache.key({ model: 'm', temperature: 0.2 }));
    assert.match(cache.key({}), /^[0-9a-f]{64}$/);
  });

  it('leaves no torn entry when the writing process is killed with SIGKILL, at five moments', { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-cache-kill-'));
    // Killed once it has stored 1, 2, 4, 8 and 16 entries of this run: each time in the middle of the next write.
    for (const stored of [1, 2, 4, 8, 16]) {
      const child = spawn(process.execPath, ['--conditions=sluice-source', join(repoRoot, 'spec/fixtures/cache-writer.ts'), dir], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let output = '';
      await new Promise<void>((resolve) => {
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          output += chunk;
          if (output.split('\n').length - 2 >= stored) resolve();
        });
      });
      child.kill('SIGKILL');
      await new Promise((r) => child.on('close', r));
    }
    const db = open<{ response: { i: number; big: string } }, string>({ path: dir, readOnly: true, encoding: 'json' });
    let entries = 0;
    for (const { key, value } of db.getRange()) {
      entries++;
      assert.equal(value.response.big.length, 200_000, `${key} is whole`);
    }
    await db.close();
    assert.ok(entries > 5, `${entries} entries written`);
  });

  it('reruns an unchanged pipeline with no requests: every answer from the cache, asynchronously, at concurrency 64', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-cache-'));
    const rows = Array.from({ length: 2000 }, (_, i) => ({ i }));
    const build = () =>
      pipeline('hits')
        .from(fromIterable(rows))
        .pipe(generate({ llm, prompt: 'Row {{ i }}', concurrency: 64, metadata: false }));
    const first = toMemory();
    const before = sim.log.length;
    const s1 = await build().to(first).run({ cache: dir, failed: failedCollector() });
    assert.equal(sim.log.length - before, 2000);
    assert.deepEqual(s1.cache, { dir, hits: 0, misses: 2000, writes: 2000 });
    const second = toMemory();
    const s2 = await build().to(second).run({ cache: dir, failed: failedCollector() });
    assert.equal(sim.log.length - before, 2000, 'no request on the rerun');
    assert.deepEqual(s2.cache, { dir, hits: 2000, misses: 0, writes: 0 });
    assert.equal((s2.llm as Record<string, { cacheHits: number; requests: number }>)['sim-small']!.cacheHits, 2000);
    assert.deepEqual(second.rows.map((r) => JSON.stringify(r)).sort(), first.rows.map((r) => JSON.stringify(r)).sort());
  });

  it("sends only the changed step's requests, and those downstream of it, after a prompt change", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-cache-'));
    const rows = Array.from({ length: 50 }, (_, i) => ({ topic: `t${i}` }));
    const build = (askPrompt: string, answerPrompt: string) =>
      pipeline('two')
        .from(fromIterable(rows))
        .pipe(generate({ llm, name: 'ask', prompt: askPrompt, as: 'question' }), generate({ llm, name: 'answer', prompt: answerPrompt, as: 'answer' }))
        .to(toMemory());
    const count = async (p: ReturnType<typeof build>) => {
      const before = sim.log.length;
      await p.run({ cache: dir, failed: failedCollector() });
      return sim.log.slice(before).map((entry) => entry.bodyHash);
    };
    assert.equal((await count(build('Ask about {{ topic }}', 'Answer {{ question }}'))).length, 100);
    assert.equal((await count(build('Ask about {{ topic }}', 'Answer {{ question }}'))).length, 0, 'unchanged: nothing sent');
    assert.equal((await count(build('Ask about {{ topic }}', 'Answer briefly: {{ question }}'))).length, 50, 'the answer step changed: only its 50 requests');
    assert.equal(
      (await count(build('Ask one thing about {{ topic }}', 'Answer briefly: {{ question }}'))).length,
      100,
      'the first step changed: it and the step after it',
    );
  });

  it('is skipped by a step with cache: false and by a run with cache: false', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-cache-'));
    const rows = [{ q: 'a' }, { q: 'b' }];
    const run = async (stepCache: boolean, runCache: false | string) => {
      const before = sim.log.length;
      await pipeline('off')
        .from(fromIterable(rows))
        .pipe(generate({ llm, prompt: 'Off {{ q }}', cache: stepCache }))
        .to(toMemory())
        .run({ cache: runCache, failed: failedCollector() });
      return sim.log.length - before;
    };
    assert.equal(await run(true, dir), 2);
    assert.equal(await run(true, dir), 0);
    assert.equal(await run(false, dir), 2);
    assert.equal(await run(true, false), 2);
  });

  it('treats an entry it cannot read (another format) as a miss, not a failure', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-cache-format-'));
    const cache = new RequestCache(dir);
    const key = cache.key({ q: 1 });
    const foreign = open({ path: dir }); // lmdb's default encoding, not JSON
    await foreign.put(key, { response: 'x' });
    await foreign.close();
    assert.equal(await cache.get(key), undefined);
    assert.deepEqual(cache.snapshot(), { dir, hits: 0, misses: 1, writes: 0 });
    await cache.close();
  });

  it('takes a folder whose name has a dot for a folder', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'sluice-cache-')), 'cache.v1');
    const cache = new RequestCache(dir);
    await cache.set(cache.key({ a: 1 }), { response: { ok: true } });
    assert.deepEqual((await cache.get(cache.key({ a: 1 })))?.response, { ok: true });
    await cache.close();
  });
});

describe('a request cache that cannot be read', () => {
  it('is moved aside with a warning naming where, and the run goes on with an empty cache', async () => {
    const { mkdtemp, readdir } = await import('node:fs/promises');
    const { openSync, writeSync, closeSync, statSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { spawnSync } = await import('node:child_process');
    const root = await mkdtemp(join(tmpdir(), 'sluice-corrupt-'));
    const dir = join(root, 'cache');
    // Fill and corrupt it in other processes: this one must open it fresh.
    const script = (body: string) =>
      spawnSync(process.execPath, ['--conditions=sluice-source', '--input-type=module', '-e', body], { encoding: 'utf8', cwd: process.cwd() });
    const fill = script(`import { RequestCache } from ${JSON.stringify(new URL('../../lib/cache/request-cache.ts', import.meta.url).href)};
      const c = new RequestCache(${JSON.stringify(dir)});
      for (let i = 0; i < 2000; i++) await c.set(c.key({ i }), { response: { text: 'x'.repeat(200), i } });
      await c.close();`);
    assert.equal(fill.status, 0, fill.stderr);
    const file = join(dir, 'data.mdb');
    const fd = openSync(file, 'r+');
    const junk = Buffer.alloc(statSync(file).size - 8192, 0xff);
    writeSync(fd, junk, 0, junk.length, 8192);
    closeSync(fd);
    const read = script(`import { RequestCache } from ${JSON.stringify(new URL('../../lib/cache/request-cache.ts', import.meta.url).href)};
      const c = new RequestCache(${JSON.stringify(dir)});
      let hits = 0;
      for (let i = 0; i < 2000; i++) if (await c.get(c.key({ i }))) hits++;
      await c.set(c.key({ again: true }), { response: 1 });
      console.log('hits', hits, 'then', Boolean(await c.get(c.key({ again: true }))));`);
    assert.equal(read.status, 0, read.stderr);
    assert.equal(read.stdout.trim(), 'hits 0 then true');
    assert.match(
      read.stderr,
      /^sluice: warning: the request cache .*cache cannot be read \(.+\); moved it to .*cache\.unreadable-[^ ]+ and going on with an empty cache\.$/m,
    );
    assert.equal((await readdir(root)).filter((name) => name.startsWith('cache.unreadable-')).length, 1);
  });
});
