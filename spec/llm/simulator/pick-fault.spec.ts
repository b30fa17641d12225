import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FAULT_NAMES, pickFault } from '../../../lib/llm/simulator/pick-fault.ts';

describe('pickFault', () => {
  it('gives the same fault for the same seed and counter, and another schedule for another seed', () => {
    const schedule = (seed: number) => Array.from({ length: 50 }, (_, n) => pickFault(n + 1, seed, { 429: 0.3, reset: 0.2 }));
    assert.deepEqual(schedule(1), schedule(1));
    assert.notDeepEqual(schedule(1), schedule(2));
  });

  it('injects each fault at about its rate, and never one whose rate is 0', () => {
    const counts = new Map<string | undefined, number>();
    for (let n = 1; n <= 20_000; n++) {
      const fault = pickFault(n, 3, { 429: 0.25, 500: 0.1, hang: 0.05 });
      counts.set(fault, (counts.get(fault) ?? 0) + 1);
    }
    const share = (fault: string | undefined) => (counts.get(fault) ?? 0) / 20_000;
    assert.ok(Math.abs(share('429') - 0.25) < 0.02, `429: ${share('429')}`);
    assert.ok(Math.abs(share('500') - 0.1) < 0.02, `500: ${share('500')}`);
    assert.ok(Math.abs(share('hang') - 0.05) < 0.01, `hang: ${share('hang')}`);
    assert.ok(Math.abs(share(undefined) - 0.6) < 0.02, `none: ${share(undefined)}`);
    assert.deepEqual([...counts.keys()].sort(), ['429', '500', 'hang', undefined].sort());
  });

  it('always injects a fault whose rate is 1, and none with no rates', () => {
    for (const fault of FAULT_NAMES) assert.equal(pickFault(9, 1, { [fault]: 1 }), fault);
    assert.equal(pickFault(9, 1, {}), undefined);
  });
});
