import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { SluiceConfigError } from '../../lib/core/errors.ts';
import { ndjsonStdin } from '../../lib/sources/ndjson-stdin.ts';

const sourceUrl = new URL('../../lib/sources/ndjson-stdin.ts', import.meta.url).href;

/** Runs a child that reads its stdin with `ndjsonStdin` and prints `[position, row or code]` per item. */
function readThroughChild(input: string | Buffer): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = `
    import { ndjsonStdin } from ${JSON.stringify(sourceUrl)};
    const out = [];
    for await (const batch of ndjsonStdin().read(new AbortController().signal)) {
      for (const item of batch) out.push([item.position, item.ok ? item.row : item.error.code]);
    }
    process.stdout.write(JSON.stringify(out));
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '--eval', script], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data) => (stdout += data));
    child.stderr.on('data', (data) => (stderr += data));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('ndjsonStdin', () => {
  it("is named 'stdin'", () => {
    assert.equal(ndjsonStdin().name, 'stdin');
  });

  it('reads NDJSON piped into the process, with line numbers', async () => {
    const { code, stdout, stderr } = await readThroughChild('{"a":1}\r\n\n{"a":\n{"a":4}');
    assert.equal(stderr, '');
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), [
      [1, { a: 1 }],
      [3, 'SLUICE_INPUT_INVALID_JSON'],
      [4, { a: 4 }],
    ]);
  });

  it('reads a large input through the pipe in several batches', async () => {
    const lines = Array.from({ length: 50_000 }, (_, n) => JSON.stringify({ n }));
    const { code, stdout } = await readThroughChild(`${lines.join('\n')}\n`);
    assert.equal(code, 0);
    const items = JSON.parse(stdout) as Array<[number, { n: number }]>;
    assert.equal(items.length, 50_000);
    assert.ok(items.every(([position, row]) => row.n === position - 1));
  });

  it('checks maxLineBytes when the source is made', () => {
    assert.throws(
      () => ndjsonStdin({ maxLineBytes: 2.5 }),
      (error: unknown) => {
        assert.ok(error instanceof SluiceConfigError);
        assert.equal(error.message, 'Expected `maxLineBytes` to be an integer from 1 and up, got `2.5`');
        return true;
      },
    );
  });
});
