/**
 * The conformance suite every request-cache store passes (`LmdbStore`, `RedisStore`):
 * `runCacheStoreConformance(name, open, reopen?)` where `open()` gives a store on an empty place
 * and `reopen(store)` a second store on the same place (another process would see the same).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CacheEntry, CacheStore } from '../../lib/cache/cache-store.ts';

const entry = (n: number): CacheEntry => ({
  response: { id: `r${n}`, choices: [{ message: { content: `answer ${n} — ünïcode ✓` } }] },
  requestId: `req-${n}`,
  at: '2026-12-01T00:00:00.000Z',
});

export function runCacheStoreConformance(name: string, open: () => Promise<CacheStore>, reopen: (store: CacheStore) => Promise<CacheStore>): void {
  describe(`${name} (cache store conformance)`, () => {
    it('misses a key it never stored, and gives back an entry as it was stored', async () => {
      const store = await open();
      assert.equal(await store.get('0'.repeat(64)), undefined);
      await store.put('a'.repeat(64), entry(1));
      assert.deepEqual(await store.get('a'.repeat(64)), entry(1));
      await store.close();
    });

    it('keeps the last entry put under a key', async () => {
      const store = await open();
      await store.put('b'.repeat(64), entry(1));
      await store.put('b'.repeat(64), entry(2));
      assert.deepEqual(await store.get('b'.repeat(64)), entry(2));
      await store.close();
    });

    it('takes 500 puts and gets at once, each entry under its own key', async () => {
      const store = await open();
      const keys = Array.from({ length: 500 }, (_, n) => n.toString(16).padStart(64, '0'));
      await Promise.all(keys.map((key, n) => store.put(key, entry(n))));
      const got = await Promise.all(keys.map((key) => store.get(key)));
      assert.deepEqual(
        got,
        keys.map((_, n) => entry(n)),
      );
      await store.close();
    });

    it('holds what was put, once closed, for another store on the same place', async () => {
      const store = await open();
      await store.put('c'.repeat(64), entry(3));
      await store.close();
      const again = await reopen(store);
      assert.deepEqual(await again.get('c'.repeat(64)), entry(3));
      await again.close();
    });

    it('names where it is, without secrets', async () => {
      const store = await open();
      assert.equal(typeof store.location, 'string');
      assert.ok(!/:[^:@/]+@/.test(store.location.replace(':***@', '@')), `no password in ${store.location}`);
      await store.close();
    });
  });
}
