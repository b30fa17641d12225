import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadDefinition } from '../../lib/config/load-definition.ts';
import { savePipeline } from '../../lib/config/save-definition.ts';
import { filter } from '../../lib/operators/filter.ts';
import { map } from '../../lib/operators/map.ts';
import { pipelineStep } from '../../lib/operators/pipeline-step.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import { toMemory } from '../../lib/sinks/memory.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';

const rows = [{ text: ' a ' }, { text: '' }, { text: 'bb' }];

/** Trims and drops empty texts, and counts the characters: the inner pipeline. */
const cleaning = pipeline<{ text: string }>('cleaning').pipe(
  map((row) => ({ ...row, text: row.text.trim() }), { name: 'trim' }),
  filter((row) => row.text !== '', { name: 'non-empty' }),
  map((row) => ({ ...row, chars: row.text.length }), { name: 'count' }),
);

describe('pipelineStep: a pipeline as one step of another', () => {
  it('runs the inner steps in place, named under it, and carries its row types', async () => {
    const out = toMemory();
    const summary = await pipeline('outer')
      .from(fromIterable(rows))
      .pipe(
        pipelineStep(cleaning),
        // `chars` is known here: the inner pipeline's output type carried over.
        map((row) => ({ text: row.text, long: row.chars > 1 }), { name: 'flag' }),
      )
      .to(out)
      .run({ cache: false });
    assert.deepEqual(out.rows, [
      { text: 'a', long: false },
      { text: 'bb', long: true },
    ]);
    assert.deepEqual(Object.keys(summary.steps), ['cleaning', 'cleaning/trim', 'cleaning/non-empty', 'cleaning/count', 'flag']);
    assert.equal(summary.steps['cleaning/non-empty']!.filtered, 1);
    assert.deepEqual([summary.steps.cleaning!.in, summary.steps.cleaning!.out, summary.steps.cleaning!.emitted], [3, 3, 3]);

    // Type check, compiled by `npm test`: only what the inner pipeline ends with comes out.
    pipeline('after')
      .from(fromIterable(rows))
      .pipe(
        pipelineStep(cleaning),
        // @ts-expect-error `missing` is not a column of the inner pipeline's output
        map((row) => ({ n: row.missing })),
      );
  });

  it('is `pipeline: ./sub.yaml` (or a module) in a definition, validated, saved back, and a cycle is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-nested-'));
    await writeFile(
      join(dir, 'clean.yaml'),
      'name: cleaning\nsteps:\n  - map: { name: trim, trim: [text] }\n  - filter: { name: non-empty, column: text, nonEmpty: true }\n',
    );
    await writeFile(
      join(dir, 'shout.ts'),
      `import { map } from '${join(process.cwd(), 'lib/operators/map.ts')}';\nimport { pipeline } from '${join(process.cwd(), 'lib/pipeline/pipeline.ts')}';\nexport default pipeline('shouting').pipe(map((row) => ({ ...row, text: String(row.text).toUpperCase() }), { name: 'upper' }));\n`,
    );
    await writeFile(join(dir, 'main.yaml'), 'name: main\nsteps:\n  - pipeline: ./clean.yaml\n  - pipeline: { path: ./shout.ts, name: shout }\n');
    const main = await loadDefinition(join(dir, 'main.yaml'));
    const out = toMemory();
    const summary = await main.run({ source: fromIterable(rows), sink: out, cache: false });
    assert.deepEqual(out.rows, [{ text: 'A' }, { text: 'BB' }]);
    assert.deepEqual(Object.keys(summary.steps), ['cleaning', 'cleaning/trim', 'cleaning/non-empty', 'shout', 'shout/upper']);
    // A column the inner steps need but the rows lack is caught before any row is read.
    await writeFile(join(dir, 'needs.yaml'), 'name: needs\nsteps:\n  - filter: { column: body, nonEmpty: true }\n');
    await writeFile(join(dir, 'outer-needs.yaml'), 'name: outer\nsteps:\n  - map: { keep: [text] }\n  - pipeline: ./needs.yaml\n');
    const needs = await loadDefinition(join(dir, 'outer-needs.yaml'));
    assert.throws(() => needs.validate(['text']), /body/);

    await savePipeline(main, join(dir, 'saved', 'main.yaml'));
    const saved = await readFile(join(dir, 'saved', 'main.yaml'), 'utf8');
    assert.match(saved, /pipeline: \{ path: \.\.\/clean\.yaml \}|path: \.\.\/clean\.yaml/);
    assert.match(saved, /path: \.\.\/shout\.ts/);

    await writeFile(join(dir, 'a.yaml'), 'name: a\nsteps:\n  - pipeline: ./b.yaml\n');
    await writeFile(join(dir, 'b.yaml'), 'name: b\nsteps:\n  - pipeline: ./a.yaml\n');
    await assert.rejects(loadDefinition(join(dir, 'a.yaml')), /includes itself .*a\.yaml → .*b\.yaml → .*a\.yaml/);
  });
});
