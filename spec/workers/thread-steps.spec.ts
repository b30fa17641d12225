import assert from 'node:assert/strict';
import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadDefinition } from '../../lib/config/load-definition.ts';
import { definitionYamlOf } from '../../lib/config/save-definition.ts';
import type { Row } from '../../lib/core/row.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import { toMemory } from '../../lib/sinks/memory.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';
import { threadBatch } from '../../lib/workers/thread-batch.ts';
import { threadMap } from '../../lib/workers/thread-map.ts';
import { failedCollector } from '../helpers/failed-collector.ts';
import { envelopeOf, testContext } from '../helpers/test-context.ts';
import { unsubscribeAfterFirst } from '../helpers/operator-harness.ts';
import { repoRoot } from '../helpers/run-cli.ts';

const work = join(repoRoot, 'spec/fixtures/thread-work.ts');
const rows = (count: number) => Array.from({ length: count }, (_, n) => ({ n }));

async function run(step: Parameters<ReturnType<typeof pipeline>['pipe']>[0], input: Row[]) {
  const out = toMemory();
  const failed = failedCollector();
  const summary = await pipeline('threads').from(fromIterable(input)).pipe(step).to(out).run({ cache: false, failed });
  return { rows: out.rows, failed: failed.rows, summary };
}

describe('threadMap', () => {
  it('runs the export on worker threads, with the row id and params, and hands every row on', async () => {
    const { rows: out, summary } = await run(threadMap({ module: work, export: 'tag', threads: 2, params: { label: 'x' } }), rows(40));
    assert.equal(summary.status, 'ok');
    assert.deepEqual(
      out.map((row) => row.n).sort((a, b) => (a as number) - (b as number)),
      rows(40).map((row) => row.n),
    );
    assert.ok(
      out.every((row) => (row.thread as number) > 0),
      'not the main thread (threadId 0)',
    );
    assert.ok(new Set(out.map((row) => row.thread)).size >= 1);
    assert.deepEqual(
      out.filter((row) => row.n === 7).map((row) => [row.id, row.label]),
      [['rows:7', 'x']],
    );
  });

  it('fails the row whose function throws, and the row whose thread dies, and goes on', async () => {
    const { rows: out, failed, summary } = await run(threadMap({ module: new URL(`file://${work}`), export: 'boom', threads: 2 }), rows(8));
    assert.equal(summary.status, 'failed-rows');
    assert.deepEqual(
      out.map((row) => row.n).sort((a, b) => (a as number) - (b as number)),
      [0, 1, 4, 5, 6, 7],
    );
    const reasons = Object.fromEntries(failed.map((f) => [f.id, (f.error as { message: string }).message]));
    assert.match(reasons['rows:2']!, /row 2 is not welcome/);
    assert.ok(reasons['rows:3'], 'the row whose thread exited failed');
  });

  it('refuses, before any row, a module without the export, naming what it exports', async () => {
    await assert.rejects(
      run(threadMap({ module: work, export: 'nope', threads: 1 }), rows(3)),
      /Cannot run .*thread-work\.ts on worker threads: Expected export `nope`.*`tag`/,
    );
    await assert.rejects(run(threadMap({ module: work, export: 'notAFunction', threads: 1 }), rows(3)), /to be a function, got number/);
    assert.throws(() => threadMap({ module: work, threads: 0 }), /`threads` to be an integer from 1 and up/);
  });

  it('unsubscribing after the first row starts nothing queued and ends the pool', async () => {
    const ctx = testContext('threads');
    const input = Array.from({ length: 6 }, (_, n) => envelopeOf(ctx, `rows:${n}`, { n }));
    const result = await unsubscribeAfterFirst([threadMap({ module: work, export: 'slow', threads: 1 })], ctx, input);
    assert.equal(result.emitted, 1);
  });
});

describe('threadBatch', () => {
  it('hands size rows at a time to a thread, with their ids, and each row gets its result', async () => {
    const { rows: out, summary } = await run(threadBatch({ module: work, export: 'sizes', threads: 2, size: 4, maxWaitMs: 5 }), rows(10));
    assert.equal(summary.status, 'ok');
    assert.equal(out.length, 10);
    assert.ok(out.every((row) => (row.batch as number) <= 4 && (row.thread as number) > 0));
    assert.deepEqual(out.find((row) => row.n === 9)?.id, 'rows:9');
  });
});

describe('worker threads in definitions', () => {
  it('`import:` with `threads` runs a row function as a map on threads; `batch:` with `threads` runs batches there; both save back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-threads-yaml-'));
    await copyFile(work, join(dir, 'work.ts'));
    await writeFile(
      join(dir, 'p.yaml'),
      `name: threads
steps:
  - import: { module: ./work.ts, export: tag, threads: 2, params: { label: y } }
  - batch: { module: ./work.ts, export: sizes, size: 3, threads: 1 }
`,
    );
    const p = await loadDefinition(join(dir, 'p.yaml'));
    const memory = toMemory();
    const summary = await p.run({ source: fromIterable(rows(5)), sink: memory, cache: false, failed: failedCollector() });
    const out = memory.rows;
    assert.equal(summary.status, 'ok');
    assert.equal(out.length, 5);
    assert.ok(out.every((row) => row.label === 'y' && (row.thread as number) > 0 && (row.batch as number) <= 3));
    const saved = definitionYamlOf(p, { dir });
    assert.match(saved, /import:\n\s+module: \.\/work\.ts\n\s+export: tag\n\s+params:\n\s+label: y\n\s+threads: 2/);
    assert.match(saved, /batch:\n\s+module: \.\/work\.ts\n\s+export: sizes\n\s+size: 3\n\s+threads: 1/);
  });
});
