import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { SluiceConfigError } from '../../lib/core/errors.ts';
import type { Row } from '../../lib/core/row.ts';
import { NdjsonWriter } from '../../lib/sinks/ndjson-writer.ts';
import { runSinkConformance } from '../conformance/sink.case.ts';

/** A Writable that keeps what it gets, records each write's size, and can be slow or fail. */
class Recorder extends Writable {
  text = '';
  writes: number[] = [];
  /** `write()` calls, and those made while the stream had asked to wait for 'drain'. */
  writeCalls = 0;
  writesWhileFull = 0;
  readonly #delayMs: number;
  readonly #failWith: Error | undefined;
  /** With `held`, writes complete only when `release()` is called: the test decides when the stream drains. */
  #held: Array<() => void> | undefined;
  constructor({
    highWaterMark = 16 * 1024,
    delayMs = 0,
    failWith,
    held = false,
  }: { highWaterMark?: number; delayMs?: number; failWith?: Error; held?: boolean } = {}) {
    super({ highWaterMark, decodeStrings: false });
    this.#delayMs = delayMs;
    this.#failWith = failWith;
    this.#held = held ? [] : undefined;
  }
  /** Completes the held writes, and lets later ones complete on their own. */
  release(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const finish of held) finish();
  }
  override write(chunk: unknown, ...rest: unknown[]): boolean {
    this.writeCalls++;
    if (this.writableNeedDrain) this.writesWhileFull++;
    return (super.write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }
  override _write(chunk: string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.#failWith) {
      setTimeout(() => callback(this.#failWith), this.#delayMs);
      return;
    }
    this.writes.push(chunk.length);
    const finish = () => {
      this.text += chunk;
      callback();
    };
    if (this.#held) this.#held.push(finish);
    else if (this.#delayMs > 0) setTimeout(finish, this.#delayMs);
    else setImmediate(finish);
  }
}

const recorders = new Map<string, Recorder>();
runSinkConformance(
  'NdjsonWriter over a Writable',
  ({ dir, broken }) => {
    const recorder = new Recorder(broken ? { failWith: Object.assign(new Error('disk full'), { code: 'ENOSPC' }) } : {});
    recorders.set(dir, recorder);
    const writer = new NdjsonWriter(recorder);
    return { name: 'writer', write: (row, _leaf, done) => writer.write(row, done), close: () => writer.close() };
  },
  async (dir) => {
    const text = recorders.get(dir)?.text ?? '';
    return text === ''
      ? []
      : text
          .trimEnd()
          .split('\n')
          .map((line) => JSON.parse(line) as Row);
  },
);

function write(writer: NdjsonWriter, row: unknown): Promise<Error | null | undefined> {
  return new Promise((resolve) => writer.write(row, resolve));
}

const row200 = (n: number) => ({ n, text: 't'.repeat(180) });

describe('NdjsonWriter', () => {
  it('writes rows as JSON lines ending in LF, on any platform', async () => {
    const recorder = new Recorder();
    const writer = new NdjsonWriter(recorder);
    await Promise.all([write(writer, { a: 1 }), write(writer, { b: 'x\ny' })]);
    await writer.close();
    assert.equal(recorder.text, '{"a":1}\n{"b":"x\\ny"}\n');
  });

  it('gathers the rows of one turn of the event loop into one write', async () => {
    const recorder = new Recorder();
    const writer = new NdjsonWriter(recorder);
    await Promise.all(Array.from({ length: 100 }, (_, n) => write(writer, { n })));
    assert.equal(recorder.writes.length, 1);
    await writer.close();
  });

  it('writes once the buffer reaches flushSize, without waiting for the turn to end', async () => {
    const recorder = new Recorder({ highWaterMark: 1024 * 1024 });
    const writer = new NdjsonWriter(recorder, { flushSize: 64 * 1024 });
    const dones = Array.from({ length: 1000 }, (_, n) => write(writer, row200(n)));
    // ~200 KB written synchronously: three 64 KiB writes have gone out, the rest waits for setImmediate.
    assert.equal(recorder.writeCalls, 3);
    await Promise.all(dones);
    assert.equal(recorder.writeCalls, 4);
    assert.equal(recorder.writes.length, 4);
    assert.ok(recorder.writes.slice(0, 3).every((size) => size >= 64 * 1024 && size < 64 * 1024 + 300));
    await writer.close();
  });

  it("waits for 'drain' before writing again, and holds the rows' dones meanwhile", async () => {
    const recorder = new Recorder({ highWaterMark: 1024, held: true });
    const writer = new NdjsonWriter(recorder, { flushSize: 4096 });
    let done = 0;
    const all: Promise<unknown>[] = [];
    for (let n = 0; n < 2000; n++) {
      all.push(
        write(writer, row200(n)).then((error) => {
          assert.equal(error, undefined);
          done++;
        }),
      );
    }
    // The first 4 KiB filled the stream: the other rows queue in the writer, and no done is called.
    assert.equal(recorder.writableNeedDrain, true);
    // Let every turn of the writer's own run; the stream holds its first write until released.
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(recorder.writes.length, 1);
    assert.equal(done, 0);
    assert.equal(writer.pending, 2000);
    recorder.release();
    await Promise.all(all);
    // After 'drain', everything queued went out in one write.
    assert.equal(recorder.writes.length, 2);
    assert.equal(recorder.writesWhileFull, 0, 'never wrote while the stream asked to wait');
    await writer.close();
    assert.equal(recorder.text.split('\n').length - 1, 2000);
    assert.equal(writer.pending, 0);
  });

  it('slows a producer that waits for its dones down to the pace of the stream', async () => {
    // Like the pipeline: at most 64 rows in flight (the permit budget); a new row only when one is done.
    const recorder = new Recorder({ highWaterMark: 1024, delayMs: 2 });
    const writer = new NdjsonWriter(recorder, { flushSize: 4096 });
    let inFlight = 0;
    let maxInFlight = 0;
    let written = 0;
    await new Promise<void>((resolve) => {
      const pump = () => {
        while (inFlight < 64 && written < 3000) {
          inFlight++;
          written++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          writer.write(row200(written), (error) => {
            assert.equal(error, undefined);
            inFlight--;
            if (written === 3000 && inFlight === 0) resolve();
            else pump();
          });
        }
      };
      pump();
    });
    await writer.close();
    assert.equal(maxInFlight, 64);
    assert.equal(recorder.writesWhileFull, 0);
    assert.equal(recorder.text.split('\n').length - 1, 3000);
  });

  it('gives a stream error to every pending done, and to rows written after it', async () => {
    const failure = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    const writer = new NdjsonWriter(new Recorder({ failWith: failure, delayMs: 5 }), { flushSize: 1024 });
    const outcomes = await Promise.all(Array.from({ length: 50 }, (_, n) => write(writer, row200(n))));
    assert.ok(outcomes.every((error) => error === failure));
    assert.equal(await write(writer, { late: true }), failure);
    await writer.close();
  });

  it('rejects close() with an error that no done was given', async () => {
    const failure = new Error('cannot open');
    const stream = new Recorder();
    const writer = new NdjsonWriter(stream);
    await writer.open();
    stream.destroy(failure);
    await assert.rejects(writer.close(), failure);
  });

  it('fails open() when the stream cannot be made', async () => {
    const writer = new NdjsonWriter(() => {
      throw Object.assign(new Error('EACCES: permission denied, mkdir'), { code: 'EACCES' });
    });
    await assert.rejects(writer.open(), { code: 'EACCES' });
    assert.equal((await write(writer, { a: 1 }))?.message, 'EACCES: permission denied, mkdir');
    // Already reported: close() does not repeat it.
    await writer.close();
  });

  it('makes the stream only when a row is flushed', async () => {
    let made = 0;
    const writer = new NdjsonWriter(() => {
      made++;
      return new Recorder();
    });
    await writer.close();
    assert.equal(made, 0);
    const again = new NdjsonWriter(() => {
      made++;
      return new Recorder();
    });
    await write(again, { a: 1 });
    await write(again, { a: 2 });
    assert.equal(made, 1);
    await again.close();
  });

  it('gives a row written after close() a SLUICE_SINK_CLOSED error', async () => {
    const writer = new NdjsonWriter(new Recorder());
    await writer.close();
    const error = await write(writer, { a: 1 });
    assert.equal((error as { code?: string } | undefined)?.code, 'SLUICE_SINK_CLOSED');
  });

  it('gives a row JSON.stringify turns into nothing a SLUICE_OUTPUT_NOT_JSON error', async () => {
    const writer = new NdjsonWriter(new Recorder());
    const error = await write(writer, { toJSON: () => undefined });
    assert.equal((error as { code?: string } | undefined)?.code, 'SLUICE_OUTPUT_NOT_JSON');
    await writer.close();
  });

  it('does not end the stream on close() when told not to', async () => {
    const recorder = new Recorder();
    const writer = new NdjsonWriter(recorder, { end: false });
    await write(writer, { a: 1 });
    await writer.close();
    assert.equal(recorder.writableEnded, false);
    assert.equal(recorder.listenerCount('error'), 0, 'its error listener is removed');
  });

  it('checks flushSize when made', () => {
    assert.throws(
      () => new NdjsonWriter(new Recorder(), { flushSize: 0 }),
      (error: unknown) => {
        assert.ok(error instanceof SluiceConfigError);
        assert.equal(error.message, 'Expected `flushSize` to be an integer from 1 and up, got `0`');
        return true;
      },
    );
  });
});
