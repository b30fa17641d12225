import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import type { Row } from '../../lib/core/row.ts';
import { map } from '../../lib/operators/map.ts';
import { toFailedFile } from '../../lib/sinks/failed-rows.ts';
import { toNdjsonFile } from '../../lib/sinks/ndjson-file.ts';
import { ndjsonFile } from '../../lib/sources/ndjson-file.ts';
import { waitFor } from '../helpers/wait-for.ts';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

async function lines(path: string): Promise<Row[]> {
  if (!existsSync(path)) return [];
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Row);
}

/** A pipeline that doubles `n`, one row per input line, slowly enough to stop midway. */
function doubler(dir: string) {
  return pipeline('double')
    .from(ndjsonFile(join(dir, 'in.jsonl')))
    .pipe(
      map(
        async (row: { n: number }) => {
          await tick();
          return { ...row, twice: row.n * 2 };
        },
        { concurrency: 8 },
      ),
    )
    .to(toNdjsonFile(join(dir, 'out.jsonl')));
}

/** Runs until `stopAfter` records are done, then stops it (as Ctrl+C would). */
async function interrupted(dir: string, stopAfter: number): Promise<void> {
  let done = 0;
  const handle = doubler(dir).start({
    runDir: join(dir, 'run'),
    cache: false,
    failed: toFailedFile(join(dir, 'failed.jsonl')),
    budget: 64,
    onDone: () => {
      if (++done === stopAfter) handle.stop();
    },
  });
  await handle.summary;
}

async function fixture(rows: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-integrity-'));
  await writeFile(join(dir, 'in.jsonl'), Array.from({ length: rows }, (_, n) => `${JSON.stringify({ n })}\n`).join(''));
  return dir;
}

describe('the run directory under damage', () => {
  it('rebuilds the ledger from what the output really holds when the output was cut mid-line: no row missing, none twice', async () => {
    const dir = await fixture(2000);
    await interrupted(dir, 1000);
    const out = join(dir, 'out.jsonl');
    const { size } = await stat(out);
    await truncate(out, Math.floor(size / 2) + 7); // Mid-line, about half the rows gone.
    const summary = await doubler(dir).run({ runDir: join(dir, 'run'), cache: false, failed: toFailedFile(join(dir, 'failed.jsonl')) });
    assert.equal(summary.status, 'ok');
    const rows = await lines(out);
    assert.deepEqual(
      rows.map((r) => r.n).sort((a, b) => Number(a) - Number(b)),
      Array.from({ length: 2000 }, (_, n) => n),
    );
    assert.ok(rows.every((r) => r.twice === Number(r.n) * 2));
  });

  it('refuses to resume, saying how to start over, when a sidecar of a non-empty output is gone', async () => {
    const dir = await fixture(500);
    await interrupted(dir, 200);
    for (const name of await readdir(join(dir, 'run', 'written'))) await rm(join(dir, 'run', 'written', name));
    await assert.rejects(
      doubler(dir).run({ runDir: join(dir, 'run'), cache: false, failed: toFailedFile(join(dir, 'failed.jsonl')) }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'SLUICE_RUN_DIR');
        assert.match(error.message, /resuming could duplicate rows\. Start over: remove .*, or run with another --run-dir\./);
        return true;
      },
    );
  });

  it('writes every done record to the ledger before the run ends: a 2-row input through an async map, 50 times', async () => {
    for (let i = 0; i < 50; i++) {
      const dir = await fixture(2);
      const summary = await doubler(dir).run({ runDir: join(dir, 'run'), cache: false, failed: toFailedFile(join(dir, 'failed.jsonl')) });
      assert.deepEqual([summary.status, summary.source.read, summary.source.done], ['ok', 2, 2], `run ${i}`);
      const ledger = (await readFile(join(dir, 'run', 'done.log'), 'utf8')).split('\n').filter(Boolean);
      assert.equal(ledger.length, 2, `run ${i}: ${ledger.join(' ')}`);
    }
  });

  it('fails a row nested deeper than 1,000 levels at read time, and a row a step nests too deep at write time, and goes on; resume cuts nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-deep-'));
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    await writeFile(
      join(dir, 'in.jsonl'),
      `${[JSON.stringify({ n: 0 }), deep, JSON.stringify({ n: 2, deepen: true }), JSON.stringify({ n: 3 })].join('\n')}\n`,
    );
    const build = () =>
      pipeline('deep')
        .from(ndjsonFile(join(dir, 'in.jsonl')))
        .pipe(
          map((row: Row) => {
            if (!row.deepen) return row;
            let nested: unknown = 1;
            for (let i = 0; i < 20_000; i++) nested = { a: nested };
            return { ...row, nested };
          }),
        )
        .to(toNdjsonFile(join(dir, 'out.jsonl')));
    const failed = join(dir, 'failed.jsonl');
    const summary = await build().run({ runDir: join(dir, 'run'), cache: false, failed: toFailedFile(failed) });
    assert.deepEqual([summary.status, summary.failed, summary.written.default], ['failed-rows', 2, 2]);
    const failures = await lines(failed);
    assert.deepEqual(failures.map((f) => (f.error as { code: string }).code).sort(), ['SLUICE_INPUT_TOO_DEEP', 'SLUICE_OUTPUT_NOT_JSON']);
    assert.equal(
      failures.find((f) => (f.error as { code: string }).code === 'SLUICE_OUTPUT_NOT_JSON')!.row,
      undefined,
      'the unwritable row is left out of its failure',
    );
    // Mark the run unfinished and resume it six times: nothing valid is cut.
    for (let i = 0; i < 6; i++) {
      const record = JSON.parse(await readFile(join(dir, 'run', 'run.json'), 'utf8')) as Record<string, unknown>;
      await writeFile(join(dir, 'run', 'run.json'), JSON.stringify({ ...record, status: 'running' }));
      await build().run({ runDir: join(dir, 'run'), cache: false, failed: toFailedFile(failed) });
    }
    assert.deepEqual(
      (await lines(join(dir, 'out.jsonl'))).map((r) => r.n),
      [0, 3],
    );
  });

  it('fails lines of form feeds, vertical tabs or no-break spaces instead of skipping them as blank', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-blank-'));
    await writeFile(join(dir, 'in.jsonl'), `${['{"n":1}', '', '  \t', '\f', '\v', '\u00a0', '{"n":2}'].join('\n')}\n`);
    const failed = join(dir, 'failed.jsonl');
    const summary = await pipeline('blank')
      .from(ndjsonFile(join(dir, 'in.jsonl')))
      .to(toNdjsonFile(join(dir, 'out.jsonl')))
      .run({ cache: false, failed: toFailedFile(failed) });
    assert.deepEqual([summary.source.read, summary.written.default, summary.failed], [5, 2, 3]);
    assert.deepEqual(
      (await lines(failed)).map((f) => f.line),
      [4, 5, 6],
    );
  });

  it("locks the run directory: a second run at the same time is refused with who holds it; a dead holder's lock is taken over", async () => {
    const dir = await fixture(3000);
    let second: unknown;
    let started = false;
    const handle = doubler(dir).start({
      runDir: join(dir, 'run'),
      cache: false,
      failed: toFailedFile(join(dir, 'failed.jsonl')),
      onDone: () => {
        if (started) return;
        started = true;
        // The first run is under way and holds the lock.
        second = doubler(dir)
          .run({ runDir: join(dir, 'run'), cache: false, failed: toFailedFile(join(dir, 'failed2.jsonl')) })
          .then(
            () => 'ran',
            (error: unknown) => error,
          );
      },
    });
    await handle.summary;
    const refused = (await second) as Error & { code?: string };
    assert.equal(refused.code, 'SLUICE_RUN_DIR');
    assert.match(refused.message, new RegExp(`is in use by process ${process.pid} since `));
    assert.equal(existsSync(join(dir, 'run', 'run.lock')), false, 'the finished run let the lock go');
    // A lock left by a process that is gone (kill -9) does not stick.
    await writeFile(join(dir, 'run', 'run.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname(), startedAt: 'then' }));
    const summary = await doubler(dir).run({ runDir: join(dir, 'run'), cache: false, failed: toFailedFile(join(dir, 'failed.jsonl')) });
    assert.equal(summary.status, 'ok');
  });

  it('takes over the lock of a process killed but not yet reaped (a zombie still holds its pid)', { skip: process.platform !== 'linux' }, async () => {
    const dir = await fixture(10);
    // A parent that never returns to its event loop never reaps its child: `true` exits and stays a zombie.
    const parent = spawn(process.execPath, ['-e', "process.stdout.write(require('node:child_process').spawn('true').pid + '\\n'); for (;;) {}"], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const [line] = (await once(parent.stdout!, 'data')) as [Buffer];
      const pid = Number(line.toString().trim());
      const state = () => {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      };
      await waitFor(() => state() === 'Z');
      await mkdir(join(dir, 'run'), { recursive: true });
      await writeFile(join(dir, 'run', 'run.lock'), JSON.stringify({ pid, host: hostname(), startedAt: 'then' }));
      const summary = await doubler(dir).run({ runDir: join(dir, 'run'), cache: false, failed: toFailedFile(join(dir, 'failed.jsonl')) });
      assert.equal(summary.status, 'ok');
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('refuses to resume after the input, the code or the output path changed, saying how to start over or go on', async () => {
    const dir = await fixture(1000);
    const run = (extra: Record<string, unknown> = {}, out = 'out.jsonl') =>
      pipeline('double')
        .from(ndjsonFile(join(dir, 'in.jsonl')))
        .pipe(map((row: { n: number }) => ({ ...row, twice: row.n * 2 })))
        .to(toNdjsonFile(join(dir, out)))
        .run({ runDir: join(dir, 'run'), cache: false, failed: toFailedFile(join(dir, 'failed.jsonl')), codeFingerprint: 'v1', ...extra });
    await interrupted(dir, 400);
    const record = JSON.parse(await readFile(join(dir, 'run', 'run.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(dir, 'run', 'run.json'), JSON.stringify({ ...record, fingerprint: { ...(record.fingerprint as object), code: 'v1' } }));
    const refusal = (error: Error & { code?: string }, what: RegExp) => {
      assert.equal(error.code, 'SLUICE_RUN_DIR');
      assert.match(error.message, what);
      assert.match(error.message, /Start over with --restart \(the outputs are rewritten\), or continue anyway with --accept-changes\./);
      return true;
    };
    await assert.rejects(run({ codeFingerprint: 'v2' }), (e: Error) => refusal(e, /the pipeline's code changed/));
    await assert.rejects(run({}, 'elsewhere.jsonl'), (e: Error) => refusal(e, /the outputs are now .*elsewhere\.jsonl, not .*out\.jsonl/));
    await writeFile(join(dir, 'in.jsonl'), Array.from({ length: 1000 }, (_, n) => `${JSON.stringify({ n: n + 1 })}\n`).join(''));
    await assert.rejects(run(), (e: Error) => refusal(e, /the input .*in\.jsonl changed/));
    const restarted = await run({ restart: true });
    assert.equal(restarted.status, 'ok');
    assert.deepEqual(
      (await lines(join(dir, 'out.jsonl'))).map((r) => r.n).sort((a, b) => Number(a) - Number(b)),
      Array.from({ length: 1000 }, (_, n) => n + 1),
    );
  });

  it('refuses, before reading a row, a run directory with a sink that cannot be resumed', async () => {
    const dir = await fixture(10);
    let written = 0;
    const custom = {
      name: 'custom',
      write: (_row: Row, _leaf: string, done: () => void) => {
        written++;
        done();
      },
      close: async () => {},
    };
    await assert.rejects(
      pipeline('custom')
        .from(ndjsonFile(join(dir, 'in.jsonl')))
        .to(custom)
        .run({ runDir: join(dir, 'run'), cache: false, failed: toFailedFile(join(dir, 'failed.jsonl')) }),
      /Sink `custom` cannot be resumed, so it cannot be used with a run directory/,
    );
    assert.equal(written, 0);
  });
});
