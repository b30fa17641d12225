/**
 * The suite every source passes, like Hono's `common.case.test.ts` for its routers.
 * A source spec calls `runSourceConformance(name, makeSource)` with a factory that makes a source
 * holding the given rows (writing a temp file, wrapping a stream…).
 * @module
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SluiceConfigError } from '../../lib/core/errors.ts';
import type { Row } from '../../lib/core/row.ts';
import type { Source, SourceItem } from '../../lib/core/source.ts';

export interface SourceConformanceOptions {
  /** Whether a second `read()` starts again from the top (files, arrays); if not, it must fail with a SluiceConfigError. */
  restartable: boolean;
}

/** Makes a source that holds `rows`, in order. `dir` is a fresh temp dir for files. */
export type MakeSource = (rows: Row[], dir: string) => Source | Promise<Source>;

/** Rows with text of every UTF-8 width, so that chunk splits land inside characters too. */
export function conformanceRows(count: number): Row[] {
  return Array.from({ length: count }, (_, n) => ({
    n,
    text: `row ${n}: café, 日本語, 😀 — ${'x'.repeat(n % 50)}`,
    nested: { even: n % 2 === 0, list: [n, String(n)] },
  }));
}

async function collectBatches(source: Source, signal = new AbortController().signal): Promise<(readonly SourceItem[])[]> {
  const batches: (readonly SourceItem[])[] = [];
  for await (const batch of source.read(signal)) batches.push(batch);
  return batches;
}

function rowsOf(batches: (readonly SourceItem[])[]): Row[] {
  return batches.flat().map((item) => {
    assert.ok(item.ok, `expected only rows, got a failed item: ${item.ok ? '' : item.error.message}`);
    return item.row;
  });
}

export function runSourceConformance(name: string, makeSource: MakeSource, { restartable }: SourceConformanceOptions): void {
  describe(`${name} (source conformance)`, () => {
    let dir: string;
    let count = 0;
    const make = async (rows: Row[]) => {
      const sub = join(dir, String(count++));
      await mkdir(sub);
      return makeSource(rows, sub);
    };
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'sluice-source-case-'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('yields every row in order, with positions that only go up', async () => {
      const rows = conformanceRows(1000);
      const batches = await collectBatches(await make(rows));
      assert.deepEqual(rowsOf(batches), rows);
      const positions = batches.flat().map((item) => item.position);
      for (let i = 1; i < positions.length; i++) {
        assert.ok(positions[i]! > positions[i - 1]!, `position ${positions[i]} came after ${positions[i - 1]}`);
      }
    });

    it('splits a large input into several batches, none of them empty', async () => {
      // ~2.5 MB: more than one 1 MiB file chunk, more than one 256-row batch.
      const rows = conformanceRows(20_000);
      const batches = await collectBatches(await make(rows));
      assert.ok(batches.length > 1, `expected several batches, got ${batches.length}`);
      for (const batch of batches) assert.ok(batch.length > 0, 'a batch was empty');
      assert.equal(batches.flat().length, 20_000);
      assert.deepEqual(rowsOf(batches), rows);
    });

    it('yields nothing, and ends, for an empty input', async () => {
      const batches = await collectBatches(await make([]));
      assert.equal(batches.flat().length, 0);
    });

    it('yields nothing when the signal is already aborted', async () => {
      const controller = new AbortController();
      controller.abort();
      const batches = await collectBatches(await make(conformanceRows(10)), controller.signal);
      assert.equal(batches.length, 0);
    });

    it('ends without an error, and yields no more batches, once the signal aborts', async () => {
      const rows = conformanceRows(20_000);
      const source = await make(rows);
      const controller = new AbortController();
      const iterator = source.read(controller.signal)[Symbol.asyncIterator]();
      const first = await iterator.next();
      assert.equal(first.done, false);
      const seen = first.value!.length;
      assert.ok(seen < rows.length, 'the first batch should not hold the whole input');
      controller.abort();
      const next = await iterator.next();
      assert.equal(next.done, true);
    });

    it('lets the consumer stop early, by breaking out of the loop', async () => {
      const source = await make(conformanceRows(20_000));
      let batches = 0;
      for await (const batch of source.read(new AbortController().signal)) {
        assert.ok(batch.length > 0);
        batches++;
        break;
      }
      assert.equal(batches, 1);
    });

    if (restartable) {
      it('starts again from the first row on a fresh read()', async () => {
        const rows = conformanceRows(3000);
        const source = await make(rows);
        const iterator = source.read(new AbortController().signal)[Symbol.asyncIterator]();
        await iterator.next();
        await iterator.return?.();
        assert.deepEqual(rowsOf(await collectBatches(source)), rows);
        assert.deepEqual(rowsOf(await collectBatches(source)), rows);
      });
    } else {
      it('refuses a second read() with a SluiceConfigError, as its input can be read only once', async () => {
        const source = await make(conformanceRows(10));
        assert.equal(rowsOf(await collectBatches(source)).length, 10);
        await assert.rejects(collectBatches(source), (error: unknown) => {
          assert.ok(error instanceof SluiceConfigError);
          assert.match(error.message, /already read/);
          return true;
        });
      });
    }
  });
}
