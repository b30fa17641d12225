/**
 * The suite every sink passes, like Hono's `common.case.test.ts` for its routers.
 * A sink spec calls `runSinkConformance(name, makeSink, readBack)`:
 * - `makeSink({ dir, broken })` makes a sink writing under `dir`; with `broken: true`, one whose
 *   writes will fail at the OS (a path that cannot be created, a stream that errors…);
 * - `readBack(dir)` returns every row the sink wrote under `dir`, in order ([] if it wrote nothing).
 * @module
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Row } from '../../lib/core/row.ts';
import type { Sink } from '../../lib/core/sink.ts';

export type MakeSink = (setup: { dir: string; broken: boolean }) => Sink | Promise<Sink>;
export type ReadBack = (dir: string) => Promise<Row[]>;

/** The leaf the suite writes to. */
export const CONFORMANCE_LEAF = 'out';

function rows(count: number): Row[] {
  return Array.from({ length: count }, (_, n) => ({
    n,
    // U+2028 and a quote and a newline inside a string must survive the trip.
    text: `row ${n}: café 日本 😀 \u2028 "quoted"\nsecond line ${'y'.repeat(n % 40)}`,
    nested: { list: [n, null, true], empty: {} },
  }));
}

/** Writes every row and resolves with each row's outcome once all dones were called (each at most once, checked). */
function writeAll(sink: Sink, all: Row[], leaf = CONFORMANCE_LEAF): { settled: Promise<(Error | null | undefined)[]>; calls: number[] } {
  const calls = new Array<number>(all.length).fill(0);
  const outcomes = new Array<Error | null | undefined>(all.length);
  let left = all.length;
  const settled = new Promise<(Error | null | undefined)[]>((resolve, reject) => {
    if (left === 0) resolve(outcomes);
    all.forEach((row, index) => {
      sink.write(row, leaf, (error) => {
        calls[index]!++;
        if (calls[index]! > 1) reject(new Error(`done of row ${index} was called ${calls[index]} times`));
        outcomes[index] = error;
        if (--left === 0) resolve(outcomes);
      });
    });
  });
  return { settled, calls };
}

export function runSinkConformance(name: string, makeSink: MakeSink, readBack: ReadBack): void {
  describe(`${name} (sink conformance)`, () => {
    let root: string;
    let count = 0;
    const freshDir = async () => {
      const dir = join(root, String(count++));
      await mkdir(dir);
      return dir;
    };
    before(async () => {
      root = await mkdtemp(join(tmpdir(), 'sluice-sink-case-'));
    });
    after(async () => {
      await rm(root, { recursive: true, force: true });
    });

    it('calls every done once, without an error, and reads back every row in order', async () => {
      const dir = await freshDir();
      const sink = await makeSink({ dir, broken: false });
      await sink.open?.();
      // ~1.4 MB: many 64 KiB flushes.
      const all = rows(10_000);
      const { settled, calls } = writeAll(sink, all);
      const outcomes = await settled;
      assert.deepEqual(
        outcomes.filter((error) => error),
        [],
      );
      await sink.close();
      assert.ok(calls.every((n) => n === 1));
      assert.deepEqual(await readBack(dir), all);
    });

    it('waits in close() for the rows still pending, then has them all', async () => {
      const dir = await freshDir();
      const sink = await makeSink({ dir, broken: false });
      await sink.open?.();
      const all = rows(3000);
      const { calls } = writeAll(sink, all);
      await sink.close();
      assert.equal(calls.filter((n) => n === 1).length, 3000, 'every done was called by the time close() resolved');
      assert.deepEqual(await readBack(dir), all);
    });

    it('calls done asynchronously, never inside write()', async () => {
      const dir = await freshDir();
      const sink = await makeSink({ dir, broken: false });
      await sink.open?.();
      let inside = true;
      let calledInside = false;
      const done = new Promise<void>((resolve) => {
        sink.write({ n: 1 }, CONFORMANCE_LEAF, () => {
          calledInside = inside;
          resolve();
        });
        sink.write({ bad: 1n }, CONFORMANCE_LEAF, () => {
          calledInside ||= inside;
        });
      });
      inside = false;
      await done;
      await sink.close();
      assert.equal(calledInside, false);
    });

    it('gives a row JSON cannot hold a SLUICE_OUTPUT_NOT_JSON error, and writes the rows around it', async () => {
      const dir = await freshDir();
      const sink = await makeSink({ dir, broken: false });
      await sink.open?.();
      const circular: Row = { name: 'loop' };
      circular.self = circular;
      // One column throughout, so that a format with a header (CSV) fails them for their values, not their columns.
      const all: Row[] = [{ n: 0 }, { n: 10n }, { n: 2 }, { n: circular }, { n: 4 }];
      const outcomes = await writeAll(sink, all).settled;
      await sink.close();
      assert.deepEqual(
        outcomes.map((error) => (error as { code?: string } | undefined)?.code ?? 'ok'),
        ['ok', 'SLUICE_OUTPUT_NOT_JSON', 'ok', 'SLUICE_OUTPUT_NOT_JSON', 'ok'],
      );
      assert.match(outcomes[1]!.message, /BigInt/);
      assert.deepEqual(await readBack(dir), [{ n: 0 }, { n: 2 }, { n: 4 }]);
    });

    it('closes cleanly when no row was written', async () => {
      const dir = await freshDir();
      const sink = await makeSink({ dir, broken: false });
      await sink.open?.();
      await sink.close();
      assert.deepEqual(await readBack(dir), []);
    });

    it('passes a write error to the done of every row, once, and still closes', async () => {
      const dir = await freshDir();
      const sink = await makeSink({ dir, broken: true });
      // A broken sink may already say so on open(); the run would stop there. Writes must still not throw.
      await sink.open?.().catch(() => {});
      const all = rows(500);
      const { settled, calls } = writeAll(sink, all);
      const outcomes = await settled;
      await sink.close();
      assert.ok(calls.every((n) => n === 1));
      for (const error of outcomes) assert.ok(error instanceof Error, 'every done got an error');
      // And rows written after the failure fail too, rather than hang.
      const later = await writeAll(sink, rows(3)).settled;
      for (const error of later) assert.ok(error instanceof Error);
    });
  });
}
