import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SluiceConfigError } from '../../lib/core/errors.ts';
import { parseRateLimitDuration, RateLimiter } from '../../lib/llm/rate-limiter.ts';
import { manualClock, settle } from '../helpers/manual-clock.ts';

/** Tracks whether a promise has settled yet, without awaiting it. */
function track(promise: Promise<unknown>): { readonly done: boolean; readonly error: unknown } {
  const state = { done: false, error: undefined as unknown };
  promise.then(
    () => {
      state.done = true;
    },
    (error: unknown) => {
      state.done = true;
      state.error = error;
    },
  );
  return state;
}

describe('RateLimiter', () => {
  it('spaces requests evenly with rpm=60: one per second, so no minute ever holds more than 60', async () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ rpm: 60, clock });
    const calls = Array.from({ length: 121 }, () => track(limiter.acquire()));
    await settle();
    assert.equal(calls.filter((p) => p.done).length, 1);
    await clock.advance(999);
    assert.equal(calls.filter((p) => p.done).length, 1);
    await clock.advance(1);
    assert.equal(calls.filter((p) => p.done).length, 2);
    await clock.advance(59_000);
    assert.equal(calls.filter((p) => p.done).length, 61, 'at most 60 in the minute that starts after the first');
    await clock.advance(60_000);
    assert.equal(calls.filter((p) => p.done).length, 121);
  });

  it('serves waiters in arrival order: a small request does not overtake a large one at the head', async () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ tpm: 1000, clock });
    await limiter.acquire(800);
    const order: string[] = [];
    void limiter.acquire(500).then(() => order.push('large'));
    void limiter.acquire(10).then(() => order.push('small'));
    await settle();
    assert.deepEqual(order, []); // 200 tokens are free, but 'small' waits behind 'large'.
    // 'large' needs 300 more tokens: 18 s at 1000 tokens per minute.
    await clock.advance(17_999);
    assert.deepEqual(order, []);
    await clock.advance(1);
    assert.deepEqual(order, ['large']);
    await clock.advance(600); // 'large' emptied the bucket; 'small' needs 10 tokens.
    assert.deepEqual(order, ['large', 'small']);
  });

  it('gives back over-estimated tokens on settle, letting a waiter through without time passing', async () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ tpm: 1000, clock });
    await limiter.acquire(1000);
    const waiting = track(limiter.acquire(500));
    await settle();
    assert.equal(waiting.done, false);
    limiter.settle(1000, 400);
    await settle();
    assert.equal(waiting.done, true);
    assert.equal(limiter.snapshot().tokensAvailable, 100);
  });

  it('takes under-estimated tokens on settle, as debt the bucket refills', async () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ tpm: 600, clock });
    await limiter.acquire(600);
    limiter.settle(600, 900); // Used 300 more than charged.
    assert.equal(limiter.snapshot().tokensAvailable, -300);
    const next = track(limiter.acquire(100));
    await clock.advance(39_999); // 400 tokens at 10 per second: 40 s.
    assert.equal(next.done, false);
    await clock.advance(1);
    assert.equal(next.done, true);
  });

  it('pauses every caller, waiting or new, until the pause is over', async () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ tpm: 100_000, clock });
    limiter.pause(5000);
    const waiting = track(limiter.acquire());
    await clock.advance(1000);
    const newcomer = track(limiter.acquire());
    await clock.advance(3999);
    assert.equal(waiting.done, false);
    assert.equal(newcomer.done, false);
    await clock.advance(1);
    assert.equal(waiting.done, true);
    assert.equal(newcomer.done, true);
    assert.equal(limiter.snapshot().pauses, 1);
  });

  it('does not shorten a pause when a shorter one comes in', async () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ clock });
    limiter.pause(5000);
    limiter.pause(100);
    const waiting = track(limiter.acquire());
    await clock.advance(4999);
    assert.equal(waiting.done, false);
    await clock.advance(1);
    assert.equal(waiting.done, true);
    assert.deepEqual({ pausedUntil: limiter.snapshot().pausedUntil, pauses: limiter.snapshot().pauses }, { pausedUntil: 5000, pauses: 2 });
  });

  it('rejects an aborted waiter with the signal reason, and lets the one behind it go', async () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ tpm: 100, clock });
    await limiter.acquire(100);
    const controller = new AbortController();
    const big = track(limiter.acquire(100, controller.signal));
    const small = track(limiter.acquire(10));
    await clock.advance(6000); // 10 tokens back: enough for 'small', not for 'big' at the head.
    assert.equal(small.done, false);
    controller.abort(new Error('stop'));
    await settle();
    assert.equal((big.error as Error).message, 'stop');
    assert.equal(small.done, true);
    assert.equal(limiter.snapshot().waiting, 0);
    assert.equal(clock.timers(), 0);
  });

  it('lets a request estimated above the whole TPM limit through once the bucket is full', async () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ tpm: 1000, clock });
    const huge = track(limiter.acquire(5000));
    await settle();
    assert.equal(huge.done, true);
  });

  it('learns a lower RPM limit, and the remaining requests, from x-ratelimit headers', async () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ clock });
    limiter.learn(new Headers({ 'x-ratelimit-limit-requests': '30', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '2s' }));
    assert.equal(limiter.rpm, 30);
    const next = track(limiter.acquire());
    await clock.advance(1999); // One request refills in 2 s at 30 per minute.
    assert.equal(next.done, false);
    await clock.advance(1);
    assert.equal(next.done, true);
  });

  it('trusts the remaining tokens over a long reset ("6m0s") while tokens remain', () => {
    const limiter = new RateLimiter({ tpm: 10_000, clock: manualClock() });
    limiter.learn({ 'x-ratelimit-limit-tokens': '10000', 'x-ratelimit-remaining-tokens': '9000', 'x-ratelimit-reset-tokens': '6m0s' });
    assert.equal(limiter.snapshot().tokensAvailable, 9000);
  });

  it('waits for the reset when no tokens remain, but never more than a minute', async () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ tpm: 6000, clock });
    limiter.learn({ 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '6m0s' });
    const next = track(limiter.acquire(100));
    await clock.advance(60_999); // The reset is cut to 60 s; then 100 tokens at 100 per second.
    assert.equal(next.done, false);
    await clock.advance(1);
    assert.equal(next.done, true);
  });

  it('paces at an adaptive rate below the configured one, and lifts it again with Infinity', async () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ rpm: 6000, clock });
    limiter.adaptRequests(60); // One a second.
    await limiter.acquire();
    const second = track(limiter.acquire());
    await clock.advance(999);
    assert.equal(second.done, false);
    await clock.advance(1);
    assert.equal(second.done, true);
    limiter.adaptRequests(Infinity);
    assert.equal(limiter.rpm, 6000, 'the configured limit is back');
    limiter.learn(new Headers({ 'x-ratelimit-limit-requests': '120' }));
    limiter.adaptRequests(600);
    assert.equal(limiter.rpm, 120, 'an announced limit still bounds a higher adaptive one');
  });

  it('never raises a configured limit or level above its own', () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ rpm: 10, tpm: 1000, clock });
    limiter.learn(
      new Headers({
        'x-ratelimit-limit-requests': '500',
        'x-ratelimit-remaining-requests': '499',
        'x-ratelimit-reset-requests': '20ms',
        'x-ratelimit-limit-tokens': '90000',
        'x-ratelimit-remaining-tokens': '90000',
      }),
    );
    assert.deepEqual(
      { rpm: limiter.rpm, tpm: limiter.tpm, requests: limiter.snapshot().requestsAvailable, tokens: limiter.snapshot().tokensAvailable },
      { rpm: 10, tpm: 1000, requests: 1, tokens: 1000 },
    );
  });

  it('ignores headers it cannot read', () => {
    const limiter = new RateLimiter({ rpm: 10, clock: manualClock() });
    limiter.learn(new Headers({ 'x-ratelimit-limit-requests': 'lots', 'x-ratelimit-remaining-requests': '', 'x-ratelimit-reset-requests': 'soon' }));
    assert.equal(limiter.rpm, 10);
    assert.equal(limiter.snapshot().requestsAvailable, 1);
  });

  it('says what it expected when a limit is not above 0', () => {
    assert.throws(() => new RateLimiter({ rpm: -1 }), new SluiceConfigError('Expected `rpm` to be a number above 0 or `Infinity`, got `-1`'));
    assert.throws(() => new RateLimiter({ tpm: Number.NaN }), {
      code: 'SLUICE_CONFIG',
      message: 'Expected `tpm` to be a number above 0 or `Infinity`, got `NaN`',
    });
  });
});

describe('parseRateLimitDuration', () => {
  const cases: [string | undefined, number | undefined][] = [
    ['6m0s', 360_000],
    ['1s', 1000],
    ['20ms', 20],
    ['1h2m3.5s', 3_723_500],
    ['7.66s', 7660],
    ['0.5', 500],
    ['', undefined],
    ['soon', undefined],
    ['5x', undefined],
    [undefined, undefined],
  ];
  for (const [text, ms] of cases) {
    it(`reads ${JSON.stringify(text)} as ${ms} ms`, () => {
      assert.equal(parseRateLimitDuration(text), ms);
    });
  }
});
