import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filterColumn } from '../../lib/config/filter-column.ts';
import { mapColumns } from '../../lib/config/map-columns.ts';
import { parseDefinition } from '../../lib/config/parse-definition.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import type { Row } from '../../lib/core/row.ts';
import { toMemory } from '../../lib/sinks/memory.ts';
import type { Sink } from '../../lib/core/sink.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';
import { failedCollector } from '../helpers/failed-collector.ts';

const rows: Row[] = [
  { id: 1, text: '  Tides rise.  ', lang: 'en', words: 2, plan: { level: 'easy', tags: ['a'] } },
  { id: 2, text: '', lang: 'fr', words: 0, plan: { level: 'hard', tags: [] } },
  { id: 3, text: 'Why do lichens grow?', lang: 'en', words: 4, plan: { level: 'hard', tags: ['b', 'c'] }, label: null },
  { id: 4, text: 'Das Brot.', lang: 'de', words: 2 },
];

async function ids(step: Parameters<ReturnType<typeof pipeline>['pipe']>[0]): Promise<unknown[]> {
  const out = toMemory();
  await pipeline('t').from(fromIterable(rows)).pipe(step).to(out).run({ failed: failedCollector() });
  return out.rows.map((row) => row.id);
}

describe('filterColumn, the declarative filter', () => {
  it('keeps rows by nonEmpty, exists, equals, in, matches, min/max, and not', async () => {
    assert.deepEqual(await ids(filterColumn({ column: 'text', nonEmpty: true })), [1, 3, 4]);
    assert.deepEqual(await ids(filterColumn({ column: 'plan.tags', nonEmpty: true })), [1, 3]);
    assert.deepEqual(await ids(filterColumn({ column: 'label', exists: true, not: true })), [1, 2, 3, 4]);
    assert.deepEqual(await ids(filterColumn({ column: 'plan', exists: true })), [1, 2, 3]);
    assert.deepEqual(await ids(filterColumn({ column: 'lang', equals: 'en' })), [1, 3]);
    assert.deepEqual(await ids(filterColumn({ column: 'lang', in: ['fr', 'de'] })), [2, 4]);
    assert.deepEqual(await ids(filterColumn({ column: 'text', matches: '\\?$' })), [3]);
    assert.deepEqual(await ids(filterColumn({ column: 'text', matches: '^das', flags: 'i' })), [4]);
    assert.deepEqual(await ids(filterColumn({ column: 'words', min: 2, max: 3 })), [1, 4]);
    assert.deepEqual(await ids(filterColumn({ column: 'plan.level', equals: 'hard', not: true })), [1, 4]);
  });

  it('says what is wrong with its options', () => {
    assert.throws(() => filterColumn({ column: 'text' }), {
      name: 'DefinitionError',
      message: 'Expected one test of `nonEmpty`, `exists`, `equals`, `in`, `matches` or `min`/`max` on `text`, got none.',
    });
    assert.throws(() => filterColumn({ column: 'text', matches: 'a', flags: 'q' }), {
      message: 'Expected `flags` to be regular expression flags such as `i`, got `"q"`.',
    });
  });
});

describe('mapColumns, the declarative map', () => {
  it('keeps, renames, picks from paths, sets, drops and trims, reading from the input row', async () => {
    const out = toMemory();
    await pipeline('t')
      .from(fromIterable(rows.slice(0, 1)))
      .pipe(
        mapColumns({
          keep: ['id', 'text', 'plan'],
          rename: { text: 'body' },
          pick: { level: 'plan.level', original: 'text' },
          set: { source: { name: 'seed', v: 1 } },
          drop: ['plan'],
          trim: ['body'],
        }),
      )
      .to(out)
      .run();
    assert.deepEqual(out.rows, [{ id: 1, body: 'Tides rise.', level: 'easy', original: '  Tides rise.  ', source: { name: 'seed', v: 1 } }]);
  });

  it('fails a row whose picked path is missing, and goes on', async () => {
    const out = toMemory();
    const failed = failedCollector();
    const summary = await pipeline('t')
      .from(fromIterable(rows))
      .pipe(mapColumns({ name: 'level', pick: { level: 'plan.level' } }))
      .to(out)
      .run({ failed });
    assert.deepEqual(
      out.rows.map((row) => row.level),
      ['easy', 'hard', 'hard'],
    );
    assert.equal(summary.steps.level!.failed, 1);
    assert.deepEqual(
      failed.rows.map((row) => row.error as { code: string; message: string }),
      [{ code: 'SLUICE_MAP_MISSING_COLUMN', message: 'Row `rows:3` has no `plan.level` to pick into `level`.' }],
    );
  });

  it('tells validation the columns it makes, so a wrong column is caught before the run', () => {
    const p = pipeline('t').pipe(mapColumns({ keep: ['topic'], pick: { subtopics: 'plan.subtopics' } }), filterColumn({ column: 'plan', nonEmpty: true }));
    assert.throws(() => p.validate(['topic', 'plan']), {
      name: 'MissingColumnsError',
      message:
        "Step `filter` needs column `plan`, but upstream produces `topic`, `subtopics`. Map it with `inputs: { plan: 'topic' }`, or add a step that produces it.",
    });
  });
});

describe('route.when in definitions', () => {
  it('sends each row to the first leaf whose condition it passes, else to `otherwise`', async () => {
    const p = await parseDefinition(
      [
        'name: split',
        'steps:',
        '  - route:',
        '      when:',
        '        empty: { column: text, nonEmpty: true, not: true }',
        '        question: { column: text, matches: "\\\\?$" }',
        '        english: { column: lang, equals: en }',
        '      otherwise: other',
      ].join('\n'),
    );
    const leaves: Record<string, unknown[]> = {};
    const sink: Sink = {
      name: 'leaves',
      write(row, leaf, done) {
        (leaves[leaf] ??= []).push(row.id);
        done();
      },
      async close() {},
    };
    await p.run({ source: fromIterable(rows), sink });
    assert.deepEqual(leaves, { english: [1], empty: [2], question: [3], other: [4] });
  });

  it('routes into branches that a join merges back', async () => {
    const p = await parseDefinition(
      [
        'name: branches',
        'steps:',
        '  - route:',
        '      name: by-lang',
        '      when: { en: { column: lang, equals: en } }',
        '      otherwise: rest',
        '      branches:',
        '        en: [ { map: { set: { english: true } } } ]',
        '        rest: [ { map: { set: { english: false } } } ]',
        '  - join: {}',
        '  - map: { keep: [id, english] }',
      ].join('\n'),
    );
    const out = toMemory();
    await p.run({ source: fromIterable(rows), sink: out });
    assert.deepEqual(
      out.rows.sort((a, b) => Number(a.id) - Number(b.id)),
      [
        { id: 1, english: true },
        { id: 2, english: false },
        { id: 3, english: true },
        { id: 4, english: false },
      ],
    );
  });
});
