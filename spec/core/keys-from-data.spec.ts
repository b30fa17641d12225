import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDefinition } from '../../lib/config/parse-definition.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import type { Row } from '../../lib/core/row.ts';
import { broadcast } from '../../lib/operators/broadcast.ts';
import { join } from '../../lib/operators/join.ts';
import { map } from '../../lib/operators/map.ts';
import { route } from '../../lib/operators/route.ts';
import { toMemory } from '../../lib/sinks/memory.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';
import { failedCollector } from '../helpers/failed-collector.ts';

describe('keys that come from data', () => {
  it('sends rows whose leaf is `constructor` or `__proto__` to the catch-all sink, not to Object', async () => {
    const named = toMemory();
    const rest = toMemory();
    const summary = await pipeline('leaves')
      .from(fromIterable([{ leaf: 'a' }, { leaf: 'constructor' }, { leaf: '__proto__' }, { leaf: 'toString' }]))
      .pipe(route((row: { leaf: string }) => row.leaf))
      .to({ a: named, '*': rest })
      .run({ cache: false, failed: failedCollector() });
    assert.deepEqual(
      named.rows.map((r) => r.leaf),
      ['a'],
    );
    assert.deepEqual(
      rest.rows.map((r) => r.leaf),
      ['constructor', '__proto__', 'toString'],
    );
    assert.equal(summary.written.constructor, 1);
    assert.equal(Object.hasOwn(summary.written, '__proto__'), true);
  });

  it('keeps a `__proto__` column through a join, and a rename to `__proto__` in a definition', async () => {
    const out = toMemory();
    const parsed = JSON.parse('{"__proto__": "kept", "n": 1}') as Row;
    await pipeline('proto')
      .from(fromIterable([parsed]))
      .pipe(broadcast({ a: (c) => c.pipe(map((r: Row) => ({ ...r, left: true }))), b: (c) => c.pipe(map((r: Row) => ({ ...r, right: true }))) }), join())
      .to(out)
      .run({ cache: false, failed: failedCollector() });
    assert.equal(Object.getPrototypeOf(out.rows[0]), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(out.rows[0], '__proto__')?.value, 'kept');
    const p = await parseDefinition('name: r\nsteps:\n  - map: { rename: { text: __proto__ } }\n');
    const renamed = toMemory();
    await p.run({ source: fromIterable([{ text: 'hello' }]), sink: renamed, cache: false, failed: failedCollector() });
    assert.equal(Object.getOwnPropertyDescriptor(renamed.rows[0], '__proto__')?.value, 'hello');
    assert.equal(JSON.stringify(renamed.rows[0]), '{"__proto__":"hello"}');
  });
});
