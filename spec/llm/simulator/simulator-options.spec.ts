import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveSimulatorOptions } from '../../../lib/llm/simulator/simulator-options.ts';

describe('resolveSimulatorOptions', () => {
  it('fills in the defaults', () => {
    const { faults, now, ...resolved } = resolveSimulatorOptions();
    assert.equal(faults, undefined);
    assert.equal(now, Date.now);
    assert.deepEqual(resolved, {
      port: 0,
      latency: { min: 0, max: 0 },
      seed: 1,
      rates: {},
      retryAfterSeconds: 1,
      rpm: undefined,
      tpm: undefined,
      windowMs: 60_000,
      announceLimits: true,
      models: ['sim-small', 'sim-large', 'sim-embed'],
      embeddingDimensions: 8,
      logLimit: Infinity,
      batchMs: 100,
      batchErrorRate: 0,
      batchFate: undefined,
    });
  });

  it('keeps the rates that are set, by fault name, and a latency range', () => {
    const resolved = resolveSimulatorOptions({ rate429: 0.2, rateReset: 0.1, rateTruncated: 0, latencyMs: { min: 10, max: 30 }, rpm: Infinity });
    assert.deepEqual(resolved.rates, { 429: 0.2, reset: 0.1 });
    assert.deepEqual(resolved.latency, { min: 10, max: 30 });
    assert.equal(resolved.rpm, undefined);
  });

  it('says what was expected and what was got', () => {
    const cases: [object, string][] = [
      [{ port: 70_000 }, 'Expected `port` to be an integer from 0 to 65535, got `70000`'],
      [
        { latencyMs: { min: 5, max: 1 } },
        'Expected `latencyMs` to be a number of milliseconds from 0 and up, or `{ min, max }` with 0 <= min <= max, got `{"min":5,"max":1}`',
      ],
      [{ rateHang: -0.1 }, 'Expected `rateHang` to be a number from 0 to 1, got `-0.1`'],
      [{ rpm: 0 }, 'Expected `rpm` to be an integer from 1 and up, or `Infinity` for no limit, got `0`'],
      [{ windowMs: 0.5 }, 'Expected `windowMs` to be an integer from 1 and up, got `0.5`'],
      [{ models: [] }, 'Expected `models` to be a non-empty array of model ids, got `[]`'],
      [{ faults: 'sometimes' }, "Expected `faults` to be a function, got `'sometimes'`"],
    ];
    for (const [options, message] of cases) assert.throws(() => resolveSimulatorOptions(options), { name: 'SluiceConfigError', message });
  });
});
