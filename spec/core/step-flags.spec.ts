import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { keep } from '../../lib/core/keep.ts';
import { quiet } from '../../lib/core/quiet.ts';
import { parseDefinition } from '../../lib/config/parse-definition.ts';
import { savePipeline } from '../../lib/config/save-definition.ts';
import { map } from '../../lib/operators/map.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import { toMemory } from '../../lib/sinks/memory.ts';
import { toNdjsonFile } from '../../lib/sinks/ndjson-file.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs `fn` with console.log and console.warn recorded instead of printed. */
async function recordingConsole<T>(fn: () => Promise<T>): Promise<{ result: T; printed: string[] }> {
  const printed: string[] = [];
  const { log, warn } = console;
  console.log = (...args: unknown[]) => printed.push(`log ${args.join(' ')}`);
  console.warn = (...args: unknown[]) => printed.push(`warn ${args.join(' ')}`);
  try {
    return { result: await fn(), printed };
  } finally {
    console.log = log;
    console.warn = warn;
  }
}

/** A job that talks: a line before and after an await. */
const noisy = map(
  async (row: { n: number }) => {
    console.log('training', row.n);
    await tick();
    console.warn('done', row.n);
    return { ...row, score: row.n * 10 };
  },
  { name: 'train', concurrency: 4 },
);
const chatty = map(
  (row: { n: number; score: number }) => {
    console.log('after', row.n);
    return row;
  },
  { name: 'report' },
);

describe('keep(step) and quiet(step)', () => {
  it('quiet: the step’s console lines, before and after its awaits, go to console.log in the run directory; the next step still prints', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-quiet-'));
    const { result: summary, printed } = await recordingConsole(() =>
      pipeline('quiet')
        .from(fromIterable([{ n: 1 }, { n: 2 }, { n: 3 }]))
        .pipe(quiet(noisy), chatty)
        .to(toNdjsonFile(join(dir, 'out.jsonl')))
        .run({ runDir: join(dir, 'run'), cache: false }),
    );
    assert.equal(summary.status, 'ok');
    assert.deepEqual(printed.sort(), ['log after 1', 'log after 2', 'log after 3']);
    const captured = (await readFile(join(dir, 'run', 'console.log'), 'utf8')).trim().split('\n');
    assert.equal(captured.length, 6);
    for (const n of [1, 2, 3]) {
      assert.ok(captured.some((line) => line.endsWith(` train log: training ${n}`)));
      assert.ok(captured.some((line) => line.endsWith(` train warn: done ${n}`)));
    }
    assert.deepEqual(summary.console, { steps: ['train'], captured: 6, dropped: 0, file: `${join(dir, 'run')}/console.log` });
    // The console is itself again after the run.
    assert.equal(console.log.name, 'log');
  });

  it('quiet without a run directory: the lines are counted and dropped, never printed', async () => {
    const out = toMemory();
    const { result: summary, printed } = await recordingConsole(() =>
      pipeline('quiet')
        .from(fromIterable([{ n: 1 }, { n: 2 }]))
        .pipe(quiet(noisy))
        .to(out)
        .run({ cache: false }),
    );
    assert.deepEqual(printed, []);
    assert.equal(out.rows.length, 2);
    assert.deepEqual(summary.console, { steps: ['train'], captured: 0, dropped: 4 });
  });

  it('keep: the step’s rows are kept in the run directory, and a rerun that starts over keeps only its own', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-keep-'));
    const make = () =>
      pipeline('keep')
        .from(fromIterable([{ n: 1 }, { n: 2 }, { n: 3 }]))
        .pipe(
          keep(
            map((row: { n: number }) => ({ ...row, score: row.n * 10 }), {
              name: 'train',
            }),
          ),
          map((row) => ({ total: row.score }), { name: 'total' }),
        )
        .to(toNdjsonFile(join(dir, 'out.jsonl')));
    for (let run = 0; run < 2; run++) {
      const summary = await make().run({ runDir: join(dir, 'run'), cache: false });
      assert.deepEqual(summary.kept, { steps: ['train'], dir: join(dir, 'run') });
      const kept = (await readFile(join(dir, 'run', 'steps', 'train.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { id: string; row: { score: number } });
      assert.equal(kept.length, 3, `run ${run + 1}`);
      assert.deepEqual(kept.map((k) => k.row.score).sort(), [10, 20, 30]);
    }
    const without = await make().run({ cache: false });
    assert.deepEqual(without.kept, { steps: ['train'] });
  });

  it('keep: true and quiet: true on any step of a definition, saved back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-flags-yaml-'));
    const text = 'name: flags\nsteps:\n  - map: { name: shape, keep: true, quiet: true, set: { a: 1 } }\n  - map: { name: cols, keep: [a] }\n';
    const built = await parseDefinition(text);
    assert.equal(built.steps[0]!.keep, true);
    assert.equal(built.steps[0]!.quiet, true);
    assert.equal(built.steps[1]!.keep, undefined, 'a list under `map` is the columns to keep');
    await savePipeline(built, join(dir, 'saved.yaml'));
    const again = await parseDefinition(await readFile(join(dir, 'saved.yaml'), 'utf8'));
    assert.equal(again.steps[0]!.keep, true);
    assert.equal(again.steps[0]!.quiet, true);
    await assert.rejects(parseDefinition('name: f\nsteps:\n  - filter: { column: a, nonEmpty: true, quiet: yes }\n'), /`quiet`.*true or false/);
    assert.equal(existsSync(join(dir, 'run')), false);
  });
});
