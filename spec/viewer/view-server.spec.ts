import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LineCounter, readLinePage } from '../../lib/viewer/line-pages.ts';
import { startViewer } from '../../lib/viewer/view-server.ts';
import { keep } from '../../lib/core/keep.ts';
import { filter } from '../../lib/operators/filter.ts';
import { map } from '../../lib/operators/map.ts';
import { scatter } from '../../lib/operators/scatter.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import { toNdjsonFile } from '../../lib/sinks/ndjson-file.ts';
import { ndjsonFile } from '../../lib/sources/ndjson-file.ts';

async function runDir(rows: number): Promise<{ dir: string; out: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-view-'));
  const out = join(dir, 'out.jsonl');
  await mkdir(join(dir, 'run'));
  await writeFile(
    out,
    Array.from({ length: rows }, (_, i) => `${JSON.stringify({ n: i, text: i === 2 ? '<script>alert(1)</script>' : `row ${i}` })}\n`).join(''),
  );
  await writeFile(
    join(dir, 'failed.jsonl'),
    `${JSON.stringify({ id: 'in:3', step: 'answer', error: { code: 'SLUICE_LLM_HTTP', message: 'status 500' }, attempts: 3 })}\n`,
  );
  await writeFile(
    join(dir, 'run', 'run.json'),
    JSON.stringify({
      pipeline: 'viewed',
      status: 'running',
      cwd: dir,
      outputs: { 'out.jsonl': 'out.jsonl' },
      failedPath: 'failed.jsonl',
      summary: { steps: { answer: { in: 5, out: 4, filtered: 0, failed: 1 } } },
    }),
  );
  return { dir, out };
}

describe('the viewer: a row’s story', () => {
  it('gives a row’s source record, its siblings after a scatter, its kept rows and failed rows of the same record', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-story-'));
    await writeFile(join(dir, 'in.jsonl'), '{"topic":"tides"}\n{"topic":"rivers"}\n');
    await pipeline('story')
      .from(ndjsonFile(join(dir, 'in.jsonl')))
      .pipe(
        keep(map((row: { topic: string }) => ({ ...row, shaped: true }), { name: 'shape' })),
        scatter((row) => [1, 2, 3].map((n) => ({ topic: row.topic, n })), { name: 'fan' }),
        filter((row) => row.n !== 3 || row.topic !== 'rivers', { name: 'drop-one' }),
      )
      .to(toNdjsonFile(join(dir, 'out.jsonl')))
      .run({ runDir: join(dir, 'run'), cache: false });
    const viewer = await startViewer({ runDir: join(dir, 'run') });
    try {
      const token = new URL(viewer.url).searchParams.get('token')!;
      const get = async (path: string) => (await fetch(`http://127.0.0.1:${viewer.port}${path}&token=${token}`)).json();
      const file = join(dir, 'out.jsonl');
      const page = (await get(`/api/rows?file=${encodeURIComponent(file)}&limit=10`)) as { lines: { offset: number; text: string }[] };
      const rivers = page.lines.find((l) => JSON.parse(l.text).topic === 'rivers')!;
      const story = (await get(`/api/story?file=${encodeURIComponent(file)}&offset=${rivers.offset}`)) as {
        lineage: string[];
        sources: { row: unknown }[];
        siblings: { row: { n: number } }[];
        kept: Record<string, unknown[]>;
      };
      assert.deepEqual(story.lineage, ['in.jsonl:2']);
      assert.deepEqual(story.sources[0]!.row, { topic: 'rivers' });
      assert.equal(story.siblings.length, 1, 'the third child was filtered: one sibling is left');
      assert.deepEqual(story.kept.shape, [{ topic: 'rivers', shaped: true }]);
    } finally {
      await viewer.close();
    }
  });
});

describe('the viewer', () => {
  it('pages the outputs that are lines, not the files written whole (Parquet, CSV, compressed)', async () => {
    const { dir } = await runDir(3);
    const record = join(dir, 'run', 'run.json');
    const outputs = { 'out.jsonl': 'out.jsonl', 'out.parquet': 'out.parquet', 'out.csv': 'out.csv', 'out.jsonl.gz': 'out.jsonl.gz', 'out/': 'out/' };
    await writeFile(record, JSON.stringify({ pipeline: 'viewed', status: 'ok', cwd: dir, outputs, failedPath: 'failed.jsonl' }));
    const viewer = await startViewer({ runDir: join(dir, 'run') });
    try {
      const token = new URL(viewer.url).searchParams.get('token')!;
      const run = (await (await fetch(`http://127.0.0.1:${viewer.port}/api/run?token=${token}`)).json()) as { files: string[] };
      assert.deepEqual(run.files, ['out.jsonl', 'failed rows']);
    } finally {
      await viewer.close();
    }
  });

  it('reads pages by byte offset and counts lines as a file grows, a torn last line not yet', async () => {
    const { out } = await runDir(120);
    const first = await readLinePage(out, 0, 50);
    assert.equal(first.lines.length, 50);
    const second = await readLinePage(out, first.next, 100);
    assert.equal(second.lines.length, 70);
    assert.equal(JSON.parse(second.lines[0]!.text).n, 50);
    const counter = new LineCounter(out);
    // Asked twice at once (a page load and an event stream), it counts each line once.
    assert.deepEqual(await Promise.all([counter.count(), counter.count()]), [120, 120]);
    assert.equal(await counter.count(), 120);
    await appendFile(out, '{"n":120}\n{"n":12');
    assert.equal(await counter.count(), 121);
    await appendFile(out, '1}\n');
    assert.equal(await counter.count(), 122);
  });

  it('serves on 127.0.0.1 behind its token: the run, pages of rows and failed rows, and live counts', async () => {
    const { dir, out } = await runDir(5);
    const viewer = await startViewer({ runDir: join(dir, 'run'), pollMs: 20 });
    try {
      const url = new URL(viewer.url);
      assert.equal(url.hostname, '127.0.0.1');
      const token = url.searchParams.get('token')!;
      assert.ok(token.length >= 20);
      assert.equal((await fetch(`http://127.0.0.1:${viewer.port}/`)).status, 403);
      assert.equal((await fetch(`http://127.0.0.1:${viewer.port}/api/run?token=wrong`)).status, 403);
      const page = await fetch(viewer.url);
      assert.equal(page.status, 200);
      const csp = page.headers.get('content-security-policy')!;
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'nonce-/);
      const html = await page.text();
      assert.ok(!html.includes('<script>alert(1)</script>'), 'the page carries no row');
      assert.ok(!/innerHTML/.test(html), 'rows are put in as text only');

      const api = async (path: string) => (await fetch(`http://127.0.0.1:${viewer.port}${path}${path.includes('?') ? '&' : '?'}token=${token}`)).json();
      const run = (await api('/api/run')) as { files: string[]; counts: Record<string, number>; record: { pipeline: string } };
      assert.equal(run.record.pipeline, 'viewed');
      assert.deepEqual(run.files, ['out.jsonl', 'failed rows']);
      assert.deepEqual(run.counts, { 'out.jsonl': 5, 'failed rows': 1 });
      const rows = (await api('/api/rows?file=out.jsonl&limit=2')) as { lines: { text: string }[]; next: number };
      assert.deepEqual(
        rows.lines.map((l) => JSON.parse(l.text).n),
        [0, 1],
      );
      const rest = (await api(`/api/rows?file=out.jsonl&offset=${rows.next}&limit=10`)) as { lines: { text: string }[] };
      assert.equal(JSON.parse(rest.lines[0]!.text).text, '<script>alert(1)</script>', 'as data, for the page to show as text');
      const failed = (await api('/api/rows?file=failed%20rows')) as { lines: { text: string }[] };
      assert.equal(JSON.parse(failed.lines[0]!.text).error.code, 'SLUICE_LLM_HTTP');

      // Live: another process appends rows; the event stream reports the new count.
      const controller = new AbortController();
      const stream = await fetch(`http://127.0.0.1:${viewer.port}/api/events?token=${token}`, { signal: controller.signal });
      const reader = stream.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      const until = async (predicate: () => boolean) => {
        while (!predicate()) text += decoder.decode((await reader.read()).value, { stream: true });
      };
      await until(() => text.includes('"out.jsonl":5'));
      await appendFile(out, '{"n":5}\n{"n":6}\n');
      await until(() => text.includes('"out.jsonl":7'));
      controller.abort();
    } finally {
      await viewer.close();
    }
  });
});
