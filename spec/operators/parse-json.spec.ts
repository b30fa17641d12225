import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { parseDefinition } from '../../lib/config/parse-definition.ts';
import { pipeline } from '../../lib/pipeline/pipeline.ts';
import { parseJson } from '../../lib/operators/parse-json.ts';
import { scatter } from '../../lib/operators/scatter.ts';
import { toMemory } from '../../lib/sinks/memory.ts';
import { fromIterable } from '../../lib/sources/iterable.ts';
import { failedCollector } from '../helpers/failed-collector.ts';
import { unsubscribeAfterFirst } from '../helpers/operator-harness.ts';
import { envelopeOf, testContext } from '../helpers/test-context.ts';

const answers = [
  { raw: 'Sure! Here are the subtopics:\n```json\n["tides", "waves",]\n```\nHope that helps.' },
  { raw: 'The list is ["moon", "sun"] as asked.' },
  { raw: '{"subtopics": ["a", "b"]}' },
  { raw: 'I cannot answer that.' },
];

describe('parseJson', () => {
  it('reads the JSON list an LLM wrote among prose or in a fence, forgives a trailing comma, and fails a text with none', async () => {
    const out = toMemory();
    const failed = failedCollector();
    await pipeline('p')
      .from(fromIterable(answers))
      .pipe(parseJson({ column: 'raw', as: 'subtopics' }))
      .to(out)
      .run({ cache: false, failed });
    assert.deepEqual(
      out.rows.map((r) => r.subtopics),
      [['tides', 'waves'], ['moon', 'sun'], { subtopics: ['a', 'b'] }],
    );
    assert.deepEqual(
      failed.rows.map((f) => [f.id, (f.error as { code: string }).code]),
      [['rows:3', 'SLUICE_JSON_NOT_FOUND']],
    );
  });

  it('checks the value against a schema, failing rows that do not match, and feeds a scatter', async () => {
    const out = toMemory();
    const failed = failedCollector();
    await pipeline('p')
      .from(fromIterable(answers))
      .pipe(parseJson({ column: 'raw', as: 'subtopics' as const, schema: z.array(z.string()) }), scatter('subtopics', { as: 'subtopic' }))
      .to(out)
      .run({ cache: false, failed });
    assert.deepEqual(
      out.rows.map((r) => r.subtopic),
      ['tides', 'waves', 'moon', 'sun'],
    );
    assert.equal(failed.rows.length, 2);
    assert.match((failed.rows.find((f) => f.id === 'rows:2')!.error as { message: string }).message, /does not match the schema/);
  });

  it('does the same in a definition, and aggregate reduces groups there with declared reductions', async () => {
    const p = await parseDefinition(
      [
        'name: lists',
        'steps:',
        '  - parseJson: { column: raw, as: items, schema: { type: array, items: { type: string } } }',
        '  - map: { set: { topic: sea } }',
        '  - aggregate:',
        '      key: topic',
        '      reduce:',
        '        n: { count: true }',
        '        items: { list: items }',
        '        first: { first: raw }',
      ].join('\n'),
    );
    const out = toMemory();
    const failed = failedCollector();
    await p.run({ source: fromIterable(answers), sink: out, cache: false, failed });
    assert.deepEqual(out.rows, [
      {
        topic: 'sea',
        n: 2,
        items: [
          ['tides', 'waves'],
          ['moon', 'sun'],
        ],
        first: answers[0]!.raw,
      },
    ]);
    assert.equal(failed.rows.length, 2);
  });
});

describe('parseJson when the consumer unsubscribes', () => {
  it('parses no more rows once unsubscribed', async () => {
    const ctx = testContext();
    const rows = Array.from({ length: 6 }, (_, n) => envelopeOf(ctx, `rows:${n}`, { raw: `[${n}]` }));
    const result = await unsubscribeAfterFirst([parseJson({ column: 'raw' })], ctx, rows);
    assert.deepEqual({ ...result, failed: ctx.failed.length }, { emitted: 1, inputObserved: false, failed: 0 });
  });
});
