import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Row } from '../../lib/core/row.ts';
import type { FailedRow } from '../../lib/core/failed-row.ts';
import { toFailedFile } from '../../lib/sinks/failed-rows.ts';
import { runSinkConformance } from '../conformance/sink.case.ts';
import { ndjsonTempDir } from '../helpers/ndjson-temp-dir.ts';

async function readRows(path: string): Promise<Row[]> {
  if (!existsSync(path)) return [];
  return (await readFile(path, 'utf8'))
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Row);
}

runSinkConformance(
  'toFailedFile',
  async ({ dir, broken }) => {
    if (!broken) return toFailedFile(join(dir, 'failed.jsonl'));
    await writeFile(join(dir, 'blocker'), '');
    return toFailedFile(join(dir, 'blocker', 'failed.jsonl'));
  },
  (dir) => readRows(join(dir, 'failed.jsonl')),
);

const tmp = ndjsonTempDir('failed-rows');

describe('toFailedFile', () => {
  it('leaves no file behind when no row failed', async () => {
    const path = tmp.path('clean', 'failed.jsonl');
    const sink = toFailedFile(path);
    await sink.open?.();
    await sink.close();
    assert.equal(existsSync(path), false);
    assert.equal(existsSync(tmp.path('clean')), false, 'not even its directory');
  });

  it('creates the file and its directories on the first failed row, and writes each as one line', async () => {
    const path = tmp.path('run', 'out', 'failed.jsonl');
    const sink = toFailedFile(path);
    await sink.open?.();
    const failed: FailedRow[] = [
      {
        id: 'topics.jsonl:17',
        step: 'source',
        error: { code: 'SLUICE_INPUT_INVALID_JSON', message: 'Line 17 is not valid JSON (…). Each line must hold one JSON object.' },
        line: 17,
        raw: '{"topic": ',
        at: '2026-01-02T03:04:05.000Z',
      },
      {
        id: 'topics.jsonl:18.2',
        step: 'answer',
        error: { code: 'SLUICE_STEP_FAILED', message: 'Step `answer` failed: boom' },
        attempts: 3,
        row: { topic: 'tides', question: 'Why?' },
        at: '2026-01-02T03:04:06.000Z',
      },
    ];
    await Promise.all(failed.map((row) => new Promise((resolve) => sink.write(row, 'failed', resolve))));
    await sink.close();
    assert.deepEqual(await readRows(path), failed);
  });
});

describe('failed rows of a sink set in code', () => {
  it('go beside its file, or into its folder, not to ./failed.jsonl', async () => {
    const { mkdtemp, readFile } = await import('node:fs/promises');
    const { existsSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { pipeline } = await import('../../lib/pipeline/pipeline.ts');
    const { map } = await import('../../lib/operators/map.ts');
    const { fromIterable } = await import('../../lib/sources/iterable.ts');
    const { toNdjsonFile } = await import('../../lib/sinks/ndjson-file.ts');
    const { toNdjsonDir } = await import('../../lib/sinks/ndjson-dir.ts');
    const dir = await mkdtemp(join(tmpdir(), 'sluice-beside-'));
    const picky = map((row: { n: number }) => {
      if (row.n === 2) throw new Error('two');
      return row;
    });
    const before = existsSync('failed.jsonl') ? (await readFile('failed.jsonl', 'utf8')).length : -1;
    await pipeline('beside')
      .from(fromIterable([{ n: 1 }, { n: 2 }]))
      .pipe(picky)
      .to(toNdjsonFile(join(dir, 'out', 'x.jsonl')))
      .run({ cache: false });
    assert.match(await readFile(join(dir, 'out', 'x.failed.jsonl'), 'utf8'), /"error":\{"code":"Error","message":"two"\}/);
    await pipeline('folder')
      .from(fromIterable([{ n: 1 }, { n: 2 }]))
      .pipe(picky)
      .to(toNdjsonDir(join(dir, 'leaves')))
      .run({ cache: false });
    assert.match(await readFile(join(dir, 'leaves', 'failed.jsonl'), 'utf8'), /two/);
    assert.equal(existsSync('failed.jsonl') ? (await readFile('failed.jsonl', 'utf8')).length : -1, before, './failed.jsonl was not written');
  });
});
