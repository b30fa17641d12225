import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import type { Row } from '../../lib/core/row.ts';
import { toStdout } from '../../lib/sinks/ndjson-stdout.ts';
import { runSinkConformance } from '../conformance/sink.case.ts';

/** Stands in for stdout: keeps the text, or fails every write. */
class FakeStdout extends Writable {
  text = '';
  readonly failure: Error | undefined;
  constructor(failure?: Error) {
    super({ decodeStrings: false });
    this.failure = failure;
  }
  override _write(chunk: string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.failure) return callback(this.failure);
    this.text += chunk;
    setImmediate(callback);
  }
}

const fakes = new Map<string, FakeStdout>();
runSinkConformance(
  'toStdout',
  ({ dir, broken }) => {
    const stream = new FakeStdout(broken ? Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }) : undefined);
    fakes.set(dir, stream);
    return toStdout({ stream });
  },
  async (dir) => {
    const text = fakes.get(dir)?.text ?? '';
    return text === ''
      ? []
      : text
          .trimEnd()
          .split('\n')
          .map((line) => JSON.parse(line) as Row);
  },
);

const sinkUrl = new URL('../../lib/sinks/ndjson-stdout.ts', import.meta.url).href;

describe('toStdout', () => {
  it("is named 'stdout'", () => {
    assert.equal(toStdout().name, 'stdout');
  });

  it('does not end the stream on close(), so the program can still print', async () => {
    const stream = new FakeStdout();
    const sink = toStdout({ stream });
    await new Promise((resolve) => sink.write({ a: 1 }, 'out', resolve));
    await sink.close();
    assert.equal(stream.writableEnded, false);
    stream.write('after\n');
    assert.equal(stream.text, '{"a":1}\nafter\n');
  });

  it('writes NDJSON alone on the real stdout of a process', async () => {
    const script = `
      import { toStdout } from ${JSON.stringify(sinkUrl)};
      const sink = toStdout();
      for (let n = 0; n < 3; n++) sink.write({ n }, 'out', () => {});
      await sink.close();
      process.stdout.write('still open\\n');
    `;
    const { code, stdout } = await runChild(script, (child) => child.stdout!.setEncoding('utf8'));
    assert.equal(code, 0);
    assert.equal(stdout, '{"n":0}\n{"n":1}\n{"n":2}\nstill open\n');
  });

  it('gives EPIPE to the dones when the reader of stdout goes away, instead of crashing', async () => {
    // The child writes batches of 100 rows, waiting for their dones; we close our end after the first data.
    const script = `
      import { toStdout } from ${JSON.stringify(sinkUrl)};
      const sink = toStdout();
      const row = { text: 'x'.repeat(200) };
      let ok = 0, failed = 0, code;
      for (let batch = 0; batch < 10_000 && failed === 0; batch++) {
        await Promise.all(Array.from({ length: 100 }, () => new Promise((resolve) => sink.write(row, 'out', (error) => {
          if (error) { failed++; code = error.code; } else ok++;
          resolve();
        }))));
      }
      await sink.close();
      process.stderr.write(JSON.stringify({ ok, failed, code }));
    `;
    const { code, signal, stderr } = await runChild(script, (child) => child.stdout!.once('data', () => child.stdout!.destroy()));
    assert.equal(signal, null);
    assert.equal(code, 0);
    const report = JSON.parse(stderr) as { ok: number; failed: number; code: string };
    assert.equal(report.code, 'EPIPE');
    assert.ok(report.failed > 0);
    assert.equal((report.ok + report.failed) % 100, 0, 'every row got exactly one done');
    assert.ok(report.ok < 1_000_000, 'it stopped early');
  });
});

function runChild(
  script: string,
  setup: (child: ReturnType<typeof spawn>) => void,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '--eval', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (data) => (stdout += data));
    child.stderr!.on('data', (data) => (stderr += data));
    setup(child);
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
