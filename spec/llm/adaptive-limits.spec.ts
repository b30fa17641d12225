import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdaptiveLimits } from '../../lib/llm/adaptive-limits.ts';

/** Takes `n` slots at once (they are free), returning how many were granted without waiting. */
async function take(limits: AdaptiveLimits, n: number): Promise<number> {
  const signal = new AbortController().signal;
  let granted = 0;
  for (let i = 0; i < n; i++) void limits.acquire(signal).then(() => granted++);
  await new Promise((resolve) => setImmediate(resolve));
  return granted;
}

describe('AdaptiveLimits', () => {
  it('neither paces nor narrows on sporadic 429s: one in five, between answers', () => {
    let now = 10_000;
    const limits = new AdaptiveLimits({ max: 64, clock: { now: () => now } });
    for (let i = 0; i < 200; i++) {
      now = 10_000 + i * 10;
      if (i % 5 === 4) assert.deepEqual(limits.rateLimited(10_000 + i * 10, 1000), { limited: false, exhausted: false });
      else limits.answered(50);
    }
    assert.equal(limits.rate, Infinity);
    assert.equal(limits.limit, 64);
    assert.equal(limits.snapshot().decreases, 0);
  });

  it('paces at the rate the server let through once 429s come in a run, and narrows the concurrency once per episode', async () => {
    let now = 0;
    const limits = new AdaptiveLimits({ max: 64, clock: { now: () => now } });
    assert.equal(await take(limits, 40), 40);
    // 100 answers in the first second, then a run of refusals.
    for (let i = 0; i < 100; i++) {
      now = i * 9;
      limits.answered(50);
    }
    now = 950;
    const verdicts = Array.from({ length: 30 }, () => limits.rateLimited(0, 1000));
    assert.deepEqual(
      verdicts.slice(0, 5).map((v) => v.limited),
      [false, false, false, false, false],
      'five in a row are not yet a run',
    );
    assert.equal(verdicts[5]!.limited, true);
    assert.equal(limits.rate, 100, 'paced at the 100 answers of the last second');
    assert.equal(limits.limit, Math.floor(41 * 0.7), 'cut from what was in flight');
    assert.equal(limits.snapshot().decreases, 1, 'a run of 30 refusals cuts once');
  });

  it('does not cut again within the retry-after of the last cut, nor for attempts sent before it', () => {
    let now = 0;
    const limits = new AdaptiveLimits({ max: 64, run: 1, clock: { now: () => now } });
    for (let i = 0; i < 50; i++) limits.answered(50);
    now = 500;
    limits.rateLimited(400, 1000);
    now = 900;
    limits.rateLimited(800, 1000);
    now = 1600;
    limits.rateLimited(100, 1000);
    assert.equal(limits.snapshot().decreases, 1);
    limits.rateLimited(1550, 1000);
    assert.equal(limits.snapshot().decreases, 2);
  });

  it('keeps pacing at what the server showed after a burst filled its window, and climbs back when 429s stop', () => {
    let now = 0;
    const limits = new AdaptiveLimits({ max: 64, run: 1, clock: { now: () => now } });
    for (let i = 0; i < 100; i++) {
      now = i;
      limits.answered(50);
    }
    now = 200;
    limits.rateLimited(150, 1000);
    assert.equal(limits.rate, 100);
    // The next span holds few answers (the window is full), then refusals again: the rate stands.
    for (let i = 0; i < 10; i++) {
      now = 1100 + i * 9;
      limits.answered(50);
    }
    now = 1300;
    limits.rateLimited(1250, 1000);
    assert.equal(limits.rate, 100);
    // No refusal for a whole span: each answer raises the rate.
    now = 2400;
    const before = limits.rate;
    for (let i = 0; i < 10; i++) limits.answered(50);
    assert.equal(limits.rate, before + 10 * 0.5);
  });

  it('starts slow at the lowest rate when nothing got through, and doubles per round of answers', () => {
    let now = 0;
    const limits = new AdaptiveLimits({ max: 8, run: 1, minRate: 1, clock: { now: () => now } });
    now = 100;
    limits.rateLimited(0, 1000);
    assert.equal(limits.rate, 1);
    now = 5000;
    limits.answered(50);
    limits.answered(50);
    assert.equal(limits.rate, 3);
  });

  it('says the budget is spent for everyone only after more 429s in a row than twice the concurrency', () => {
    const now = 0;
    const limits = new AdaptiveLimits({ max: 10, adaptive: false, clock: { now: () => now } });
    const verdicts = Array.from({ length: 20 }, () => limits.rateLimited(0).exhausted);
    assert.equal(verdicts.indexOf(true), 19);
    limits.answered(10);
    assert.equal(limits.rateLimited(0).exhausted, false, 'an answer between resets the run');
  });

  it('grows the concurrency by 1/limit per answer, but not while latency climbs above its average', () => {
    let now = 0;
    const limits = new AdaptiveLimits({ max: 64, run: 1, clock: { now: () => now } });
    for (let i = 0; i < 20; i++) limits.answered(50);
    now = 100;
    limits.rateLimited(50, 1000);
    const cut = limits.limit;
    now = 5000;
    for (let i = 0; i < 20; i++) limits.answered(400); // The server is queueing.
    assert.equal(limits.limit, cut);
    for (let i = 0; i < 200; i++) limits.answered(50);
    assert.ok(limits.limit > cut, `${limits.limit} > ${cut}`);
  });

  it('serves retries before first attempts, and rejects an aborted waiter', async () => {
    const limits = new AdaptiveLimits({ max: 1, adaptive: false });
    const order: string[] = [];
    await limits.acquire(new AbortController().signal);
    const first = limits.acquire(new AbortController().signal).then(() => order.push('first'));
    const aborted = new AbortController();
    const gone = limits.acquire(aborted.signal).catch((reason: unknown) => order.push(`aborted:${String(reason)}`));
    const retry = limits.acquire(new AbortController().signal, true).then(() => order.push('retry'));
    aborted.abort('bye');
    await gone;
    limits.release();
    await retry;
    limits.release();
    await first;
    assert.deepEqual(order, ['aborted:bye', 'retry', 'first']);
  });

  it('stays a fixed semaphore with adaptive: false', () => {
    let now = 0;
    const limits = new AdaptiveLimits({ max: 16, adaptive: false, clock: { now: () => now } });
    for (let i = 0; i < 20; i++) {
      now = i;
      limits.rateLimited(i, 1000);
    }
    assert.equal(limits.limit, 16);
    assert.equal(limits.rate, Infinity);
  });
});
