import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Row } from '../../lib/core/row.ts';
import { map } from '../../lib/operators/map.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import { toFailedFile } from '../../lib/sinks/failed-rows.ts';
import { toNdjsonFile } from '../../lib/sinks/ndjson-file.ts';
import { contentIds } from '../../lib/sources/content-ids.ts';
import { ndjsonFile } from '../../lib/sources/ndjson-file.ts';
import { parseDefinition } from '../../lib/config/parse-definition.ts';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

async function ids(text: string): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-content-ids-'));
  await writeFile(join(dir, 'in.jsonl'), text);
  const seen: string[] = [];
  await pipeline('ids')
    .from(contentIds(ndjsonFile(join(dir, 'in.jsonl'), { name: 'in' })))
    .pipe(map((row: Row, info) => ({ ...row, id: info.id })))
    .to({
      name: 'memory',
      write(row, _leaf, done) {
        seen.push(String((row as Row).id));
        done();
      },
      async close() {},
    })
    .run({ cache: false });
  return seen.sort();
}

describe('contentIds', () => {
  it('names a record by its content: key order and spacing do not count, a copy gets ~2', async () => {
    const a = await ids('{"q":"x","n":1}\n{"q":"y"}\n{ "n": 1, "q": "x" }\n');
    assert.equal(a.length, 3);
    assert.match(a[0]!, /^in:[0-9a-f]{16}$/);
    const [first, second] = a.filter((id) => id.startsWith(a.find((i) => i.endsWith('~2'))!.slice(0, -2)));
    assert.equal(second, `${first}~2`);
    // The same records in another order keep their ids.
    assert.deepEqual(await ids('{"q":"y"}\n{"n":1,"q":"x"}\n{"q":"x","n":1}\n'), a);
  });

  it('resumes an edited input: done records are skipped wherever they moved, new ones run, none twice', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-content-resume-'));
    const input = join(dir, 'in.jsonl');
    await writeFile(input, Array.from({ length: 400 }, (_, n) => `${JSON.stringify({ n })}\n`).join(''));
    const calls = new Map<number, number>();
    const make = () =>
      pipeline('edit')
        .from(contentIds(ndjsonFile<{ n: number }>(input)))
        .pipe(
          map(
            async (row: { n: number }) => {
              calls.set(row.n, (calls.get(row.n) ?? 0) + 1);
              await tick();
              return { ...row, twice: row.n * 2 };
            },
            { concurrency: 8 },
          ),
        )
        .to(toNdjsonFile(join(dir, 'out.jsonl')));
    let done = 0;
    const first = make().start({
      runDir: join(dir, 'run'),
      cache: false,
      failed: toFailedFile(join(dir, 'failed.jsonl')),
      budget: 32,
      onDone: () => {
        if (++done === 150) first.stop();
      },
    });
    assert.equal((await first.summary).status, 'interrupted');
    // Edit the input: new records at the top, the old ones reversed. Positions all changed.
    const edited = [400, 401, 402, ...Array.from({ length: 400 }, (_, n) => 399 - n)];
    await writeFile(input, edited.map((n) => `${JSON.stringify({ n })}\n`).join(''));
    const second = await make().run({ runDir: join(dir, 'run'), cache: false, failed: toFailedFile(join(dir, 'failed.jsonl')) });
    assert.equal(second.status, 'ok');
    const out = (await readFile(join(dir, 'out.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { n: number; twice: number });
    assert.deepEqual(
      out.map((r) => r.n).sort((x, y) => x - y),
      Array.from({ length: 403 }, (_, n) => n),
    );
    assert.ok(out.every((r) => r.twice === r.n * 2));
    // At least the 150 done records were not run again.
    const again = [...calls.values()].filter((c) => c > 1).length;
    assert.ok(again <= 400 - 150, `${again} records ran twice`);
  });

  it('is `id: hash` on a definition input', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-content-yaml-'));
    await writeFile(join(dir, 'in.jsonl'), '{"q":"x"}\n');
    const built = await parseDefinition(`name: h\ninput: { path: ${JSON.stringify(join(dir, 'in.jsonl'))}, id: hash }\nsteps:\n  - map: { set: { a: 1 } }\n`);
    assert.equal(built.source?.ids, 'content');
  });
});
