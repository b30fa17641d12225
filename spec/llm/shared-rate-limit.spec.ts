import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import type { Clock } from '../../lib/llm/rate-limiter.ts';
import { SharedRateLimit } from '../../lib/llm/shared-rate-limit.ts';
import { hasRedisServer, type RedisServer, startRedisServer } from '../helpers/redis-server.ts';

/** A clock whose timers fire at once, each waking `late` ms after it was due (a starved process). */
function lateClock(lateBy: number[]): Clock & { waits: number[] } {
  let now = 0;
  const waits: number[] = [];
  return {
    waits,
    now: () => now,
    setTimeout(callback, ms) {
      waits.push(ms);
      now += ms + (lateBy.shift() ?? 0);
      queueMicrotask(callback);
      return waits.length;
    },
    clearTimeout() {},
  };
}

describe('SharedRateLimit', { skip: hasRedisServer() ? false : 'redis-server is not installed (.ci/run installs it)' }, () => {
  let redis: RedisServer;
  let client: ReturnType<typeof createClient>;
  before(async () => {
    redis = await startRedisServer();
    client = createClient({ url: redis.url });
    await client.connect();
  });
  after(async () => {
    await client?.close();
    await redis?.stop();
  });

  it('gives up a slot it woke too late for and reserves the next, so a starved process does not crowd the others', async () => {
    // 60 rpm: one request a second. The first take goes at once; the second waits about a second.
    const clock = lateClock([5_000]);
    const limit = new SharedRateLimit({ url: redis.url, scope: 'late-wake', rpm: 60, tpm: Infinity, clock });
    const signal = new AbortController().signal;
    await limit.take(0, signal);
    await limit.take(0, signal);
    await limit.close();
    // The second take slept once, woke 5 s late, and so slept again for a fresh slot.
    assert.equal(clock.waits.length, 2, `waits ${clock.waits.join(', ')}`);
    const [key] = await client.keys('sluice:limits:*:requests');
    const reservedUntil = Number(await client.get(key!));
    const [seconds, micros] = await client.time().then((t) => [Number(t[0]), Number(t[1])] as const);
    // Three slots reserved (the one taken at once, the missed one, the one used): the next is ~2 s on.
    assert.ok(reservedUntil - (seconds * 1000 + micros / 1000) > 2_500, 'the missed slot stays spent');
  });

  it('does not sleep again when it wakes on time', async () => {
    const clock = lateClock([]);
    const limit = new SharedRateLimit({ url: redis.url, scope: 'on-time', rpm: 60, tpm: Infinity, clock });
    const signal = new AbortController().signal;
    await limit.take(0, signal);
    await limit.take(0, signal);
    await limit.close();
    assert.equal(clock.waits.length, 1);
  });
});
