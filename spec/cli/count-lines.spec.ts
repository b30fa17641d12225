import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { countLines } from '../../lib/cli/count-lines.ts';

async function file(content: string | Buffer): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'sluice-count-')), 'in.jsonl');
  await writeFile(path, content);
  return path;
}

describe('countLines', () => {
  it('counts the lines that hold something, with or without a final newline, LF or CRLF', async () => {
    assert.equal(await countLines(await file('')), 0);
    assert.equal(await countLines(await file('{"a":1}')), 1);
    assert.equal(await countLines(await file('{"a":1}\n{"a":2}\n')), 2);
    assert.equal(await countLines(await file('{"a":1}\r\n\r\n{"a":2}\r\n\n')), 2);
  });

  it('counts across 1 MiB chunk boundaries, a CRLF split between chunks included', async () => {
    // Line 1 ends exactly where the first chunk ends, with its \r the chunk's last byte.
    const first = `${'x'.repeat((1 << 20) - 1)}\r`;
    const rest = Array.from({ length: 50_000 }, (_, i) => `{"i":${i}}`).join('\r\n');
    assert.equal(await countLines(await file(`${first}\n\r\n${rest}\r\n`)), 50_001);
  });

  it('stops early when aborted midway: it reads no chunk after the abort', async () => {
    // A signal that turns aborted after its first check, so the count stops after one chunk of many.
    let checks = 0;
    const abortsAfterFirstChunk = {
      get aborted() {
        return ++checks > 1;
      },
    } as AbortSignal;
    const lines = Array.from({ length: 200_000 }, (_, i) => `{"i":${i}}`).join('\n');
    const counted = await countLines(await file(`${lines}\n`), abortsAfterFirstChunk);
    assert.ok(counted > 0 && counted < 200_000, `counted ${counted}`);
    assert.equal(checks, 2);
  });
});
