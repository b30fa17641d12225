import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import type { CacheStore } from '../../lib/cache/cache-store.ts';
import { LmdbStore } from '../../lib/cache/lmdb-store.ts';
import { RedisStore } from '../../lib/cache/redis-store.ts';
import { withoutPassword } from '../../lib/core/without-password.ts';
import { RequestCache } from '../../lib/cache/request-cache.ts';
import { runCacheStoreConformance } from '../conformance/cache-store.case.ts';
import { hasRedisServer, type RedisServer, startRedisServer } from '../helpers/redis-server.ts';

runCacheStoreConformance(
  'LmdbStore',
  async () => new LmdbStore(await mkdtemp(join(tmpdir(), 'sluice-store-'))),
  async (store) => new LmdbStore(store.location),
);

const PASSWORD = 's3cret-redis-password';
let redis: RedisServer | undefined;
let db = 0;

describe('RedisStore', { skip: hasRedisServer() ? false : 'redis-server is not installed (.ci/run installs it)' }, () => {
  before(async () => {
    redis = await startRedisServer({ password: PASSWORD });
  });
  after(() => redis?.stop());

  // Each store its own logical database: every case starts empty.
  const urls = new WeakMap<CacheStore, string>();
  runCacheStoreConformance(
    'RedisStore',
    async () => {
      const url = `${redis!.url}/${db++ % 16}`;
      const client = createClient({ url });
      await client.connect();
      await client.flushDb();
      await client.close();
      const store = new RedisStore(url);
      urls.set(store, url);
      return store;
    },
    async (store) => new RedisStore(urls.get(store)!),
  );

  it('shows its URL without the password, and a request cache on it reports that location', () => {
    assert.equal(withoutPassword(`redis://:${PASSWORD}@127.0.0.1:6379/2`), 'redis://:***@127.0.0.1:6379/2');
    const cache = new RequestCache(redis!.url);
    assert.ok(!cache.dir.includes(PASSWORD) && cache.dir.includes('***'));
  });

  it('gives up on a wrong password at the first connection (a miss), instead of reconnecting', async () => {
    const admin = createClient({ url: redis!.url });
    await admin.connect();
    const connections = async () => Number(/total_connections_received:(\d+)/.exec(await admin.info('stats'))![1]);
    const before = await connections();
    const cache = new RequestCache(`redis://:not-${PASSWORD}@127.0.0.1:${redis!.port}`);
    assert.equal(await cache.get('f'.repeat(64)), undefined);
    await cache.close();
    assert.equal((await connections()) - before, 1, 'one connection, refused, and no retry');
    await admin.close();
  });

  it('treats a value it did not write as a miss, and a Redis that is gone as misses, not failures', async () => {
    const url = `${redis!.url}/15`;
    const client = createClient({ url });
    await client.connect();
    await client.set(`sluice:cache:${'d'.repeat(64)}`, 'not json');
    await client.close();
    const store = new RedisStore(url);
    assert.equal(await store.get('d'.repeat(64)), undefined);
    await store.close();
    const cache = new RequestCache(`redis://:${PASSWORD}@127.0.0.1:1`);
    assert.equal(await cache.get('e'.repeat(64)), undefined);
    assert.deepEqual(cache.snapshot(), { dir: 'redis://:***@127.0.0.1:1', hits: 0, misses: 1, writes: 0 });
    await cache.close();
  });
});
