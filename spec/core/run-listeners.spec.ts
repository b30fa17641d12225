import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import { map } from '../../lib/operators/map.ts';
import { toMemory } from '../../lib/sinks/memory.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';
import { failedCollector } from '../helpers/failed-collector.ts';

describe('many runs at once', () => {
  it('add one process listener between them, not one each (an HTTP handler runs hundreds)', async () => {
    const before = process.listenerCount('beforeExit');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    let allStarted!: () => void;
    const ready = new Promise<void>((resolve) => (allStarted = resolve));
    const slow = map(async (row: { n: number }) => {
      if (++started === 50) allStarted();
      await gate;
      return row;
    });
    const runs = Array.from({ length: 50 }, (_, n) =>
      pipeline(`r${n}`)
        .from(fromIterable([{ n }]))
        .pipe(slow)
        .to(toMemory())
        .run({ cache: false, failed: failedCollector() }),
    );
    await ready;
    assert.equal(process.listenerCount('beforeExit'), before + 1);
    release();
    await Promise.all(runs);
    assert.equal(process.listenerCount('beforeExit'), before);
  });
});
